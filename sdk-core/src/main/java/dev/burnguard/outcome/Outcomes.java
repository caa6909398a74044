package dev.burnguard.outcome;

import dev.burnguard.internal.sli.LatencyBuckets;
import dev.burnguard.outcome.Guard.OutcomeRecorder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A provider's recorded outcomes, as {@code provider.outcomes()}: record how a flag variant's calls
 * end, and read each flag × variant's exact window counts and latency distribution. Recording never
 * throws, blocks, logs or allocates; {@link #read} fills a reusable {@link Counts} without
 * allocating, for readers of many windows. Thread-safe.
 */
public interface Outcomes extends OutcomeRecorder {
  /** The latency thresholds slow calls are counted against, in the order {@link Counts#slow(int)} indexes them. */
  List<Duration> latencyThresholds();

  /** Exact counts of {@code flagKey}'s {@code variant} over the last {@code window}; zeros for no series. */
  WindowCounts counts(String flagKey, String variant, Duration window);

  /** Writes what {@link #counts} returns into {@code into}, without allocating once {@code into} has room. */
  void read(String flagKey, String variant, Duration window, Counts into);

  /** A snapshot of {@code flagKey}'s {@code variant}'s latency histogram, for display. */
  LatencyDistribution latency(String flagKey, String variant);

  /**
   * A reusable, mutable holder of one window's counts, filled by {@link Outcomes#read}. Not
   * thread-safe: one per reading thread.
   */
  final class Counts {
    private long windowSeconds;
    private long calls;
    private long errors;
    private long[] slow = new long[0];
    private int thresholds;

    /** The span the counts cover (the requested window rounded to whole buckets). */
    public Duration window() {
      return Duration.ofSeconds(windowSeconds);
    }

    /** How many calls. */
    public long calls() {
      return calls;
    }

    /** How many calls failed. */
    public long errors() {
      return errors;
    }

    /** How many calls were slower than latency threshold {@code threshold} (its index in {@link Outcomes#latencyThresholds()}). */
    public long slow(int threshold) {
      if (threshold < 0 || threshold >= thresholds) {
        throw new IndexOutOfBoundsException("latency threshold index " + threshold + " of " + thresholds);
      }
      return slow[threshold];
    }

    /** Errors over calls; 0 without calls. */
    public double errorRatio() {
      return calls == 0 ? 0 : (double) errors / calls;
    }

    /** Starts a new reading: the window, calls and errors, and how many thresholds follow (for the recorder). */
    public void start(long windowSeconds, long calls, long errors, int thresholds) {
      this.windowSeconds = windowSeconds;
      this.calls = calls;
      this.errors = errors;
      this.thresholds = thresholds;
      if (slow.length < thresholds) {
        slow = new long[thresholds];
      }
      Arrays.fill(slow, 0, thresholds, 0);
    }

    /** Sets the slow-call count for threshold {@code threshold} of the reading started last (for the recorder). */
    public void slow(int threshold, long count) {
      if (threshold < 0 || threshold >= thresholds) {
        throw new IndexOutOfBoundsException("latency threshold index " + threshold + " of " + thresholds);
      }
      slow[threshold] = count;
    }

    @Override
    public String toString() {
      return "Counts{window=" + window() + ", calls=" + calls + ", errors=" + errors + ", slow="
          + Arrays.toString(Arrays.copyOf(slow, thresholds)) + "}";
    }
  }

  /**
   * Exact counts of one flag variant's calls over a window: how many, how many failed, and how many
   * were slower than each configured latency threshold. Immutable.
   */
  public static final class WindowCounts {
    private final Duration window;
    private final long calls;
    private final long errors;
    private final long[] slow;

    public WindowCounts(Duration window, long calls, long errors, long[] slow) {
      this.window = window;
      this.calls = calls;
      this.errors = errors;
      this.slow = slow.clone();
    }

    /** The window these counts cover, rounded up to whole buckets of the resolution that serves it. */
    public Duration window() {
      return window;
    }

    public long calls() {
      return calls;
    }

    public long errors() {
      return errors;
    }

    /** Calls slower than the {@code i}-th latency threshold of the recorder. */
    public long slow(int threshold) {
      return slow[threshold];
    }

    /** errors / calls, or 0 without calls. */
    public double errorRatio() {
      return calls == 0 ? 0 : (double) errors / calls;
    }

    /** slow(threshold) / calls, or 0 without calls. */
    public double slowRatio(int threshold) {
      return calls == 0 ? 0 : (double) slow[threshold] / calls;
    }

    @Override
    public String toString() {
      return "WindowCounts[" + window + ": calls=" + calls + ", errors=" + errors + ", slow=" + Arrays.toString(slow) + "]";
    }
  }

  /**
   * A snapshot of one flag variant's latency histogram, for display: quantiles within 1 % of the
   * true latency (each bucket spans at most 1/64 of its values; a quantile reports the bucket's
   * midpoint). Decisions never use it: the guard decides on exact slow-call counts.
   *
   * <p>A snapshot counts every call since the series began; {@link #since} gives the calls between
   * two snapshots, e.g. the last minute. Immutable.
   */
  public static final class LatencyDistribution {
    private final long[] counts;
    private final long total;

    public LatencyDistribution(long[] counts) {
      this.counts = counts;
      long sum = 0;
      for (long c : counts) {
        sum += c;
      }
      this.total = sum;
    }

    /** The calls counted. */
    public long count() {
      return total;
    }

    /**
     * The latency below which a fraction {@code q} of the calls fall (q in (0, 1]), or
     * {@link Duration#ZERO} when there are no calls.
     */
    public Duration quantile(double q) {
      if (!(q > 0 && q <= 1)) {
        throw new IllegalArgumentException("quantile must be in (0, 1], got " + q);
      }
      if (total == 0) {
        return Duration.ZERO;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return Duration.ofNanos(LatencyBuckets.midpointNanos(i));
        }
      }
      return Duration.ofNanos(LatencyBuckets.midpointNanos(counts.length - 1));
    }

    /** The calls recorded after {@code earlier}, a snapshot of the same series. */
    public LatencyDistribution since(LatencyDistribution earlier) {
      long[] diff = new long[counts.length];
      for (int i = 0; i < diff.length; i++) {
        diff[i] = (counts[i] - earlier.counts[i]) & 0xffffffffL;
      }
      return new LatencyDistribution(diff);
    }

    @Override
    public String toString() {
      return total == 0 ? "LatencyDistribution[no calls]" : "LatencyDistribution[count=" + total
          + ", p50=" + quantile(0.5) + ", p95=" + quantile(0.95) + ", p99=" + quantile(0.99) + "]";
    }
  }

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
}
