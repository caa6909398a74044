package dev.burnguard.redis;

import dev.burnguard.Fleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fleet-wide error budgets: this replica's journey-SLO counts pushed to Redis per UTC hour, and the
 * fleet's sums read back for the error-budget policy.
 *
 * <p><b>Push</b> (every replica, each tick): the counts recorded since the last tick, per (SLO,
 * hour), join the pending batch; a batch goes out as one budget.lua call with the replica's next
 * sequence number and is re-sent with the same number until Redis acknowledges it, so a batch whose
 * reply was lost is refused as a duplicate and every journey call is counted exactly once
 * fleet-wide (the same scheme as the SLI pushes). Each SLO is one hash, {@code "<hour>:c"} and
 * {@code "<hour>:b"} added to with {@code HINCRBY}; hours older than {@link #KEPT_HOURS} are deleted
 * and the hash expires {@link #KEY_TTL} after its last push.
 *
 * <p><b>Read</b> (every replica, each tick): the hashes of the SLOs this replica counted calls of or
 * the policy asked about ({@link #counts}), whole, in one pipelined round. Until an SLO has been read — or while Redis is
 * unreachable — {@link #counts} answers null and the policy uses this replica's own counts.
 *
 * <p>Concurrency: {@link #push} and {@link #refresh} run on the guardian's thread, one at a time;
 * {@link #counts} may be called from any thread and reads an immutable snapshot.
 */
final class FleetBudgets {
  /** The longest budget period (31 days) and two spare hours, as the local counts keep. */
  static final long KEPT_HOURS = 31 * 24 + 2;
  static final Duration KEY_TTL = Duration.ofHours(KEPT_HOURS + 24);

  private final FleetRedis redis;
  private final Fleet.Local local;
  private final String replica;
  private final Duration sequenceTtl;
  /** Pending counts: SLO key -> hour -> {calls, bad}. Guardian thread only. */
  private final Map<String, Map<Long, long[]>> pending = new LinkedHashMap<>();
  private Batch inFlight;
  private long sequence;
  /** The SLOs asked about, read each tick. */
  private final Set<String> wanted = ConcurrentHashMap.newKeySet();
  /** The fleet's counts as last read: SLO key -> hour -> {calls, bad}; replaced whole. */
  private volatile Map<String, Map<Long, long[]>> fleet = Map.of();
  private volatile String problem;
  /** Test hook: after a push Redis applied, pretend its reply was lost. */
  private volatile java.util.function.LongPredicate loseReply = seq -> false;
  private long duplicates;

  private record Batch(long sequence, Map<String, List<long[]>> entries) {}

  FleetBudgets(FleetRedis redis, Fleet.Local local, String replica, Duration sequenceTtl) {
    this.redis = redis;
    this.local = local;
    this.replica = replica;
    this.sequenceTtl = sequenceTtl;
  }

  /** Collects this tick's journey counts and pushes the pending batch; never throws. */
  void push() {
    local.collectJourneys((slo, hour, calls, bad) -> {
      long[] sums = pending.computeIfAbsent(slo, k -> new HashMap<>()).computeIfAbsent(hour, h -> new long[2]);
      sums[0] += calls;
      sums[1] += bad;
    });
    wanted.addAll(pending.keySet()); // the SLOs this replica counts: read from the next tick on
    try {
      if (inFlight != null) {
        send(inFlight);
      }
      if (inFlight == null && !pending.isEmpty()) {
        Map<String, List<long[]>> entries = new LinkedHashMap<>();
        pending.forEach((slo, hours) -> {
          List<long[]> rows = new ArrayList<>();
          hours.forEach((hour, c) -> rows.add(new long[] {hour, c[0], c[1]}));
          entries.put(slo, rows);
        });
        pending.clear();
        inFlight = new Batch(++sequence, entries);
        send(inFlight);
      }
    } catch (FleetStoreException e) {
      if (e.corrupt()) {
        problem = e.getMessage(); // a budget hash holding another type: kept and re-sent until it is deleted
      }
    }
  }

  private void send(Batch b) {
    boolean applied = redis.pushBudgets(replica, b.sequence(), sequenceTtl, KEPT_HOURS, KEY_TTL, b.entries());
    if (applied && loseReply.test(b.sequence())) {
      throw new FleetStoreException("test: the reply of budget push " + b.sequence() + " was lost", null, false);
    }
    if (!applied) {
      duplicates++;
    }
    inFlight = null;
  }

  /** Reads the fleet's counts of the SLOs asked about; never throws (a failure keeps the last read). */
  void refresh() {
    if (wanted.isEmpty()) {
      return;
    }
    List<String> slos = List.copyOf(wanted);
    List<String> hashKeys = new ArrayList<>(slos.size());
    slos.forEach(slo -> hashKeys.add(redis.keys().budget(slo)));
    try {
      List<Map<String, String>> read = redis.hashes(hashKeys, redis.keys().prefix() + "budget:*");
      Map<String, Map<Long, long[]>> next = new HashMap<>();
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < slos.size(); i++) {
        Map<String, String> fields = read.get(i);
        if (fields == null) {
          problems.add(hashKeys.get(i) + " holds a value Burnguard did not write (not a hash); delete the key");
          continue;
        }
        Map<Long, long[]> hours = new HashMap<>();
        try {
          for (Map.Entry<String, String> f : fields.entrySet()) {
            String field = f.getKey();
            int colon = field.indexOf(':');
            long hour = Long.parseLong(field.substring(0, colon));
            int word = field.endsWith(":c") ? 0 : field.endsWith(":b") ? 1 : -1;
            if (word < 0) {
              throw new NumberFormatException(field);
            }
            hours.computeIfAbsent(hour, h -> new long[2])[word] = Long.parseLong(f.getValue());
          }
          next.put(slos.get(i), hours);
        } catch (RuntimeException bad) {
          problems.add(hashKeys.get(i) + " holds a field Burnguard did not write (" + bad.getMessage()
              + "); delete the key");
        }
      }
      fleet = Map.copyOf(next);
      problem = problems.isEmpty() ? null : String.join("; ", problems);
    } catch (FleetStoreException e) {
      // unreachable: counts() answers from the last read while Redis is back, else null (below)
    }
  }

  /**
   * The fleet's {calls, bad} of an SLO over hours {@code fromHour}..{@code toHour}; null when not
   * read yet (it is read from the next tick on) or while Redis is unreachable.
   */
  long[] counts(String sloKey, long fromHour, long toHour) {
    wanted.add(sloKey);
    Map<Long, long[]> hours = fleet.get(sloKey);
    if (hours == null || redis.unreachableSince() != null) {
      return null;
    }
    long[] out = new long[2];
    hours.forEach((hour, c) -> {
      if (hour >= fromHour && hour <= toHour) {
        out[0] += c[0];
        out[1] += c[1];
      }
    });
    return out;
  }

  /** A budget key holding a value Burnguard did not write, as last found; null when none. */
  String problem() {
    return problem;
  }

  /** Re-sent batches Redis had already applied. */
  long duplicates() {
    return duplicates;
  }

  void loseReplies(java.util.function.LongPredicate lose) {
    this.loseReply = lose;
  }
}
