package dev.burnguard.internal.budget;

import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.ErrorBudgetPolicy.ServiceSlo;
import dev.burnguard.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Exact counts of calls and bad calls per UTC hour for every declared journey SLO: what an SLO's
 * error budget is computed from.
 *
 * <p><b>Concurrency.</b> Recording is lock-free, allocation-free and never throws: the journey is
 * looked up in an immutable map (replaced whole when the SLOs change), then each of its SLOs adds to
 * one of a few stripes (picked by thread id) of a ring of hourly slots. A slot is one word holding
 * the hour it counts (24 bits) and the count (40 bits), updated by compare-and-set, so a slot is
 * never reset under a writer: the first call of a new hour swaps the old hour's word for the new
 * one. A call that races the hour boundary on a slow thread and finds its slot already holding a
 * later hour is counted in that later hour. The ring holds 31 days and 2 hours, the longest budget
 * period with room to spare; older hours are overwritten. Readers sum the stripes of the hours they
 * read and see every call whose recording finished before the read began.
 *
 * <p>When the SLOs change ({@link #declare}), the counts of an SLO whose name, journey and kind
 * (availability, or latency with the same threshold) are unchanged are kept; the others start empty.
 */
public final class JourneyCounts {
  /** Hourly slots per ring: the longest period (31 days) and two spare hours. */
  static final int HOURS = 31 * 24 + 2;
  private static final int STRIPES = 4;
  private static final int COUNT_BITS = 40;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
  private static final long TAG_MASK = (1L << (64 - COUNT_BITS)) - 1;
  private static final long MILLIS_PER_HOUR = 3_600_000L;

  private final Clock clock;
  private volatile Table table = new Table(Map.of(), Map.of());

  public JourneyCounts(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The counts of one SLO: calls and bad calls, hourly, striped. */
  static final class SloCounts {
    final ServiceSlo slo;
    final String key;
    final long thresholdNanos; // Long.MAX_VALUE for availability: no latency is bad
    final boolean availability;
    final AtomicLongArray calls = new AtomicLongArray(STRIPES * HOURS);
    final AtomicLongArray bad = new AtomicLongArray(STRIPES * HOURS);

    SloCounts(ServiceSlo slo) {
      this.slo = slo;
      this.key = key(slo);
      this.availability = slo.latencyThreshold() == null;
      this.thresholdNanos = availability ? Long.MAX_VALUE : slo.latencyThreshold().toNanos();
    }
  }

  /** What identifies an SLO's counts: its name, journey and what makes a call bad. */
  static String key(ServiceSlo slo) {
    return slo.name() + "|" + slo.journey() + "|"
        + (slo.latencyThreshold() == null ? "availability" : "latency>" + slo.latencyThreshold().toNanos() + "ns");
  }

  private static final class Table {
    final Map<String, SloCounts[]> byJourney;
    final Map<String, SloCounts> byName;

    Table(Map<String, SloCounts[]> byJourney, Map<String, SloCounts> byName) {
      this.byJourney = byJourney;
      this.byName = byName;
    }
  }

  /** Counts the SLOs of {@code policy} (none for null), keeping the counts of unchanged ones. */
  public synchronized void declare(ErrorBudgetPolicy policy) {
    Map<String, SloCounts> byName = new LinkedHashMap<>();
    Map<String, List<SloCounts>> byJourney = new HashMap<>();
    if (policy != null) {
      for (ServiceSlo slo : policy.slos().values()) {
        SloCounts old = table.byName.get(slo.name());
        SloCounts counts = old != null && old.key.equals(key(slo)) ? old : new SloCounts(slo);
        byName.put(slo.name(), counts);
        byJourney.computeIfAbsent(slo.journey(), j -> new ArrayList<>()).add(counts);
      }
    }
    Map<String, SloCounts[]> journeys = new HashMap<>();
    byJourney.forEach((j, list) -> journeys.put(j, list.toArray(new SloCounts[0])));
    table = new Table(Map.copyOf(journeys), java.util.Collections.unmodifiableMap(byName));
  }

  /**
   * Records one call of {@code journey}: counted by every SLO declared over it, in the current hour;
   * a journey without SLOs is ignored. Never throws, blocks or allocates.
   *
   * @param latencyNanos how long it took (negative counts as 0)
   * @param failed whether it failed
   */
  public void record(String journey, long latencyNanos, boolean failed) {
    if (journey == null) {
      return;
    }
    SloCounts[] slos = table.byJourney.get(journey);
    if (slos == null) {
      return;
    }
    long hour = Math.floorDiv(clock.wallMillis(), MILLIS_PER_HOUR);
    int slot = (int) Math.floorMod(hour, (long) HOURS) + HOURS * (int) (Thread.currentThread().getId() & (STRIPES - 1));
    for (SloCounts c : slos) {
      add(c.calls, slot, hour, 1);
      if (c.availability ? failed : latencyNanos > c.thresholdNanos) {
        add(c.bad, slot, hour, 1);
      }
    }
  }

  /** Adds {@code n} to {@code hour}'s count in word {@code i}, taking the slot over from an older hour. */
  private static void add(AtomicLongArray words, int i, long hour, long n) {
    long tag = hour & TAG_MASK;
    for (;;) {
      long w = words.get(i);
      long held = w >>> COUNT_BITS;
      long next;
      if (held == tag || (w != 0 && ((held - tag) & TAG_MASK) < (TAG_MASK >>> 1))) {
        next = w + n; // this hour, or a later one (a call that raced the boundary)
      } else {
        next = (tag << COUNT_BITS) | n; // an older hour: this slot is now the current hour's
      }
      if (words.compareAndSet(i, w, next)) {
        return;
      }
    }
  }

  private static long read(AtomicLongArray words, long hour) {
    int slot = (int) Math.floorMod(hour, (long) HOURS);
    long tag = hour & TAG_MASK;
    long sum = 0;
    for (int s = 0; s < STRIPES; s++) {
      long w = words.get(slot + s * HOURS);
      if (w >>> COUNT_BITS == tag) {
        sum += w & COUNT_MASK;
      }
    }
    return sum;
  }

  /**
   * {@code sloName}'s calls and bad calls in hours {@code fromHour} to {@code toHour} inclusive
   * (hours since the epoch, UTC; at most the ring's 31 days back): {@code {calls, bad}}, zeros for
   * an SLO not declared.
   */
  public long[] counts(String sloName, long fromHour, long toHour) {
    SloCounts c = table.byName.get(sloName);
    long[] out = new long[2];
    if (c == null) {
      return out;
    }
    for (long h = Math.max(fromHour, toHour - HOURS + 2); h <= toHour; h++) {
      out[0] += read(c.calls, h);
      out[1] += read(c.bad, h);
    }
    return out;
  }

  /**
   * Every non-empty hour of the last 31 days, by SLO key ({@link #key}): {@code {hour, calls,
   * bad}} rows, oldest first. For persisting.
   */
  public Map<String, List<long[]>> hourly(long nowHour) {
    Map<String, List<long[]>> out = new LinkedHashMap<>();
    for (SloCounts c : table.byName.values()) {
      List<long[]> rows = new ArrayList<>();
      for (long h = nowHour - HOURS + 2; h <= nowHour; h++) {
        long calls = read(c.calls, h);
        long bad = read(c.bad, h);
        if (calls != 0 || bad != 0) {
          rows.add(new long[] {h, calls, bad});
        }
      }
      out.put(c.key, rows);
    }
    return out;
  }

  /**
   * Adds persisted hourly counts ({@link #hourly} rows by SLO key) to the declared SLOs with those
   * keys; rows of other keys, or older than the ring, are dropped.
   */
  public void restore(Map<String, List<long[]>> hourly, long nowHour) {
    for (SloCounts c : table.byName.values()) {
      for (long[] row : hourly.getOrDefault(c.key, List.of())) {
        if (row[0] > nowHour - HOURS + 1 && row[0] <= nowHour) {
          int slot = (int) Math.floorMod(row[0], (long) HOURS);
          add(c.calls, slot, row[0], row[1]);
          add(c.bad, slot, row[0], row[2]);
        }
      }
    }
  }

  /** The keys ({@link #key}) of the SLOs declared. */
  public java.util.Set<String> keys() {
    java.util.Set<String> keys = new java.util.LinkedHashSet<>();
    table.byName.values().forEach(c -> keys.add(c.key));
    return keys;
  }

  /** The wall time by this counter's clock. */
  public long wallMillis() {
    return clock.wallMillis();
  }

  /** The current hour by this counter's clock. */
  public long currentHour() {
    return Math.floorDiv(clock.wallMillis(), MILLIS_PER_HOUR);
  }
}
