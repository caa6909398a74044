/** Time: the injectable {@link dev.burnguard.time.Clock} and its system implementation; tests use {@code dev.burnguard.testing.ManualClock} from burnguard-testing. */
package dev.burnguard.time;

