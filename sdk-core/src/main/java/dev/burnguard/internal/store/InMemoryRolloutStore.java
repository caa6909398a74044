package dev.burnguard.internal.store;

import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;


import java.util.Objects;

/**
 * A {@link RolloutStore} that keeps everything in memory: for tests, and for services that opt out
 * of persistence and accept that a restart forgets every rollout (and so re-exposes users to a
 * rolled-back candidate). "Durable" here means "recorded": {@link #append} always returns true and
 * the store is always healthy.
 *
 * <p>Concurrency: appends are serialized on the store; {@link #load()} and {@link #health()} are
 * lock-free (see {@link RolloutStore}).
 */
public final class InMemoryRolloutStore implements RolloutStore {
  /** How many decisions per flag are kept by default. */
  public static final int DEFAULT_RECENT_DECISIONS = 100;

  private final RecentDecisions memory;
  private boolean closed; // guarded by this

  /** A store keeping the last {@value #DEFAULT_RECENT_DECISIONS} decisions per flag. */
  public InMemoryRolloutStore() {
    this(DEFAULT_RECENT_DECISIONS);
  }

  /** A store keeping the last {@code recentDecisionsPerFlag} (≥ 0) decisions per flag. */
  public InMemoryRolloutStore(int recentDecisionsPerFlag) {
    if (recentDecisionsPerFlag < 0) {
      throw new IllegalArgumentException("recentDecisionsPerFlag must not be negative, got " + recentDecisionsPerFlag);
    }
    this.memory = new RecentDecisions(recentDecisionsPerFlag);
  }

  @Override
  public StoredRollouts load() {
    return memory.contents();
  }

  @Override
  public synchronized boolean append(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    RecentDecisions.check(decision);
    if (closed) {
      throw new IllegalStateException("the rollout store is closed");
    }
    memory.record(decision);
    return true;
  }

  @Override
  public synchronized Appended compareAndAppend(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    RolloutState stored = memory.state(decision.flagKey());
    if (!Appended.expected(stored, decision)) {
      RecentDecisions.check(decision);
      return Appended.conflict(stored);
    }
    return append(decision) ? Appended.DURABLE : Appended.QUEUED;
  }

  @Override
  public synchronized boolean forget(String flagKey) {
    memory.forget(Objects.requireNonNull(flagKey, "flagKey"));
    return true;
  }

  @Override
  public boolean flush() {
    return true;
  }

  @Override
  public StoreHealth health() {
    return StoreHealth.ok();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
