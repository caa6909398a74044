package dev.burnguard.redis;

import dev.burnguard.Fleet;
import dev.burnguard.outcome.SliSource;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.time.Clock;
import java.time.Duration;
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
 * and, for the decider, read the fleet's sums. That is 5 to 7 round trips per tick whatever the
 * number of flags (each pipelined or one script).
 *
 * <p>Concurrency: {@code sync} runs on one thread at a time (the guardian's); {@link #decides} is
 * read from it; change notifications arrive on Lettuce's thread and are handled on this member's
 * one daemon thread ({@code burnguard-fleet-changes}).
 */
final class FleetMember implements Fleet.Member {
  private static final Logger LOG = LoggerFactory.getLogger(FleetMember.class);

  private final RedisFleet settings;
  private final FleetRedis redis;
  private final RedisRolloutStore store;
  private final FleetSli sli;
  private final String holder;
  private final ExecutorService changes;
  private volatile boolean leading;
  private volatile boolean closed;

  FleetMember(RedisFleet settings, Clock clock, Fleet.Local local) {
    this.settings = settings;
    this.redis = new FleetRedis(settings.uri(), new FleetKeys(settings.service()), clock, settings.commandTimeout(),
        settings.cluster());
    this.changes = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "burnguard-fleet-changes");
      t.setDaemon(true);
      return t;
    });
    this.store = new RedisRolloutStore(redis, clock, settings.decisionLogLength(), settings.recentDecisions(), changes);
    String incarnation = settings.instanceId() + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xffffffL);
    this.holder = incarnation;
    this.sli = new FleetSli(redis, clock, local, incarnation, Duration.ofDays(1));
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
    if (closed) {
      return;
    }
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
      return;
    }
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
    if (leading) {
      if (!wasLeading || !wasReachable) {
        sli.readAllNext();
      }
      sli.refresh();
    }
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
    if (closed) {
      return;
    }
    closed = true;
    store.close();
    redis.close();
    changes.shutdownNow();
  }

  @Override
  public String toString() {
    return store.toString() + " as " + holder;
  }
}
