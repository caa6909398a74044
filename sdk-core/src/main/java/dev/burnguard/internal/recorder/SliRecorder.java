package dev.burnguard.internal.recorder;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.outcome.Outcomes.LatencyDistribution;
import dev.burnguard.outcome.Guard.OutcomeRecorder;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.outcome.Outcomes.SliSource;

import dev.burnguard.internal.sli.LatencyBuckets;
import dev.burnguard.internal.sli.Series;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The SLI recorder: per flag and variant, exact counts of calls, errors and slow calls over
 * sliding windows from 10 seconds to 72 hours, and a latency histogram for display.
 *
 * <p><b>Windows.</b> Counts are kept in 10-second buckets for windows up to 6 minutes, 1-minute
 * buckets up to 1 hour, 10-minute buckets up to 6 hours and 1-hour buckets up to 72 hours. A window
 * of length W covers all of W at every moment: the most recent buckets of the finest resolution
 * that covers it, the current partial bucket included, plus the share of the bucket before them
 * that W still covers, apportioned as if its calls were spread evenly over it and rounded to whole
 * counts. So "the last 10 s" at 12:07:43.5 is the bucket 12:07:40–now plus half of 12:07:30–40,
 * and at a steady rate every window holds its duration of calls to within half a second of traffic
 * (the current second counts as half gone) and the rounding. Bucket boundaries are counted from
 * the recorder's creation on its clock's monotonic time.
 *
 * <p><b>Which series exist.</b> Known flags only: a series is created on the first outcome of a
 * (flag, variant) pair that the {@linkplain Builder#knownVariants filter} accepts — the provider's
 * filter accepts the variants its current flags define — and never for anything else, so a
 * {@code track()} call naming an unknown flag or variant cannot grow memory. The number of series
 * is also capped ({@link Builder#maxSeries}); outcomes that are refused are counted in
 * {@link #refusedOutcomes()}. Series are never evicted: a guard must not lose its evidence
 * silently.
 *
 * <p><b>Memory.</b> With the default single latency threshold a series takes about 11.5 KiB: 212
 * buckets × 3 counters × 8 bytes, a 1,536-bucket histogram of 4-byte counts, and two 64-byte
 * stripes per core (at most 16). Each further threshold adds 1.7 KiB.
 *
 * <p><b>Concurrency.</b> {@link #record} is lock-free, never blocks, throws or logs, and does not
 * allocate once its series exists (and the thread has its stripe probe, one small array per thread):
 * recording threads add to stripes of the series, moving to another stripe when they meet another
 * thread on theirs, that are folded into the windows as each second ends (see the series' design). Reads may run at any
 * time; they see every outcome whose recording finished before the read began, each in the second
 * it was counted in, and outcomes recorded during the read whole or not at all (like
 * {@link LongAdder#sum()}, a read of a series several threads record to is not a snapshot of one
 * moment). Creating a series happens once per (flag, variant) under the flag's entry lock in the
 * map, which {@link #retain} takes too. Recording finds its series through a small cache of
 * recently recorded series, shared by all threads without synchronization: each slot holds an
 * immutable entry that is checked by its flag and variant before use, and entries dropped by
 * {@link #retain} are marked (a volatile flag) so that the cache never serves them again.
 */
public final class SliRecorder implements Outcomes, SliSource {
  /** The default latency threshold: calls slower than this count as slow. */
  public static final Duration DEFAULT_LATENCY_THRESHOLD = Duration.ofMillis(300);
  /** The default cap on the number of series. */
  public static final int DEFAULT_MAX_SERIES = 10_000;
  /** The longest window the recorder keeps. */
  public static final Duration MAX_WINDOW = Duration.ofSeconds(Series.MAX_WINDOW_SECONDS);

  /** Slots of the cache of recently recorded series, a power of two. */
  private static final int RECENT = 256;
  /** Two stripes per core (rounded up to a power of two), at most this many. */
  private static final int MAX_STRIPES = 16;

  private final Clock clock;
  /** The journey SLOs' counts, which {@link #recordJourney} feeds. */
  private final dev.burnguard.internal.budget.JourneyCounts journeys;
  private final long originNanos;
  private final long[] thresholdNanos;
  /** One scratch buffer per reading thread, so {@link #read} does not allocate after a thread's first read. */
  private final ThreadLocal<long[]> readBuffer;
  private final List<Duration> thresholds;
  private final BiPredicate<String, String> knownVariants;
  private final int maxSeries;
  private final int stripes;
  private final ConcurrentHashMap<String, FlagSeries> series = new ConcurrentHashMap<>();
  /** The windows of a flag without series at the second they end at, reused within that second. */
  private volatile FlagWindows noSeries;
  /** Recently recorded series, at a hash of flag and variant; see {@link #series(String, String)}. */
  private final Tracked[] recent = new Tracked[RECENT];
  private final AtomicInteger seriesCount = new AtomicInteger();
  private final LongAdder refused = new LongAdder();

  private SliRecorder(Builder b) {
    this.clock = b.clock;
    this.journeys = new dev.burnguard.internal.budget.JourneyCounts(b.clock);
    this.originNanos = clock.monotonicNanos();
    this.thresholds = List.copyOf(b.thresholds);
    this.thresholdNanos = thresholds.stream().mapToLong(Duration::toNanos).toArray();
    this.readBuffer = ThreadLocal.withInitial(() -> new long[2 + thresholdNanos.length]);
    this.knownVariants = b.knownVariants;
    this.maxSeries = b.maxSeries;
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.stripes = Math.min(MAX_STRIPES, Integer.highestOneBit(cores * 2 - 1) * 2);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void recordJourney(String journey, long latencyNanos, Outcome outcome) {
    try {
      journeys.record(journey, latencyNanos, outcome == Outcome.ERROR);
    } catch (RuntimeException e) {
      // recording never throws into the host
    }
  }

  /** The journey SLOs' per-hour counts that {@link #recordJourney} feeds. */
  public dev.burnguard.internal.budget.JourneyCounts journeys() {
    return journeys;
  }

  @Override
  public void record(String flagKey, String variant, long latencyNanos, Outcome outcome) {
    record(flagKey, variant, clock.monotonicNanos(), latencyNanos, outcome);
  }

  /** Records a call that ended at {@code endNanos} of this recorder's clock, without reading the clock. */
  @Override
  public void recordCall(String flagKey, String variant, long startNanos, long endNanos, Outcome outcome) {
    record(flagKey, variant, endNanos, endNanos - startNanos, outcome);
  }

  private void record(String flagKey, String variant, long endNanos, long latencyNanos, Outcome outcome) {
    try {
      Series s = series(flagKey, variant);
      if (s == null) {
        refused.increment();
        return;
      }
      s.record(secondOf(endNanos), latencyNanos, outcome == Outcome.ERROR);
    } catch (RuntimeException e) {
      // a filter of the caller's threw: the outcome is refused, the caller is not disturbed
      refused.increment();
    }
  }

  private long secondOf(long monotonicNanos) {
    return Math.floorDiv(monotonicNanos - originNanos, 1_000_000_000L);
  }

  private long second() {
    return secondOf(clock.monotonicNanos());
  }

  /**
   * The series to record into, or null. Hot callers record into few series, so the series last
   * found for a slot of {@link #recent} (at a hash of flag and variant) is tried before the two map
   * lookups. The cache is a plain array written without synchronization: a slot holds null or an
   * immutable entry checked by its keys, and an entry that {@link #retain} dropped is marked so and
   * not used again.
   */
  private Series series(String flagKey, String variant) {
    if (flagKey == null || variant == null) {
      return null;
    }
    int h = flagKey.hashCode() * 31 + variant.hashCode();
    int slot = (h ^ (h >>> 16)) & (RECENT - 1);
    Tracked t = recent[slot];
    if (t == null || !t.flagKey.equals(flagKey) || !t.variant.equals(variant) || t.dropped) {
      t = tracked(flagKey, variant);
      if (t == null) {
        return null;
      }
      recent[slot] = t;
    }
    return t.series;
  }

  private Tracked tracked(String flagKey, String variant) {
    ConcurrentHashMap<String, Tracked> byVariant = series.get(flagKey);
    Tracked t = byVariant == null ? null : byVariant.get(variant);
    if (t != null) {
      return t;
    }
    if (!knownVariants.test(flagKey, variant)) {
      return null;
    }
    // Created under the flag's entry lock, which retain() takes too, so that a series is never
    // created in a flag's map that a reload is dropping (it would be lost, and hold a place under the
    // cap for good). A reload that changed the filter since it was asked above may have looked
    // before the series was in place: the filter is asked again.
    Tracked[] created = new Tracked[1];
    series.compute(flagKey, (k, existing) -> {
      FlagSeries variants = existing != null ? existing : new FlagSeries();
      created[0] = variants.computeIfAbsent(variant, v -> seriesCount.incrementAndGet() <= maxSeries
          ? new Tracked(flagKey, variant, new Series(thresholdNanos, stripes)) : uncounted());
      return variants.isEmpty() ? null : variants;
    });
    if (created[0] != null && !knownVariants.test(flagKey, variant)) {
      drop(flagKey, variant::equals);
      return null;
    }
    return created[0];
  }

  /**
   * A flag's series by variant, and the flag's windows as of the last second they were asked for:
   * readers of every flag each tick (the guardian) share one per flag and second.
   */
  private static final class FlagSeries extends ConcurrentHashMap<String, Tracked> {
    private static final long serialVersionUID = 1L;
    transient volatile FlagWindows windows;
  }

  /** A series with the keys it is recorded under. */
  private static final class Tracked {
    final String flagKey;
    final String variant;
    final Series series;
    /** Set when {@link #retain} drops the series, so that the cache of recent series no longer serves it. */
    volatile boolean dropped;

    Tracked(String flagKey, String variant, Series series) {
      this.flagKey = flagKey;
      this.variant = variant;
      this.series = series;
    }
  }

  private Tracked uncounted() {
    seriesCount.decrementAndGet();
    return null;
  }

  /**
   * Exact counts of {@code flagKey}'s {@code variant} over the last {@code window} (see the class
   * comment for how windows round to buckets); zero counts for a series that does not exist.
   *
   * @param window from 1 second to {@link #MAX_WINDOW}
   */
  public WindowCounts counts(String flagKey, String variant, Duration window) {
    long[] out = new long[2 + thresholdNanos.length];
    counts(flagKey, variant, window, out);
    return new WindowCounts(Duration.ofSeconds(Series.coveredSeconds(windowSeconds(window))), out[0], out[1],
        Arrays.copyOfRange(out, 2, out.length));
  }

  /**
   * Writes the counts of {@code counts(flagKey, variant, window)} into {@code out} without
   * allocating: calls at 0, errors at 1, slow calls against threshold t at 2 + t; zeros for a
   * series that does not exist. For readers of many windows, such as the guardian.
   *
   * @param out at least 2 + the number of thresholds long
   */
  public void counts(String flagKey, String variant, Duration window, long[] out) {
    read(existing(flagKey, variant), second(), window, out);
  }

  @Override
  public void read(String flagKey, String variant, Duration window, Outcomes.Counts into) {
    long[] out = readBuffer.get();
    counts(flagKey, variant, window, out);
    into.start(Series.coveredSeconds(windowSeconds(window)), out[0], out[1], thresholdNanos.length);
    for (int t = 0; t < thresholdNanos.length; t++) {
      into.slow(t, out[2 + t]);
    }
  }

  /**
   * The windows of {@code flagKey}'s variants as of now, for readers of several windows of one flag
   * at once, such as the guardian judging a rollout: the flag's series are looked up once, the clock
   * is read once, and every window read from it ends at the same second.
   */
  @Override
  public FlagWindows windows(String flagKey) {
    long second = second();
    FlagSeries byVariant = flagKey == null ? null : series.get(flagKey);
    // FlagWindows are immutable: the same second's may be shared, so a reader of many flags per
    // second (the guardian's tick) allocates one per flag and second at most
    FlagWindows w = byVariant == null ? noSeries : byVariant.windows;
    if (w == null || w.second != second) {
      w = new FlagWindows(byVariant, second);
      if (byVariant == null) {
        noSeries = w;
      } else {
        byVariant.windows = w;
      }
    }
    return w;
  }

  private static void read(Series s, long second, Duration window, long[] out) {
    long seconds = windowSeconds(window);
    if (s == null) {
      Arrays.fill(out, 0);
    } else {
      s.counts(second, seconds, out);
    }
  }

  /** The windows of one flag's variants, all ending at the moment {@link #windows} was called. */
  public static final class FlagWindows implements SliSource.FlagWindows {
    private final ConcurrentHashMap<String, Tracked> byVariant;
    private final long second;

    private FlagWindows(ConcurrentHashMap<String, Tracked> byVariant, long second) {
      this.byVariant = byVariant;
      this.second = second;
    }

    /** Writes the counts of {@code variant} over {@code window} into {@code out}, as {@link SliRecorder#counts(String, String, Duration, long[])} does. */
    @Override
    public void counts(String variant, Duration window, long[] out) {
      read(seriesOf(byVariant, variant), second, window, out);
    }

    /** The recorder second these windows end at: whole seconds since the recorder was built. */
    @Override
    public long second() {
      return second;
    }

    /**
     * Writes the exact counts of {@code variant}'s calls recorded in seconds {@code fromSecond}
     * (inclusive) to {@code toSecond} (exclusive), both multiples of 10 at most 6 minutes apart and
     * ending at or before the current second's bucket, as {@link #counts} does; nothing is
     * apportioned, so each call is read in exactly one such interval. Zeros for buckets the recorder
     * no longer holds. For readers that consume completed buckets once each, such as the guardian's
     * sequential tests. Allocation-free.
     */
    @Override
    public void countsBetween(String variant, long fromSecond, long toSecond, long[] out) {
      Series s = seriesOf(byVariant, variant);
      Arrays.fill(out, 0);
      if (s != null && toSecond > fromSecond) {
        s.countsWithin(toSecond - 1, toSecond - fromSecond, out);
      }
    }

    /**
     * Like {@link #counts}, but nothing recorded {@code since} ago or earlier counts: until that
     * moment is a bucket longer ago than the window, the window is cut to the whole buckets that lie
     * entirely within both the window and {@code since} (so it may hold up to one bucket less);
     * afterwards this is {@link #counts}. For rollouts judged only on evidence gathered after a
     * reset. Allocation-free.
     */
    @Override
    public void countsSince(String variant, Duration window, Duration since, long[] out) {
      Series.countsSince(seriesOf(byVariant, variant), second, windowSeconds(window), since, out);
    }
  }

  private static long windowSeconds(Duration window) {
    return Series.windowSeconds(window);
  }

  /** The latency histogram of every call of {@code flagKey}'s {@code variant} so far; use {@link LatencyDistribution#since} for a period. */
  public LatencyDistribution latency(String flagKey, String variant) {
    long[] out = new long[LatencyBuckets.COUNT];
    Series s = existing(flagKey, variant);
    if (s != null) {
      s.latencyHistogram(out);
    }
    return new LatencyDistribution(out);
  }

  private Series existing(String flagKey, String variant) {
    return seriesOf(flagKey == null ? null : series.get(flagKey), variant);
  }

  private static Series seriesOf(ConcurrentHashMap<String, Tracked> byVariant, String variant) {
    Tracked t = byVariant == null || variant == null ? null : byVariant.get(variant);
    return t == null ? null : t.series;
  }

  /** The variants with a series, by flag, sorted. */
  public Map<String, Set<String>> series() {
    Map<String, Set<String>> out = new TreeMap<>();
    series.forEach((flag, byVariant) -> {
      if (!byVariant.isEmpty()) {
        out.put(flag, Collections.unmodifiableSet(new TreeSet<>(byVariant.keySet())));
      }
    });
    return Collections.unmodifiableMap(out);
  }

  /** The latency thresholds slow calls are counted against, in the order of {@link WindowCounts#slow(int)}. */
  @Override
  public List<Duration> latencyThresholds() {
    return thresholds;
  }

  /** Outcomes not recorded: unknown flag or variant, or the series cap reached. */
  public long refusedOutcomes() {
    return refused.sum();
  }

  /**
   * Drops the series of flags and variants that {@code stillKnown} no longer accepts, e.g. after a
   * reload. Call it after the {@linkplain Builder#knownVariants filter} has started answering for the
   * new flags: a series created meanwhile is then either dropped here or refused by the filter.
   */
  public void retain(BiPredicate<String, String> stillKnown) {
    for (String flag : series.keySet()) {
      drop(flag, variant -> !stillKnown.test(flag, variant));
    }
  }

  /** Drops the series of {@code flag}'s variants that {@code gone} accepts, under the flag's entry lock. */
  private void drop(String flag, Predicate<String> gone) {
    series.computeIfPresent(flag, (k, byVariant) -> {
      byVariant.values().removeIf(t -> {
        boolean drop = gone.test(t.variant);
        if (drop) {
          t.dropped = true;
          seriesCount.decrementAndGet();
        }
        return drop;
      });
      return byVariant.isEmpty() ? null : byVariant;
    });
  }

  /**
   * A reader of what was recorded since its previous {@link Deltas#collect collect}, series by
   * series, for shipping to a fleet store: each recorded call appears in exactly one collect (as
   * long as collects are less than 6 minutes apart; counts older than the recorder keeps in its
   * 10-second buckets are missed). Not for the evaluation path.
   */
  public Deltas deltas() {
    return new Deltas();
  }

  /** Receives the counts recorded for one flag variant since the previous collect. */
  @FunctionalInterface
  public interface DeltaSink {
    /** @param counts calls at 0, errors at 1, slow against threshold t at 2 + t; reused after the call */
    void accept(String flagKey, String variant, long[] counts);
  }

  /**
   * See {@link #deltas()}. Keeps, per series, the last 10-second bucket it read and the counts it
   * had seen in it; a collect reads that bucket again and every bucket since, and hands on the
   * difference. Not thread-safe: one background thread collects.
   */
  public final class Deltas {
    private final java.util.Map<Tracked, long[]> seen = new java.util.IdentityHashMap<>();
    private final long[] read = new long[2 + thresholdNanos.length];
    private final long[] delta = new long[2 + thresholdNanos.length];

    private Deltas() {}

    /** Hands {@code sink} every series' counts since the previous collect (series without any are skipped). */
    public void collect(DeltaSink sink) {
      long now = second();
      long bucket = Math.floorDiv(now, Series.width(0));
      seen.keySet().removeIf(t -> t.dropped);
      for (ConcurrentHashMap<String, Tracked> byVariant : series.values()) {
        for (Tracked t : byVariant.values()) {
          long[] memo = seen.computeIfAbsent(t, k -> {
            long[] m = new long[1 + read.length];
            m[0] = Long.MIN_VALUE;
            return m;
          });
          Arrays.fill(delta, 0);
          long first = memo[0] == Long.MIN_VALUE ? bucket - Series.ringSlots(0) + 3 : memo[0];
          for (long b = Math.max(first, bucket - Series.ringSlots(0) + 3); b <= bucket; b++) {
            t.series.bucketCounts(b * Series.width(0), read);
            for (int w = 0; w < read.length; w++) {
              long before = b == memo[0] ? memo[1 + w] : 0;
              delta[w] += read[w] - before;
            }
          }
          memo[0] = bucket;
          System.arraycopy(read, 0, memo, 1, read.length);
          if (delta[0] != 0 || delta[1] != 0) {
            sink.accept(t.flagKey, t.variant, delta);
          }
        }
      }
    }
  }

  /**
   * Why a rollout plan's latency objective with {@code threshold} cannot be judged on a recorder that
   * counts slow calls against {@code counted}: the threshold is not one of them, so the guardian
   * would never see a slow call against it; null when it is counted, or when there is no latency
   * objective ({@code threshold} null). One wording for every place that refuses such a plan (a flag
   * file, a plan given to a provider's builder, a flag set handed over whole).
   */
  public static String uncountedLatencyThreshold(Duration threshold, List<Duration> counted) {
    if (threshold == null || counted.contains(threshold)) {
      return null;
    }
    return "latency threshold " + describe(threshold) + " is not one the provider counts slow calls against ("
        + (counted.isEmpty() ? "none" : counted.stream().map(SliRecorder::describe)
            .collect(java.util.stream.Collectors.joining(", ")))
        + "), so the rollout would never be judged on latency: use one of those, or add it with the provider "
        + "builder's latencyThresholds(...)";
  }

  /** {@code 250ms}, or ISO-8601 for a duration that is not a whole number of milliseconds. */
  private static String describe(Duration d) {
    return d.equals(Duration.ofMillis(d.toMillis())) ? d.toMillis() + "ms" : d.toString();
  }

  /** Builds a {@link SliRecorder}. Defaults: system clock, one 300 ms threshold, every variant known, 10,000 series. */
  public static final class Builder {
    private Clock clock = Clock.system();
    private List<Duration> thresholds = List.of(DEFAULT_LATENCY_THRESHOLD);
    private BiPredicate<String, String> knownVariants = (flag, variant) -> true;
    private int maxSeries = DEFAULT_MAX_SERIES;

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Latency thresholds (0 to 3, each positive, all different) that slow calls are counted against. */
    public Builder latencyThresholds(Duration... thresholds) {
      Objects.requireNonNull(thresholds, "thresholds");
      if (thresholds.length > Series.MAX_THRESHOLDS) {
        throw new IllegalArgumentException("at most " + Series.MAX_THRESHOLDS + " latency thresholds, got "
            + Arrays.toString(thresholds));
      }
      for (Duration t : thresholds) {
        if (t == null || t.isNegative() || t.isZero()) {
          throw new IllegalArgumentException("latency thresholds must be positive, got " + t);
        }
      }
      if (new java.util.HashSet<>(Arrays.asList(thresholds)).size() < thresholds.length) {
        throw new IllegalArgumentException("latency thresholds must differ, got " + Arrays.toString(thresholds));
      }
      this.thresholds = List.of(thresholds);
      return this;
    }

    /** Which (flag, variant) pairs may have a series; others are refused. Must not block. */
    public Builder knownVariants(BiPredicate<String, String> filter) {
      this.knownVariants = Objects.requireNonNull(filter, "knownVariants");
      return this;
    }

    /** The most series this recorder keeps; at least 1. */
    public Builder maxSeries(int maxSeries) {
      if (maxSeries < 1) {
        throw new IllegalArgumentException("maxSeries must be at least 1, got " + maxSeries);
      }
      this.maxSeries = maxSeries;
      return this;
    }

    public SliRecorder build() {
      return new SliRecorder(this);
    }
  }
}
