/** Time: the injectable {@link dev.burnguard.time.Clock} and its system implementation; tests use the ManualClock of the burnguard-testing module. */
package dev.burnguard.time;

