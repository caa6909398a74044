/** Time: the injectable {@link dev.burnguard.time.Clock} and its system implementation; tests use the ManualClock of the burnguard-testing module. */
@NullMarked
package dev.burnguard.time;

import org.jspecify.annotations.NullMarked;

