package dev.burnguard.redis;

import dev.burnguard.Fleet;
import dev.burnguard.outcome.Outcomes.SliSource;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica in a Redis fleet: the store, the SLI push and read, the decider's lease and the
 * change subscription, driven by {@link #sync()} on the guardian's thread before each tick.
 *
 * <p>A tick's I/O, in order: take or renew the lease (lease.lua, which also probes Redis: if it
 * fails, nothing else is tried this tick, so an unresponsive Redis costs one command timeout per
 * tick), subscribe to changes if not subscribed, merge and poll the store, push the SLI deltas,
 * then the fleet's sums: the decider reads the rings and publishes what it read, the others take
 * that publication. That is 5 round trips per tick on a follower (lease, flag index, states,
 * push, publication) and 7 on the decider (series index, rings, publication instead), whatever
 * the number of flags: each is one command, one script or one pipelined write.
 *
 * <p>{@link #close} gives the decider's lease back (compare-and-delete of this replica's own lease),
 * so another replica decides at its next tick instead of after the lease expires.
 *
 * <p>Concurrency: {@code sync} runs on one thread at a time (the guardian's) and {@code close} waits
 * for a sync in progress (both under {@code syncLock}), so a lease is never renewed after it was
 * given back; {@link #decides} is read from it; change notifications arrive on Lettuce's thread and
 * are handled on this member's one daemon thread ({@code burnguard-fleet-changes}).
 */
final class FleetMember implements Fleet.Member {
  private static final Logger LOG = LoggerFactory.getLogger(FleetMember.class);

  private final RedisFleet settings;
  private final FleetRedis redis;
  private final RedisRolloutStore store;
  private final FleetSli sli;
  private final FleetBudgets budgets;
  private final String holder;
  private final ExecutorService changes;
  private final Clock clock;
  private final Object syncLock = new Object();
  private volatile boolean leading;
  /** The credentials refusal last logged while Redis does not answer; read and written under {@link #syncLock}. */
  private String refusalLogged;
  private volatile boolean closed;
  /** When {@link #status()} was last asked (epoch ms): ticks read the decider and instances for a minute after. */
  private volatile long statusAskedAt = Long.MIN_VALUE;
  /** The decider's instance id and the instances' recent calls, as last read; null before. */
  private volatile String deciderInstance;
  private volatile Map<String, FleetRedis.InstanceCalls> instances;
  private volatile Instant readAt;

  FleetMember(RedisFleet settings, Clock clock, Fleet.Local local) {
    this.settings = settings;
    this.clock = clock;
    this.redis = new FleetRedis(settings.uri(), new FleetKeys(settings.service()), clock, settings.commandTimeout(),
        settings.cluster(), settings.trustedCertificates(), settings.connectTimeout());
    this.changes = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "burnguard-fleet-changes");
      t.setDaemon(true);
      return t;
    });
    this.store = new RedisRolloutStore(redis, clock, settings.decisionLogLength(), settings.recentDecisions(), changes);
    String incarnation = settings.instanceId() + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xffffffL);
    this.holder = incarnation;
    this.sli = new FleetSli(redis, clock, local, incarnation, settings.instanceId(), Duration.ofDays(1),
        settings.lease());
    this.budgets = new FleetBudgets(redis, local, incarnation, Duration.ofDays(1));
    store.alsoReport(() -> {
      String a = sli.problem();
      String b = budgets.problem();
      return a == null ? b : b == null ? a : a + "; " + b;
    });
    sync(); // the fleet's states before the provider restores them (bounded by the command timeout)
    if (redis.unreachableSince() != null) {
      LOG.warn("Fleet {} on {}: Redis does not answer ({}); serving what this replica knows and retrying every tick",
          settings.service(), redis.redactedUri(), redis.lastError());
    }
  }

  @Override
  public RolloutStore store() {
    return store;
  }

  @Override
  public SliSource sli() {
    return sli;
  }

  @Override
  public void sync() {
    synchronized (syncLock) {
      if (!closed) {
        syncOnce();
      }
    }
  }

  private void syncOnce() {
    boolean wasReachable = redis.unreachableSince() == null;
    boolean wasLeading = leading;
    try {
      leading = settings.forcedLeader() || redis.lease(holder, settings.lease());
    } catch (FleetStoreException e) {
      leading = false;
      if (wasReachable) {
        LOG.warn("Fleet {}: {}; serving the last known state, deciding only to lower exposure", settings.service(),
            e.getMessage());
      }
      // the reason a user can fix, once, even when the first failure only said the connection closed
      // (Lettuce may report the close of a refused handshake instead of the refusal)
      String refusal = redis.refusal();
      if (refusal != null && !refusal.equals(refusalLogged)) {
        refusalLogged = refusal;
        if (!(wasReachable && e.getMessage().contains(refusal))) {
          LOG.warn("Fleet {}: Redis at {} refuses this replica's credentials: {}; check the user and password of "
              + "the fleet's Redis URI", settings.service(), redis.redactedUri(), refusal);
        }
      }
      return;
    }
    refusalLogged = null;
    if (!wasReachable) {
      LOG.info("Fleet {}: Redis at {} answers again", settings.service(), redis.redactedUri());
    }
    if (leading && !wasLeading) {
      LOG.info("Fleet {}: replica {} decides (holds the lease)", settings.service(), holder);
    }
    if (settings.subscribe() && !redis.subscribed()) {
      redis.subscribe(store::changed);
    }
    store.sync();
    sli.push();
    // every replica reads the fleet's sums: the decider judges them, the others report their health on them
    if ((leading && !wasLeading) || !wasReachable) {
      sli.readAllNext();
    }
    if (leading) {
      sli.refreshAndPublish();
    } else {
      sli.follow();
    }
    budgets.push();
    budgets.refresh();
    if (clock.wallMillis() - statusAskedAt <= STATUS_READS.toMillis()) {
      readFleetView();
    }
  }

  /** How long after {@link #status()} was asked the ticks keep reading the decider and the instances' calls. */
  static final Duration STATUS_READS = Duration.ofMinutes(1);

  /** Reads the decider and each instance's recent calls (two commands); a failure leaves the last read. */
  private void readFleetView() {
    try {
      Map<String, FleetRedis.InstanceCalls> read = redis.instances();
      String leaderHolder = redis.leader();
      String decider = null;
      for (Map.Entry<String, FleetRedis.InstanceCalls> e : read.entrySet()) {
        if (e.getValue().holder().equals(leaderHolder)) {
          decider = e.getKey();
        }
      }
      if (decider == null && leaderHolder != null) {
        decider = leaderHolder; // a decider that has not pushed yet: its holder id
      }
      instances = read;
      deciderInstance = decider;
      readAt = Instant.ofEpochMilli(clock.wallMillis());
    } catch (FleetStoreException e) {
      // unreachable or a bad field: the view keeps its last read, the health says why
    }
  }

  /** This replica's view of the fleet, from local copies; asks the next ticks to keep the view current. */
  RedisFleet.Status status() {
    long now = clock.wallMillis();
    statusAskedAt = now;
    long minute = Math.floorDiv(now, 60_000);
    Map<String, Long> calls = new TreeMap<>();
    Map<String, FleetRedis.InstanceCalls> read = instances;
    if (read != null) {
      read.forEach((id, c) -> {
        long recent = c.minute() == minute ? c.calls() + c.callsMinuteBefore() : c.minute() == minute - 1 ? c.calls()
            : 0;
        if (recent > 0) {
          calls.put(id, recent);
        }
      });
    }
    var health = store.health();
    return new RedisFleet.Status(settings.service(), settings.instanceId(), leading, leading ? settings.instanceId() : deciderInstance, redis.unreachableSince(),
        health.healthy() ? null : health.lastError(), sli.pushedCalls(), sli.droppedCalls(), sli.unpushedCalls(),
        sli.duplicateBatches(), calls, readAt, sli.fleetWide(), sli.mirror());
  }

  boolean closed() {
    return closed;
  }

  /** The decider's evidence kept in Redis; null when none; throws while Redis cannot be read (see Fleet.Member#evidence). */
  @Override
  public String evidence() {
    return redis.evidence(); // a FleetStoreException while Redis does not answer: the guardian asks again next tick
  }

  /** Keeps the evidence in Redis when this replica decides (the others' is the same, judged on the same sums). */
  @Override
  public void keepEvidence(String text) {
    if (!leading) {
      return;
    }
    try {
      redis.keepEvidence(text);
    } catch (FleetStoreException e) {
      // unreachable: the next evidence batch writes it again
    }
  }

  @Override
  public long[] journeyCounts(String sloKey, long fromHour, long toHour) {
    return budgets.counts(sloKey, fromHour, toHour);
  }

  FleetBudgets budgets() {
    return budgets;
  }

  @Override
  public boolean decides() {
    return leading || redis.unreachableSince() != null;
  }

  /** Whether this replica holds (or is forced to act as holding) the decider's lease. */
  boolean leading() {
    return leading;
  }

  String holder() {
    return holder;
  }

  FleetRedis redis() {
    return redis;
  }

  FleetSli sliPush() {
    return sli;
  }

  RedisRolloutStore rolloutStore() {
    return store;
  }

  @Override
  public void close() {
    leave(true);
  }

  /** Test support: stops as a killed process would, without giving the lease back. */
  void die() {
    leave(false);
  }

  private void leave(boolean releaseLease) {
    synchronized (syncLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (releaseLease && leading && !settings.forcedLeader()) {
        try {
          if (redis.release(holder)) {
            LOG.info("Fleet {}: replica {} gave the decider's lease back", settings.service(), holder);
          }
        } catch (FleetStoreException e) {
          // unreachable: the lease expires on its own
        }
      }
      leading = false;
    }
    store.close();
    redis.close();
    changes.shutdownNow();
  }

  @Override
  public String toString() {
    return store.toString() + " as " + holder;
  }
}
