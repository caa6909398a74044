package dev.burnguard.redis;

import dev.burnguard.internal.sli.Series;
import dev.burnguard.internal.recorder.SliMirror;
import dev.burnguard.outcome.Outcomes.SliSource;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * Fleet-wide SLI windows: this replica's outcomes pushed to Redis, and the fleet's sums read back.
 *
 * <p><b>Push</b> (every replica, each tick): the outcomes recorded locally since the last tick,
 * per (flag, variant), are attributed to the second before the tick
 * and added to the pending batch; pending deltas of seconds more than {@link #LATE} ago (kept
 * while Redis was unreachable) are merged into the newest second, so the pending batch holds at
 * most {@code LATE} + 1 seconds per series however long Redis is away: nothing is dropped, late
 * counts are counted when they arrive. A batch goes out as one push.lua call (one round trip) with
 * the replica's next sequence number; until Redis acknowledges it, the same batch (same number) is
 * sent again every tick, and a batch whose first attempt did arrive is then refused as a
 * duplicate, so every recorded call is counted exactly once fleet-wide.
 *
 * <p><b>Read</b> (the decider, each tick): every series any replica pushed is read into a
 * {@link SliMirror} — all ring slots on the first read and every {@link #FULL_READ_EVERY} ticks,
 * otherwise the slots of the current and previous {@link #RECENT_BUCKETS} buckets of each
 * resolution, all in one pipelined round — and the guardian judges the mirror with the local
 * recorder's window arithmetic. The decider then publishes the recent slots it read (one string,
 * {@code burnguard:{svc}:sums}, expiring one lease after it is written, by Redis' clock: a decider
 * that stops publishing has lost its lease by then too).
 *
 * <p><b>Follow</b> (every other replica, each tick): one {@code GET} of that publication, whose
 * slots are set into the mirror exactly as the decider's own read sets them, so a follower's
 * windows are the ones the decider judged at its last tick. A follower reads the rings itself —
 * all slots — when it starts, after Redis was unreachable and every {@link #FULL_READ_EVERY}
 * ticks (which is what repairs buckets changed by very late pushes, as on the decider), and reads
 * the recent slots itself when there is no publication (the decider stopped: it expired) or it is
 * not readable. While Redis is unreachable (or before the first read) the guardian judges the
 * local recorder.
 *
 * <p>Concurrency: {@link #push} and {@link #refresh} run on the guardian's thread (one at a time);
 * the mirror is read by the guardian on the same thread and is safe for other readers.
 */
final class FleetSli implements SliSource {
  /** Seconds a pending delta keeps its own second; older ones are counted in the newest second. */
  static final long LATE = 10;
  /** Buckets of each resolution re-read on an incremental read: clock skew up to this many finest buckets. */
  static final int RECENT_BUCKETS = 3;
  static final int FULL_READ_EVERY = 60;
  private static final String PUBLISHED_FORMAT = "burnguard-sums/1";

  private final FleetRedis redis;
  private final Clock clock;
  private final SliSource local;
  private final dev.burnguard.Fleet.Local outcomes;
  private final SliMirror mirror;
  private final String replica;
  private final String instanceId;
  private final int words;
  private final Duration sequenceTtl;
  private final Duration publishedTtl;

  /** Pending deltas: series key -> second -> counters. Guardian thread only. */
  private final Map<SeriesKey, Map<Long, long[]>> pending = new LinkedHashMap<>();
  /** The batch sent and not acknowledged: its sequence number and arguments; null when none. */
  private Batch inFlight;
  private long sequence;
  private long refreshes;
  private long published;
  /** The header of the last publication this follower took; its slots are in the mirror. */
  private String followed;
  /** Reads of the rings this replica made itself, and publications it took (tests, sizing). */
  private final AtomicLong ownReads = new AtomicLong();
  private final AtomicLong followedReads = new AtomicLong();
  private volatile boolean mirrorReady;
  /** Set when the mirror may have missed pushes (leadership just taken, Redis back): the next read is full. */
  private boolean readAll = true;
  private final AtomicLong pushedCalls = new AtomicLong();
  private final AtomicLong droppedCalls = new AtomicLong();
  private final AtomicLong duplicateBatches = new AtomicLong();
  /** Keys of ours holding values we did not write, as the last push and the last read found them; null when none. */
  private volatile String pushProblem;
  private volatile String readProblem;
  /** Test hook: after a push that Redis applied, pretend its reply was lost (a timeout) when this says so. */
  private volatile LongPredicate loseReply = seq -> false;

  private record SeriesKey(String flagKey, String variant) {}

  private record Batch(long sequence, List<String> ringKeys, List<String> entries, long calls) {}

  /**
   * @param replica this incarnation's id: its push sequence key, and the lease holder id
   * @param instanceId the instance whose recent calls the pushes add to (dashboards)
   */
  FleetSli(FleetRedis redis, Clock clock, dev.burnguard.Fleet.Local outcomes, String replica, String instanceId,
      Duration sequenceTtl) {
    this(redis, clock, outcomes, replica, instanceId, sequenceTtl, RedisFleet.DEFAULT_LEASE);
  }

  /** @param publishedTtl how long the decider's publication of its read lives (the lease) */
  FleetSli(FleetRedis redis, Clock clock, dev.burnguard.Fleet.Local outcomes, String replica, String instanceId,
      Duration sequenceTtl, Duration publishedTtl) {
    this.publishedTtl = publishedTtl;
    this.redis = redis;
    this.instanceId = instanceId;
    this.clock = clock;
    this.outcomes = outcomes;
    this.local = outcomes.windows();
    this.mirror = new SliMirror(clock, local.latencyThresholds());
    this.words = mirror.words();
    this.replica = replica;
    this.sequenceTtl = sequenceTtl;
  }

  // ------------------------------------------------------------------------------------ push

  /** Collects this tick's deltas and pushes the pending batch; never throws (Redis down: kept for the next tick). */
  void push() {
    long second = Math.floorDiv(clock.wallMillis(), 1000) - 1;
    outcomes.collect((flag, variant, counts) -> {
      long[] sums = pending.computeIfAbsent(new SeriesKey(flag, variant), k -> new LinkedHashMap<>())
          .computeIfAbsent(second, s -> new long[words]);
      for (int w = 0; w < words; w++) {
        sums[w] += counts[w];
      }
    });
    try {
      if (inFlight != null) {
        send(inFlight);
      }
      if (inFlight == null && !pending.isEmpty()) {
        inFlight = batch(second);
        send(inFlight);
      }
    } catch (FleetStoreException e) {
      // unreachable: the batch stays in flight, the pending deltas keep accumulating (merged when late)
    }
  }

  private Batch batch(long second) {
    List<String> ringKeys = new ArrayList<>();
    List<String> entries = new ArrayList<>();
    long calls = 0;
    for (Map.Entry<SeriesKey, Map<Long, long[]>> e : pending.entrySet()) {
      Map<Long, long[]> bySecond = e.getValue();
      // late seconds (kept while Redis was away) count in the newest second
      long[] late = null;
      for (var it = bySecond.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Long, long[]> s = it.next();
        if (s.getKey() < second - LATE) {
          late = late == null ? new long[words] : late;
          for (int w = 0; w < words; w++) {
            late[w] += s.getValue()[w];
          }
          it.remove();
        }
      }
      if (late != null) {
        long[] sums = bySecond.computeIfAbsent(second, s -> new long[words]);
        for (int w = 0; w < words; w++) {
          sums[w] += late[w];
        }
      }
      for (Map.Entry<Long, long[]> s : bySecond.entrySet()) {
        for (int r = 0; r < Series.RESOLUTIONS; r++) {
          ringKeys.add(redis.keys().ring(r, e.getKey().flagKey(), e.getKey().variant()));
        }
        entries.add(Long.toString(s.getKey()));
        for (long c : s.getValue()) {
          entries.add(Long.toString(c));
        }
        calls += s.getValue()[0];
      }
    }
    pending.clear();
    return new Batch(++sequence, ringKeys, entries, calls);
  }

  private void send(Batch b) {
    FleetRedis.PushResult r = redis.push(replica, b.sequence(), sequenceTtl, words, b.ringKeys(), b.entries(),
        instanceId, replica, Math.floorDiv(clock.wallMillis(), 60_000));
    if (r.applied() && loseReply.test(b.sequence())) {
      throw new FleetStoreException("test: the reply of push " + b.sequence() + " was lost", null, false);
    }
    if (r.applied()) {
      pushedCalls.addAndGet(b.calls() - r.droppedCalls());
      droppedCalls.addAndGet(r.droppedCalls());
      pushProblem = r.badKeys().isEmpty() ? null : String.join(", ", new java.util.TreeSet<>(r.badKeys()))
          + " hold(s) a value Burnguard did not write (not a hash): their calls are dropped (counted), the other "
          + "series are pushed; delete the key(s)";
    } else {
      duplicateBatches.incrementAndGet();
    }
    inFlight = null;
  }

  /** Calls this replica pushed and Redis acknowledged. */
  long pushedCalls() {
    return pushedCalls.get();
  }

  /** Calls Redis could not place: older than the ring slot their second maps to (a clock far behind). */
  long droppedCalls() {
    return droppedCalls.get();
  }

  /** Retried batches that Redis had already applied (their reply was lost). */
  long duplicateBatches() {
    return duplicateBatches.get();
  }

  /** Calls recorded but not yet acknowledged by Redis (pending or in flight). */
  long unpushedCalls() {
    long calls = inFlight == null ? 0 : inFlight.calls();
    for (Map<Long, long[]> bySecond : pending.values()) {
      for (long[] c : bySecond.values()) {
        calls += c[0];
      }
    }
    return calls;
  }

  void loseReplies(LongPredicate lose) {
    this.loseReply = lose;
  }

  // ------------------------------------------------------------------------------------ read

  /** Reads the fleet's sums into the mirror from the rings themselves (tests, and the decider); never throws. */
  void refresh() {
    read(false);
  }

  /** The decider's read: the rings, then the recent slots published for the followers; never throws. */
  void refreshAndPublish() {
    read(true);
  }

  /**
   * A follower's read: the decider's publication, or the rings themselves when a full read is due
   * or there is no readable publication; never throws.
   */
  void follow() {
    boolean full = refreshes % FULL_READ_EVERY == 0 || !mirrorReady || readAll;
    if (full) {
      read(false);
      return;
    }
    try {
      String text = redis.sums();
      if (text != null && take(text)) {
        refreshes++;
        followedReads.incrementAndGet();
        return;
      }
    } catch (FleetStoreException e) {
      if (!e.corrupt()) {
        return; // unreachable: the guardian judges the local recorder meanwhile
      }
    }
    read(false); // no publication (the decider stopped) or one this replica cannot read: read the rings
  }

  private void read(boolean publish) {
    try {
      boolean full = refreshes++ % FULL_READ_EVERY == 0 || !mirrorReady || readAll;
      ownReads.incrementAndGet();
      List<String> series = redis.series();
      List<String> ringKeys = new ArrayList<>();
      List<String[]> names = new ArrayList<>();
      for (String firstRing : series) {
        String[] fv = flagAndVariant(firstRing);
        if (fv == null) {
          continue;
        }
        names.add(fv);
        for (int r = 0; r < Series.RESOLUTIONS; r++) {
          ringKeys.add(redis.keys().ring(r, fv[0], fv[1]));
        }
      }
      long now = Math.floorDiv(clock.wallMillis(), 1000);
      // the slots of the current and previous RECENT_BUCKETS buckets of each resolution
      List<List<String>> recent = new ArrayList<>(Series.RESOLUTIONS);
      for (int r = 0; r < Series.RESOLUTIONS; r++) {
        long current = Math.floorDiv(now, Series.width(r));
        List<String> f = new ArrayList<>(RECENT_BUCKETS + 1);
        for (long b = current - RECENT_BUCKETS; b <= current; b++) {
          f.add(Long.toString(Math.floorMod(b, (long) Series.ringSlots(r))));
        }
        recent.add(f);
      }
      List<Map<String, String>> rings;
      if (full) {
        rings = redis.rings(ringKeys);
      } else {
        List<List<String>> fields = new ArrayList<>(ringKeys.size());
        for (int i = 0; i < ringKeys.size(); i++) {
          fields.add(recent.get(i % Series.RESOLUTIONS));
        }
        rings = redis.ringSlots(ringKeys, fields);
      }
      long[] counts = new long[words];
      java.util.Set<String> problems = new java.util.TreeSet<>();
      StringBuilder publication = publish ? new StringBuilder(64 + ringKeys.size() * 64) : null;
      for (int i = 0; i < ringKeys.size(); i++) {
        String[] fv = names.get(i / Series.RESOLUTIONS);
        int r = i % Series.RESOLUTIONS;
        if (rings.get(i) == null) {
          problems.add(ringKeys.get(i) + " holds a value Burnguard did not write (not a hash); delete the key");
          continue;
        }
        int slotsOut = 0;
        for (Map.Entry<String, String> slot : rings.get(i).entrySet()) {
          try {
            long bucket = parseSlot(ringKeys.get(i), slot.getKey(), slot.getValue(), counts);
            mirror.set(fv[0], fv[1], r, bucket, counts);
            if (publish && recent.get(r).contains(slot.getKey())) {
              if (slotsOut++ == 0) {
                publication.append(' ').append(r).append(' ');
                lengthPrefixed(publication, fv[0]);
                publication.append(' ');
                lengthPrefixed(publication, fv[1]);
              }
              publication.append(' ').append(slot.getKey()).append('=').append(slot.getValue());
            }
          } catch (FleetStoreException bad) {
            problems.add(bad.getMessage()); // this slot left out; the series' other slots and series are read
          }
        }
        if (slotsOut > 0) {
          publication.append(" ;");
        }
      }
      readProblem = problems.isEmpty() ? null : String.join("; ", problems);
      mirrorReady = true;
      readAll = false;
      if (publish) {
        StringBuilder head = new StringBuilder(PUBLISHED_FORMAT).append(' ');
        lengthPrefixed(head, replica + "#" + ++published);
        head.append(' ');
        lengthPrefixed(head, readProblem == null ? "" : readProblem);
        try {
          redis.publishSums(head.append(publication).toString(), publishedTtl);
        } catch (FleetStoreException e) {
          // the followers read the rings themselves until a publication arrives
        }
      }
    } catch (FleetStoreException e) {
      // unreachable (or a key of ours holding another type): the guardian judges the local recorder meanwhile
      if (e.corrupt()) {
        readProblem = e.getMessage();
        mirrorReady = false;
      }
    }
  }

  private static void lengthPrefixed(StringBuilder out, String s) {
    out.append(s.length()).append(':').append(s);
  }

  /**
   * Sets the slots of a decider's publication into the mirror; false when it is not one (written by
   * hand, another format): the caller reads the rings instead.
   */
  private boolean take(String text) {
    Parser p = new Parser(text);
    try {
      if (!PUBLISHED_FORMAT.equals(p.word())) {
        return false;
      }
      String header = p.string();
      String problem = p.string();
      if (header.equals(followed)) {
        return true; // the decider has not read since: the mirror holds it already
      }
      long[] counts = new long[words];
      while (p.more()) {
        int r = Integer.parseInt(p.word());
        String flag = p.string();
        String variant = p.string();
        if (r < 0 || r >= Series.RESOLUTIONS) {
          return false;
        }
        for (String slot = p.word(); !slot.equals(";"); slot = p.word()) {
          int eq = slot.indexOf('=');
          long bucket = parseSlot(redis.keys().ring(r, flag, variant), slot.substring(0, eq), slot.substring(eq + 1),
              counts);
          mirror.set(flag, variant, r, bucket, counts);
        }
      }
      readProblem = problem.isEmpty() ? null : problem;
      followed = header;
      return true;
    } catch (RuntimeException e) {
      return false; // unreadable: the rings are read instead (slots already set are the decider's, as read)
    }
  }

  /** Reads the publication's tokens: words separated by one space, and length-prefixed strings. */
  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    boolean more() {
      return at < text.length();
    }

    String word() {
      int end = text.indexOf(' ', at);
      end = end < 0 ? text.length() : end;
      String w = text.substring(at, end);
      at = Math.min(text.length(), end + 1);
      return w;
    }

    String string() {
      int colon = text.indexOf(':', at);
      int length = Integer.parseInt(text.substring(at, colon));
      String s = text.substring(colon + 1, colon + 1 + length);
      at = colon + 1 + length;
      if (at < text.length()) {
        if (text.charAt(at) != ' ') {
          throw new IllegalArgumentException("no space after a string at " + at);
        }
        at++;
      }
      return s;
    }
  }

  /** Reads of the rings this replica made itself (full or recent slots). */
  long ownReads() {
    return ownReads.get();
  }

  /** Ticks at which this replica took the decider's publication instead of reading the rings. */
  long followedReads() {
    return followedReads.get();
  }

  /** Keys of ours holding values Burnguard did not write, as the last push and read found them; null when none. */
  String problem() {
    String push = pushProblem;
    String read = readProblem;
    return push == null ? read : read == null ? push : push + "; " + read;
  }

  /** The next {@link #refresh} reads every slot (call when leadership starts or Redis is back). */
  void readAllNext() {
    readAll = true;
  }

  /** "bucket:c1:c2:..." of ring {@code key}; a value we did not write is an error naming the key and slot. */
  private long parseSlot(String key, String slot, String value, long[] counts) {
    String[] parts = value.split(":");
    if (parts.length != words + 1) {
      throw new FleetStoreException(key + " slot " + slot + " holds \"" + value + "\", not bucket:" + words
          + " counts (the fleet's replicas must count the same latency thresholds); delete the key", null, true);
    }
    try {
      for (int w = 0; w < words; w++) {
        counts[w] = Long.parseLong(parts[w + 1]);
      }
      return Long.parseLong(parts[0]);
    } catch (NumberFormatException e) {
      throw new FleetStoreException(key + " slot " + slot + " holds \"" + value + "\", not whole numbers; delete the "
          + "key", null, true);
    }
  }

  /** The flag and variant of a first-ring key "prefix sli:0:len:flag:variant", or null. */
  private String[] flagAndVariant(String ringKey) {
    String head = redis.keys().prefix() + "sli:0:";
    if (!ringKey.startsWith(head)) {
      return null;
    }
    int colon = ringKey.indexOf(':', head.length());
    try {
      int len = Integer.parseInt(ringKey.substring(head.length(), colon));
      String flag = ringKey.substring(colon + 1, colon + 1 + len);
      String variant = ringKey.substring(colon + 2 + len);
      return new String[] {flag, variant};
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------------ SliSource

  @Override
  public FlagWindows windows(String flagKey) {
    return mirrorReady && redis.unreachableSince() == null ? mirror.windows(flagKey) : local.windows(flagKey);
  }

  /** Whether {@link #windows} reads the fleet's sums now (false: the local recorder). */
  boolean fleetWide() {
    return mirrorReady && redis.unreachableSince() == null;
  }

  @Override
  public List<Duration> latencyThresholds() {
    return local.latencyThresholds();
  }

  /** The fleet-wide windows even when they would not be judged (tests, dashboards). */
  SliMirror mirror() {
    return mirror;
  }
}
