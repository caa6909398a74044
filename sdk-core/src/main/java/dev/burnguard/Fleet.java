package dev.burnguard;

import dev.burnguard.outcome.Outcomes.SliSource;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * Fleet mode: the replicas of one service share one rollout state, one decision per version and
 * one set of SLI windows (the sum over every replica). Plugged in with
 * {@link BurnguardProvider.Builder#fleet}; {@code burnguard-redis}'s {@code RedisFleet} is the
 * implementation. The core does not depend on any store client: this SPI is what it needs.
 *
 * <p><b>Division of work.</b> Evaluation and recording never change: local, lock-free, no I/O.
 * The provider's guardian thread calls {@link Member#sync()} before each tick (push this replica's
 * SLI deltas, renew or take the decider's lease, read other replicas' changes, publish decisions
 * kept while the store was unreachable), judges rollouts only while {@link Member#decides()}, on
 * {@link Member#sli()}, and records every decision with the {@linkplain Member#store() store}'s
 * compare-and-set, so that two deciders still produce one decision per version. Changes made by
 * other replicas reach the guardian through the store's {@linkplain RolloutStore#onChange change
 * notifications}.
 */
public interface Fleet {
  /**
   * Joins a provider to the fleet; called once, when the provider is built. Must not fail because
   * the store is unreachable: the member then serves what it knows and keeps trying.
   *
   * @param clock the provider's clock
   * @param local this replica's outcomes: pushed to the fleet, and judged while the fleet's windows
   *     cannot be read
   */
  Member join(Clock clock, Local local);

  /** What a replica gives the fleet: its own outcomes. */
  interface Local {
    /** This replica's SLI windows. */
    SliSource windows();

    /**
     * Hands {@code sink} the counts recorded per flag variant since the previous call (each
     * recorded call in exactly one call, as long as calls are less than 6 minutes apart). One
     * caller at a time (the fleet's tick); never on the evaluation path.
     */
    void collect(DeltaSink sink);

    /**
     * Hands {@code sink} the error-budget counts of the journey SLOs recorded since the previous
     * call, per SLO and UTC hour (each recorded journey call in exactly one call). One caller at a
     * time (the fleet's tick). Default: none (a fleet that does not share budgets).
     */
    default void collectJourneys(JourneySink sink) {
    }
  }

  /** Receives a journey SLO's counts recorded in one UTC hour since the previous collect. */
  @FunctionalInterface
  interface JourneySink {
    /**
     * @param sloKey what identifies the SLO's counts: its name, journey and what makes a call bad
     * @param hour hours since the epoch, UTC
     */
    void accept(String sloKey, long hour, long calls, long bad);
  }

  /** Receives the counts recorded for one flag variant since the previous collect. */
  @FunctionalInterface
  interface DeltaSink {
    /** @param counts calls at 0, errors at 1, slow against latency threshold t at 2 + t; reused after the call */
    void accept(String flagKey, String variant, long[] counts);
  }

  /** One replica's membership of the fleet. */
  interface Member extends AutoCloseable {
    /** The shared rollout store (compare-and-set, decision log, change notifications, health). */
    RolloutStore store();

    /** The windows the guardian judges: the fleet's sums, or the local recorder's while they cannot be read. */
    SliSource sli();

    /**
     * The fleet's background work for one tick, on the guardian's thread, before it judges; may do
     * I/O (bounded by the store's timeout), never throws.
     */
    void sync();

    /**
     * Whether this replica judges rollouts now: the holder of the decider's lease, or every replica
     * while the store is unreachable (the store then accepts only decisions that lower exposure).
     */
    boolean decides();

    /**
     * The guardian's sequential evidence kept with the fleet's rollout state (text the fleet does
     * not interpret), read when the provider starts; null when none is kept. Throws (any runtime
     * exception) when the store cannot be read: the guardian then asks again at each tick and keeps
     * no evidence of its own over the kept text until it has read it. Default: none.
     */
    default @Nullable String evidence() {
      return null;
    }

    /**
     * Keeps {@code text} as the fleet's evidence (the deciding replica's; others may ignore it);
     * called at most once per evidence batch from the guardian's thread. Never throws. Default:
     * not kept.
     */
    default void keepEvidence(String text) {
    }

    /**
     * The fleet's counts of a journey SLO (its key, as given to {@link JourneySink}) over the UTC
     * hours {@code fromHour} to {@code toHour} inclusive: {@code {calls, bad}} summed over every
     * replica, as last read; null when not known (not read yet, the store unreachable), and the
     * replica then uses its own counts. Never blocks. Default: null.
     */
    default long @Nullable [] journeyCounts(String sloKey, long fromHour, long toHour) {
      return null;
    }

    /** Leaves the fleet: stops pushing, gives up the lease, closes connections. Idempotent. */
    @Override
    void close();
  }
}
