package dev.burnguard.internal.sli;

/**
 * The latency histogram's bucket layout: microsecond resolution below 64 µs, then 64 buckets per
 * power of two up to about 9 minutes, so that a bucket's midpoint is within 0.8 % of any latency in
 * it. Longer latencies fall in the last bucket. Internal, not for public use.
 */
public final class LatencyBuckets {
  private static final int SUB_BITS = 6;
  private static final int SUB_BUCKETS = 1 << SUB_BITS;
  private static final int OCTAVES = 23;
  /** Number of buckets. */
  public static final int COUNT = SUB_BUCKETS + OCTAVES * SUB_BUCKETS;
  private static final long MAX_MICROS = (1L << (SUB_BITS + OCTAVES)) - 1;

  private LatencyBuckets() {}

  /** The bucket of a latency given in nanoseconds. */
  public static int of(long nanos) {
    long micros = nanos <= 0 ? 0 : Math.min(nanos / 1000, MAX_MICROS);
    if (micros < SUB_BUCKETS) {
      return (int) micros;
    }
    int octave = 63 - Long.numberOfLeadingZeros(micros) - SUB_BITS; // 0 for [64, 128) µs
    int sub = (int) (micros >>> octave) - SUB_BUCKETS;
    return SUB_BUCKETS + octave * SUB_BUCKETS + sub;
  }

  /** The smallest latency in {@code bucket}, in nanoseconds. */
  public static long lowerNanos(int bucket) {
    if (bucket < SUB_BUCKETS) {
      return bucket * 1000L;
    }
    int octave = (bucket - SUB_BUCKETS) / SUB_BUCKETS;
    int sub = (bucket - SUB_BUCKETS) % SUB_BUCKETS;
    return ((long) (SUB_BUCKETS + sub) << octave) * 1000L;
  }

  /** The midpoint of {@code bucket}, in nanoseconds: what a quantile falling in it reports. */
  public static long midpointNanos(int bucket) {
    long lower = lowerNanos(bucket);
    long width = bucket < SUB_BUCKETS ? 1000L : (1L << ((bucket - SUB_BUCKETS) / SUB_BUCKETS)) * 1000L;
    return lower + width / 2;
  }
}
