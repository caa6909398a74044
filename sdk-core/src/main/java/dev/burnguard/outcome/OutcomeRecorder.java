package dev.burnguard.outcome;

import java.time.Duration;

/**
 * Records how calls served by a flag's variant ended, for the guard to judge the variant by.
 *
 * <p>Implementations never throw, never block, never log and do not allocate per call: recording
 * sits on the hot path of every guarded request.
 */
public interface OutcomeRecorder {
  /**
   * Records one call of {@code flagKey}'s variant {@code variant}.
   *
   * @param latencyNanos how long the call took, in nanoseconds (negative values count as 0)
   * @param outcome whether it succeeded
   */
  void record(String flagKey, String variant, long latencyNanos, Outcome outcome);

  /**
   * Records one call that started and ended at the given {@code monotonicNanos} readings of the
   * recorder's clock. Callers that time calls themselves (such as a Guard) use this form, so the
   * recorder need not read the clock again to place the call in time.
   */
  default void recordCall(String flagKey, String variant, long startNanos, long endNanos, Outcome outcome) {
    record(flagKey, variant, endNanos - startNanos, outcome);
  }

  /**
   * Records one call of a user journey (checkout, search…) for the service SLOs declared over it
   * (the flag file's {@code "slos"}, see the README's "Error-budget policy"): counted, per hour, by
   * each SLO of that journey; a journey without SLOs is ignored. Same rules as {@link #record}:
   * never throws, blocks, logs or allocates. Recorders that keep no journeys (this default) ignore it.
   *
   * @param journey the journey's name, as the SLOs name it
   * @param latencyNanos how long the call took, in nanoseconds (negative values count as 0)
   * @param outcome whether it succeeded
   */
  default void recordJourney(String journey, long latencyNanos, Outcome outcome) {
  }

  /** Records one call; see {@link #record(String, String, long, Outcome)}. */
  default void record(String flagKey, String variant, Duration latency, Outcome outcome) {
    record(flagKey, variant, latency == null ? 0 : saturatedNanos(latency), outcome);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
