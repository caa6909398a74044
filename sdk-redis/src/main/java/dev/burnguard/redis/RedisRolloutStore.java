package dev.burnguard.redis;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.store.RolloutJson;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import dev.burnguard.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RolloutStore} of a fleet on Redis: every replica's guardian records its decisions here
 * with a compare-and-set on the version (cas.lua: the check, the state, the decision's entry in the
 * flag's capped stream and the change notification are one atomic script), so the fleet records
 * exactly one decision per version whoever decides.
 *
 * <p><b>Reads never wait for Redis.</b> {@link #load()} and {@link #decisions} answer from a local
 * copy of the states and recent decisions, kept current by this replica's own writes, by change
 * notifications (pub/sub, applied on the notification thread within a round trip) and by a poll of
 * every state each {@link #sync()} (the fallback when a notification is lost).
 *
 * <p><b>Redis unreachable.</b> While the last command failed, {@link #compareAndAppend} does not
 * try Redis: it accepts, as {@link Appended.Outcome#QUEUED}, only decisions that do not raise the
 * candidate's exposure (start at the first stage, shrink, roll back, pause, a plan change that
 * does not raise it) and keeps them in order per flag; it refuses the others (advance, promote,
 * resume, reset) with the reason. {@link #sync()} probes Redis every tick and, once it answers,
 * merges what was kept, safety-first:
 *
 * <table>
 * <caption>Merge of decisions kept while Redis was unreachable</caption>
 * <tr><th>the fleet's state now</th><th>kept locally</th><th>result</th></tr>
 * <tr><td>unchanged since the first kept decision</td><td>any</td><td>the kept decisions are
 * compare-and-set in order: the fleet takes them</td></tr>
 * <tr><td>missing (Redis lost its data)</td><td>any</td><td>the state they were made on is
 * re-seeded, then as above</td></tr>
 * <tr><td>rolled back</td><td>any</td><td>the fleet's rollback stands; the replica takes it</td></tr>
 * <tr><td>changed, not rolled back, same candidate</td><td>a rollback</td><td>a ROLLBACK on top of
 * the fleet's state, with the kept decision's actor, reason and evidence: a rollback anywhere is the
 * fleet's rollback</td></tr>
 * <tr><td>changed otherwise</td><td>no rollback</td><td>the fleet's state stands (its decider
 * judges the fleet-wide windows again); the kept shrink is logged as superseded</td></tr>
 * </table>
 *
 * <p><b>Redis lost its data</b> (restart without persistence, FLUSHALL, failover to a stale
 * replica): a poll that finds a flag missing or at a lower version than this replica knows
 * re-seeds it (seed.lua writes only over nothing or a lower version, so the highest version any
 * replica knew wins; a rollback is a version like any other and is never forgotten), and a
 * compare-and-set that finds its flag missing re-seeds the state it was made on and tries again.
 *
 * <p>Concurrency: writes ({@code compareAndAppend}, {@code forget}, {@code sync}) are serialized on
 * this store; the local copy is concurrent maps of immutable values, read without locks. Change
 * listeners are called from the notification executor or the syncing thread, never under this
 * store's lock.
 */
final class RedisRolloutStore implements RolloutStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRolloutStore.class);

  private final FleetRedis redis;
  private final Clock clock;
  private final int decisionLogLength;
  private final int recentDecisions;
  private final Executor notifications;
  private final ConcurrentHashMap<String, RolloutState> states = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<Decision>> recent = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  /** Decisions accepted while Redis was unreachable, per flag in order; guarded by this. */
  private final Map<String, List<Decision>> kept = new LinkedHashMap<>();
  /** A key of ours holding a value we did not write, as last seen; null when none. */
  private volatile String corruption;
  private volatile Instant corruptSince;
  /** Other problems of the fleet's keys to report in {@link #health()} (the SLI rings'); null when none. */
  private volatile java.util.function.Supplier<String> otherProblems = () -> null;
  /**
   * Whether this replica has read the fleet's states at least once. Until it has (it started while
   * Redis was unreachable), a rollout it has no state for is held at exposure 0 — the control is
   * served — instead of starting at its first stage, since the fleet may have it at a later stage or
   * rolled back; see {@link #holdUntilKnown}.
   */
  private volatile boolean fleetKnown;
  /** The START decisions held while the fleet's states are unknown, by flag; guarded by this. */
  private final Map<String, Decision> heldStarts = new LinkedHashMap<>();
  /** Decision streams whose newest entry Burnguard did not write, by flag: the message, until a later entry reads. */
  private final Map<String, String> badStreams = new ConcurrentHashMap<>();
  private volatile boolean closed;

  RedisRolloutStore(FleetRedis redis, Clock clock, int decisionLogLength, int recentDecisions, Executor notifications) {
    this.redis = redis;
    this.clock = clock;
    this.decisionLogLength = decisionLogLength;
    this.recentDecisions = recentDecisions;
    this.notifications = notifications;
  }

  // ------------------------------------------------------------------------------------ reads

  @Override
  public StoredRollouts load() {
    return new StoredRollouts(Map.copyOf(states), Map.copyOf(recent));
  }

  @Override
  public List<Decision> decisions(String flagKey, int max) {
    List<Decision> all = recent.getOrDefault(flagKey, List.of());
    return all.subList(Math.max(0, all.size() - Math.max(0, max)), all.size());
  }

  @Override
  public AutoCloseable onChange(Consumer<String> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  @Override
  public StoreHealth health() {
    Instant since = redis.unreachableSince();
    int pending;
    synchronized (kept) {
      pending = kept.values().stream().mapToInt(List::size).sum();
    }
    if (!fleetKnown) {
      return new StoreHealth(false, "fleet state unknown: Redis has not answered since this replica started"
          + (since == null ? "" : " (unreachable since " + since + ": " + redis.lastError() + ")")
          + "; its rollouts serve their control (exposure 0) until it does", since, pending, 0);
    }
    if (since != null) {
      return new StoreHealth(false, "fleet store unreachable since " + since + ": " + redis.lastError(), since,
          pending, 0);
    }
    String corrupt = corruption;
    String other = otherProblems.get();
    if (corrupt != null || other != null) {
      return new StoreHealth(false, corrupt == null ? other : other == null ? corrupt : corrupt + "; " + other,
          corruptSince != null ? corruptSince : Instant.ofEpochMilli(clock.wallMillis()), pending, 0);
    }
    return pending == 0 ? StoreHealth.ok() : new StoreHealth(false, "decisions made while the fleet store was "
        + "unreachable are not merged yet", Instant.ofEpochMilli(clock.wallMillis()), pending, 0);
  }

  // ------------------------------------------------------------------------------------ writes

  @Override
  public boolean append(Decision decision) {
    return compareAndAppend(decision).recorded();
  }

  @Override
  public Appended compareAndAppend(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    checkFlag(decision);
    if (closed) {
      throw new IllegalStateException("the fleet store " + this + " is closed");
    }
    Appended result;
    synchronized (this) {
      result = !fleetKnown ? holdUntilKnown(decision)
          : redis.unreachableSince() != null || hasKept(decision.flagKey()) ? keepLocally(decision)
          : casOrKeep(decision);
    }
    return result;
  }

  /** Also reports {@code problems} (e.g. the SLI rings' bad keys) in {@link #health()}. */
  void alsoReport(java.util.function.Supplier<String> problems) {
    this.otherProblems = Objects.requireNonNull(problems, "problems");
  }

  /**
   * The fleet's states are unknown (Redis has not answered since this replica started): a rollout
   * this replica would start is held instead — the guardian takes, as the stored state, the START
   * paused at stage 0 with exposure 0, so the control is served — and every other decision is
   * refused. The first poll that answers takes the fleet's states; a held rollout the fleet does not
   * have is then started for real ({@link #startHeld}). Under this.
   */
  private Appended holdUntilKnown(Decision d) {
    if (d.before() == null && d.action() == DecisionAction.START) {
      heldStarts.put(d.flagKey(), d);
      RolloutState start = d.after();
      return Appended.conflict(new RolloutState(d.flagKey(), start.planFingerprint(), RolloutStatus.PAUSED, 0, 0.0,
          0, start.stageStartedAt(), null, start.status(), -1));
    }
    return Appended.refused("fleet state unknown: Redis has not answered since this replica started ("
        + redis.lastError() + "); until it does, its rollouts serve their control and no decision is taken");
  }

  /** After the first poll that answered: starts the held rollouts the fleet has no state for. Under this. */
  private void startHeld(List<String> changed) {
    for (Decision d : List.copyOf(heldStarts.values())) {
      heldStarts.remove(d.flagKey());
      if (states.containsKey(d.flagKey())) {
        continue; // the fleet's state was taken by the poll
      }
      Instant now = Instant.ofEpochMilli(clock.wallMillis());
      RolloutState a = d.after();
      RolloutState after = new RolloutState(a.flagKey(), a.planFingerprint(), a.status(), a.stage(), a.exposure(),
          a.shrinks(), now, a.until(), a.pausedStatus(), a.version());
      Appended r = cas(new Decision(d.flagKey(), now, d.action(), d.actor(), d.applied(), d.reason()
          + " (held at exposure 0 until the fleet store answered)", d.evidence(), null, after));
      LOG.info("Fleet store {}: flag {} has no state in the fleet; {}", redis.redactedUri(), d.flagKey(),
          r.recorded() ? "its rollout starts now" : "another replica started it meanwhile");
      changed.add(d.flagKey());
    }
  }

  private boolean hasKept(String flagKey) {
    synchronized (kept) {
      return kept.containsKey(flagKey);
    }
  }

  /** The compare-and-set; Redis lost the flag → re-seed the state the decision was made on, once. Under this. */
  private Appended casOrKeep(Decision d) {
    try {
      Appended a = cas(d);
      if (a.outcome() == Appended.Outcome.CONFLICT && a.current() == null && d.before() != null) {
        redis.seed(d.flagKey(), d.before().version(), RolloutJson.write(RolloutJson.state(d.before())));
        LOG.warn("Fleet store {}: flag {} had no state (Redis lost its data); re-seeded version {} from this replica",
            redis.redactedUri(), d.flagKey(), d.before().version());
        a = cas(d);
      }
      return a;
    } catch (FleetStoreException e) {
      if (e.corrupt()) {
        corrupt(e.getMessage());
        return Appended.refused(e.getMessage());
      }
      return keepLocally(d);
    }
  }

  private Appended cas(Decision d) {
    long expected = d.before() == null ? -1 : d.before().version();
    FleetRedis.CasResult r = redis.compareAndSet(d.flagKey(), expected, d.after().version(),
        RolloutJson.write(RolloutJson.state(d.after())), RolloutJson.write(RolloutJson.decision(d)), decisionLogLength);
    if (r.applied()) {
      states.put(d.flagKey(), d.after());
      remember(d);
      return Appended.DURABLE;
    }
    if (r.currentVersion() < 0) {
      return Appended.conflict(null);
    }
    RolloutState current = parseState(d.flagKey(), r.currentState());
    states.put(d.flagKey(), current);
    return Appended.conflict(current);
  }

  /** Redis unreachable: keep what does not raise exposure, refuse the rest. Under this. */
  private Appended keepLocally(Decision d) {
    if (!lowersOrKeepsExposure(d)) {
      Instant since = redis.unreachableSince();
      return Appended.refused("fleet store unreachable since " + (since == null ? "just now" : since)
          + "; while it is, a replica only lowers exposure (shrink, roll back, pause), it never raises it");
    }
    synchronized (kept) {
      kept.computeIfAbsent(d.flagKey(), k -> new ArrayList<>()).add(d);
    }
    states.put(d.flagKey(), d.after());
    remember(d);
    return Appended.QUEUED;
  }

  /** Whether a decision may be taken while the fleet cannot be asked: it never raises the candidate's exposure. */
  static boolean lowersOrKeepsExposure(Decision d) {
    RolloutState before = d.before();
    RolloutState after = d.after();
    if (after.status() == RolloutStatus.ROLLED_BACK) {
      return true;
    }
    if (before == null) {
      return d.action() == DecisionAction.START; // the first stage: the least exposure a rollout has
    }
    switch (d.action()) {
      case SHRINK:
      case PAUSE:
      case PLAN_CHANGED:
        return after.exposure() <= before.exposure();
      default:
        return false;
    }
  }

  @Override
  public boolean forget(String flagKey) {
    RolloutState s = states.get(flagKey);
    if (s == null) {
      return true;
    }
    try {
      synchronized (this) {
        redis.forget(flagKey, s.version());
        states.remove(flagKey);
      }
      return true;
    } catch (FleetStoreException e) {
      return false;
    }
  }

  @Override
  public boolean flush() {
    sync();
    synchronized (kept) {
      return kept.isEmpty() && redis.unreachableSince() == null;
    }
  }

  // ------------------------------------------------------------------------------------ sync

  /**
   * One round of catching up with the fleet, each tick: merge decisions kept while Redis was
   * unreachable, then poll every state (taking newer ones, re-seeding missing or older ones).
   * Never throws; a failure leaves Redis marked unreachable for the next tick.
   */
  void sync() {
    List<String> changed = new ArrayList<>();
    try {
      synchronized (this) {
        mergeKept(changed);
        poll(changed);
        if (!fleetKnown) {
          fleetKnown = true;
          startHeld(changed);
        }
      }
    } catch (FleetStoreException e) {
      if (e.corrupt()) {
        corrupt(e.getMessage());
      }
    } catch (RuntimeException e) {
      LOG.error("Fleet store {}: syncing failed; the next tick retries", redis.redactedUri(), e);
    }
    changed.forEach(this::notifyListeners);
  }

  private void poll(List<String> changed) {
    Map<String, FleetRedis.Stored> remote = redis.states();
    java.util.Set<String> problems = new java.util.TreeSet<>();
    for (Map.Entry<String, FleetRedis.Stored> e : remote.entrySet()) {
      String flag = e.getKey();
      RolloutState r;
      try {
        r = parse(flag, e.getValue());
      } catch (FleetStoreException bad) {
        problems.add(bad.getMessage());
        LOG.error("Fleet store {}: {}; this replica keeps its last known state of {}", redis.redactedUri(),
            bad.getMessage(), flag);
        continue;
      }
      RolloutState mine = states.get(flag);
      if (mine == null || r.version() > mine.version()) {
        states.put(flag, r);
        fetchDecisions(flag, r, mine == null ? recentDecisions : 1);
        changed.add(flag);
      } else if (r.version() < mine.version()) {
        reseed(mine);
      }
    }
    for (RolloutState mine : states.values()) {
      if (!remote.containsKey(mine.flagKey())) {
        reseed(mine);
      }
    }
    for (String flag : List.copyOf(badStreams.keySet())) {
      RolloutState known = states.get(flag);
      if (known != null) {
        fetchDecisions(flag, known, 1); // read again until the entry is repaired or a newer one is written
      }
    }
    problems.addAll(badStreams.values());
    if (problems.isEmpty()) {
      corruption = null;
      corruptSince = null;
    } else {
      corrupt(String.join("; ", problems));
    }
  }

  private void reseed(RolloutState mine) {
    if (redis.seed(mine.flagKey(), mine.version(), RolloutJson.write(RolloutJson.state(mine)))) {
      LOG.warn("Fleet store {}: flag {} was missing or older in Redis (it lost data); re-seeded version {} ({}) "
          + "from this replica", redis.redactedUri(), mine.flagKey(), mine.version(), mine.status());
    }
  }

  /**
   * Remembers the flag's last {@code count} decisions from the decision log up to {@code state}: the
   * whole recent log when this store first sees the flag (a replica or tool that just joined shows
   * the history), the last decision on later changes. A stream entry we did not write is reported,
   * the state still taken.
   */
  private void fetchDecisions(String flag, RolloutState state, int count) {
    try {
      List<String> last = redis.decisions(flag, Math.max(1, count));
      for (int i = 0; i < last.size(); i++) {
        Decision d = parseDecision(flag, last.get(i));
        if (i == last.size() - 1 ? d.after().version() == state.version() : d.after().version() < state.version()) {
          remember(d);
        }
      }
      badStreams.remove(flag);
    } catch (FleetStoreException e) {
      if (!e.corrupt()) {
        throw e;
      }
      if (!e.getMessage().equals(badStreams.put(flag, e.getMessage()))) {
        LOG.error("Fleet store {}: {}; the state of {} is taken without its decision", redis.redactedUri(),
            e.getMessage(), flag);
      }
      corrupt(e.getMessage());
    }
  }

  /** The safety-first merge of decisions kept while Redis was unreachable (see the class comment). Under this. */
  private void mergeKept(List<String> changed) {
    Map<String, List<Decision>> toMerge;
    synchronized (kept) {
      if (kept.isEmpty()) {
        return;
      }
      toMerge = new LinkedHashMap<>(kept);
    }
    for (Map.Entry<String, List<Decision>> e : toMerge.entrySet()) {
      String flag = e.getKey();
      List<Decision> local = e.getValue();
      RolloutState base = local.get(0).before();
      FleetRedis.Stored stored = redis.state(flag);
      RolloutState remote = stored == null ? null : parse(flag, stored);
      if (remote == null && base != null) {
        redis.seed(flag, base.version(), RolloutJson.write(RolloutJson.state(base)));
        remote = base;
      }
      RolloutState result;
      if (remote == null ? base == null : base != null && remote.version() == base.version()) {
        result = remote;
        for (Decision d : local) {
          Appended a = cas(d);
          if (!a.recorded()) {
            result = a.current();
            break;
          }
          result = d.after();
        }
        LOG.info("Fleet store {}: merged {} decision(s) of flag {} made while it was unreachable", redis.redactedUri(),
            local.size(), flag);
      } else if (remote.status() == RolloutStatus.ROLLED_BACK) {
        result = remote;
        LOG.warn("Fleet store {}: flag {} was rolled back by the fleet meanwhile; {} local decision(s) superseded",
            redis.redactedUri(), flag, local.size());
      } else {
        Decision rollback = local.stream().filter(d -> d.after().status() == RolloutStatus.ROLLED_BACK).findFirst()
            .orElse(null);
        if (rollback != null && sameVariants(remote, rollback.after())) {
          Instant now = Instant.ofEpochMilli(clock.wallMillis());
          RolloutState after = new RolloutState(flag, remote.planFingerprint(), RolloutStatus.ROLLED_BACK,
              remote.stage(), 0, remote.shrinks(), now, null, null, remote.version() + 1, remote.evidenceSince(),
              remote.planRemovedAt());
          Decision merged = new Decision(flag, now, DecisionAction.ROLLBACK, rollback.actor(), rollback.applied(),
              "rolled back while the fleet store was unreachable (at " + rollback.at() + "): " + rollback.reason(),
              rollback.evidence(), remote, after);
          Appended a = cas(merged);
          result = a.recorded() ? after : a.current();
          LOG.warn("Fleet store {}: a rollback of flag {} made while it was unreachable is now the fleet's",
              redis.redactedUri(), flag);
        } else {
          result = remote;
          LOG.info("Fleet store {}: flag {} changed meanwhile (now version {}, {}); {} local decision(s) without a "
              + "rollback superseded", redis.redactedUri(), flag, remote.version(), remote.status(), local.size());
        }
      }
      synchronized (kept) {
        kept.remove(flag);
      }
      if (result != null) {
        states.put(flag, result);
      }
      changed.add(flag);
    }
  }

  private static boolean sameVariants(RolloutState a, RolloutState b) {
    String[] x = a.planFingerprint().split("\\|", 4);
    String[] y = b.planFingerprint().split("\\|", 4);
    return x.length >= 3 && y.length >= 3 && x[1].equals(y[1]) && x[2].equals(y[2]);
  }

  /** A change notification "flag@version": read the flag if the version is newer than ours. Notification thread. */
  void changed(String message) {
    int at = message.lastIndexOf('@');
    if (at <= 0) {
      return;
    }
    String flag = message.substring(0, at);
    long version;
    try {
      version = Long.parseLong(message.substring(at + 1));
    } catch (NumberFormatException e) {
      return;
    }
    RolloutState mine = states.get(flag);
    if (mine != null && mine.version() >= version) {
      return; // our own write, or already seen
    }
    notifications.execute(() -> {
      try {
        FleetRedis.Stored stored = redis.state(flag);
        if (stored == null) {
          return;
        }
        RolloutState r = parse(flag, stored);
        boolean newer;
        synchronized (this) {
          RolloutState current = states.get(flag);
          newer = current == null || r.version() > current.version();
          if (newer) {
            states.put(flag, r);
            fetchDecisions(flag, r, 1);
          }
        }
        if (newer) {
          notifyListeners(flag);
        }
      } catch (RuntimeException e) {
        // the next poll catches up
      }
    });
  }

  private void notifyListeners(String flag) {
    for (Consumer<String> l : listeners) {
      try {
        l.accept(flag);
      } catch (RuntimeException e) {
        LOG.warn("Fleet store {}: change listener {} failed on flag {}", redis.redactedUri(), l, flag, e);
      }
    }
  }

  // ------------------------------------------------------------------------------------ helpers

  private void remember(Decision d) {
    recent.compute(d.flagKey(), (k, old) -> {
      List<Decision> list = new ArrayList<>(old == null ? List.of() : old);
      if (!list.isEmpty() && list.get(list.size() - 1).equals(d)) {
        return old;
      }
      list.add(d);
      return List.copyOf(list.subList(Math.max(0, list.size() - recentDecisions), list.size()));
    });
  }

  private RolloutState parse(String flag, FleetRedis.Stored stored) {
    try {
      Long.parseLong(stored.versionText());
    } catch (NumberFormatException e) {
      throw new FleetStoreException(redis.keys().state(flag) + " holds version \"" + stored.versionText()
          + "\", not a whole number; delete the key (the replicas re-seed it) or repair it", null, true);
    }
    if (stored.stateJson() == null) {
      throw new FleetStoreException(redis.keys().state(flag) + " has a version but no \"state\" field; delete the "
          + "key (the replicas re-seed it)", null, true);
    }
    RolloutState s = parseState(flag, stored.stateJson());
    if (s.version() != Long.parseLong(stored.versionText())) {
      throw new FleetStoreException(redis.keys().state(flag) + " holds version " + stored.versionText()
          + " but a state of version " + s.version() + "; delete the key (the replicas re-seed it)", null, true);
    }
    return s;
  }

  private RolloutState parseState(String flag, String json) {
    String key = redis.keys().state(flag);
    try {
      RolloutState s = RolloutJson.readState(JsonReader.read(json), key + " state");
      if (!s.flagKey().equals(flag)) {
        throw new IllegalArgumentException("it is the state of flag \"" + s.flagKey() + "\"");
      }
      return s;
    } catch (RuntimeException e) {
      throw new FleetStoreException(key + " holds an invalid rollout state (" + e.getMessage()
          + "); delete the key (the replicas re-seed it) or repair it", e, true);
    }
  }

  private Decision parseDecision(String flag, String json) {
    String key = redis.keys().decisions(flag);
    try {
      return RolloutJson.readDecision(JsonReader.read(json), key + " decision");
    } catch (RuntimeException e) {
      throw new FleetStoreException(key + " holds an invalid decision (" + e.getMessage() + "); its entries are "
          + "written by Burnguard only: delete the key or the entry", e, true);
    }
  }

  private void corrupt(String message) {
    if (corruption == null) {
      corruptSince = Instant.ofEpochMilli(clock.wallMillis());
    }
    corruption = message;
  }

  private static void checkFlag(Decision d) {
    if (!d.after().flagKey().equals(d.flagKey()) || (d.before() != null && !d.before().flagKey().equals(d.flagKey()))) {
      throw new IllegalArgumentException("decision for flag \"" + d.flagKey() + "\" carries the state of another flag");
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "fleet " + redis.keys().prefix() + "* on " + redis.redactedUri();
  }
}
