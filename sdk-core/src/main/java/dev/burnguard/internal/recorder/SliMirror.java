package dev.burnguard.internal.recorder;

import dev.burnguard.internal.sli.Series;
import dev.burnguard.outcome.Outcomes.SliSource;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SLI windows of buckets kept elsewhere — a fleet's sums over every replica — read with exactly the
 * window arithmetic of the local recorder ({@link Series}): a writer {@linkplain #set sets} the
 * buckets of every resolution as the store holds them, and {@link #windows} reads them, ending at
 * the clock's current epoch second. Bucket boundaries are epoch seconds (so every replica's buckets
 * line up), not a recorder's monotonic origin.
 *
 * <p>Concurrency: one background thread sets buckets while the guardian reads; each bucket word is
 * a volatile, so a read sees every bucket set before it began and a bucket set during it, whole or
 * not at all, per counter (a window may mix the bucket's counts of two refreshes, which differ by
 * at most what one push added). Series are created on the first set, in a concurrent map.
 *
 * <p>Internal, not for public use.
 */
public final class SliMirror implements SliSource {
  private final Clock clock;
  private final List<Duration> thresholds;
  private final long[] thresholdNanos;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Series>> series = new ConcurrentHashMap<>();

  public SliMirror(Clock clock, List<Duration> latencyThresholds) {
    this.clock = clock;
    this.thresholds = List.copyOf(latencyThresholds);
    this.thresholdNanos = thresholds.stream().mapToLong(Duration::toNanos).toArray();
  }

  /** Counters per bucket: calls, errors, slow per threshold. */
  public int words() {
    return 2 + thresholdNanos.length;
  }

  /** Sets bucket {@code bucket} (epoch seconds / width) of resolution {@code r} of a series to {@code counts}. */
  public void set(String flagKey, String variant, int r, long bucket, long[] counts) {
    series.computeIfAbsent(flagKey, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(variant, v -> new Series(thresholdNanos, 1))
        .setBucket(r, bucket, counts);
  }

  /** Forgets every bucket (e.g. when the store lost its data and is being re-read). */
  public void clear() {
    series.clear();
  }

  @Override
  public List<Duration> latencyThresholds() {
    return thresholds;
  }

  @Override
  public SliSource.FlagWindows windows(String flagKey) {
    Map<String, Series> byVariant = flagKey == null ? null : series.get(flagKey);
    long second = Math.floorDiv(clock.wallMillis(), 1000);
    return new SliSource.FlagWindows() {
      @Override
      public void counts(String variant, Duration window, long[] out) {
        Series s = byVariant == null || variant == null ? null : byVariant.get(variant);
        long seconds = Series.windowSeconds(window);
        if (s == null) {
          java.util.Arrays.fill(out, 0);
        } else {
          s.counts(second, seconds, out);
        }
      }

      @Override
      public void countsSince(String variant, Duration window, Duration since, long[] out) {
        Series s = byVariant == null || variant == null ? null : byVariant.get(variant);
        Series.countsSince(s, second, Series.windowSeconds(window), since, out);
      }

      @Override
      public long second() {
        return second;
      }

      @Override
      public void countsBetween(String variant, long fromSecond, long toSecond, long[] out) {
        Series s = byVariant == null || variant == null ? null : byVariant.get(variant);
        java.util.Arrays.fill(out, 0);
        if (s != null && toSecond > fromSecond) {
          s.countsWithin(toSecond - 1, toSecond - fromSecond, out);
        }
      }
    };
  }
}
