/** Time: the injectable {@link dev.burnguard.time.Clock} and a {@link dev.burnguard.time.ManualClock} for tests. */
package dev.burnguard.time;
