package dev.burnguard.outcome;

import java.time.Duration;
import java.util.Arrays;

/**
 * Exact counts of one flag variant's calls over a window: how many, how many failed, and how many
 * were slower than each configured latency threshold. Immutable.
 */
public final class WindowCounts {
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
