package dev.burnguard.outcome;

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
}
