package dev.burnguard.outcome;

import dev.burnguard.internal.sli.LatencyBuckets;
import java.time.Duration;

/**
 * A snapshot of one flag variant's latency histogram, for display: quantiles within 1 % of the
 * true latency (each bucket spans at most 1/64 of its values; a quantile reports the bucket's
 * midpoint). Decisions never use it: the guard decides on exact slow-call counts.
 *
 * <p>A snapshot counts every call since the series began; {@link #since} gives the calls between
 * two snapshots, e.g. the last minute. Immutable.
 */
public final class LatencyDistribution {
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
