package dev.burnguard.outcome;

import java.time.Duration;
import java.util.List;

/**
 * Where the guardian reads the SLI windows it judges rollouts on: the seam between recording and
 * judging. The local {@link SliRecorder} is the first implementation (this replica's outcomes); a
 * fleet ({@code burnguard-redis}) provides the second, the sum over every replica of a service.
 *
 * <p><b>Contract.</b> {@link #windows} is called by the guardian once per rollout and tick, never
 * on the evaluation path; it must not block on I/O (a fleet implementation reads a local mirror
 * that a background thread keeps current). Counts are exact: each call recorded anywhere is counted
 * once, in the second it was recorded (a fleet: the second it was pushed in, at most one push
 * interval later, or the second it arrived in when it was pushed late), and windows round to
 * buckets as {@link SliRecorder} documents. Every read from one {@link FlagWindows} ends at the same
 * second. Thread-safe.
 */
public interface SliSource {
  /** The windows of {@code flagKey}'s variants as of now; zero counts for a flag or variant without outcomes. */
  FlagWindows windows(String flagKey);

  /** The latency thresholds slow calls are counted against, in the order of the slow counts. */
  List<Duration> latencyThresholds();

  /** The windows of one flag's variants, all ending at one moment. Allocation-free reads. */
  interface FlagWindows {
    /**
     * Writes exact counts of {@code variant}'s calls over the last {@code window} into {@code out}:
     * calls at 0, errors at 1, slow against threshold t at 2 + t; zeros where there are none.
     */
    void counts(String variant, Duration window, long[] out);

    /**
     * Like {@link #counts}, but nothing recorded {@code since} ago or earlier counts (the window is
     * cut to whole buckets after that moment until it is a bucket longer ago than the window). For
     * rollouts judged only on evidence gathered after a reset.
     */
    void countsSince(String variant, Duration window, Duration since, long[] out);

    /** The second these windows end at, on this source's own second count. */
    long second();

    /**
     * Writes the exact counts of {@code variant}'s calls recorded in seconds {@code fromSecond}
     * (inclusive) to {@code toSecond} (exclusive) of {@link #second()}'s count, both multiples of 10
     * at most 6 minutes apart, nothing apportioned: each call is read in exactly one such interval.
     * Zeros for buckets no longer held. For the guardian's sequential tests, which read every
     * completed 10-second bucket once.
     */
    void countsBetween(String variant, long fromSecond, long toSecond, long[] out);
  }
}
