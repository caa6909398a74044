package dev.burnguard.rollout;



/**
 * Where rollout state and the decision journal are kept, so that a restart restores every rollout
 * exactly — a rolled-back flag stays rolled back — and a dashboard can show why each rollout is
 * where it is.
 *
 * <p>The store holds, per flag, the current {@link RolloutState} (the {@link Decision#after()} of
 * the flag's last decision) and its most recent decisions. {@link #load()} returns both; the
 * guardian calls it once at start to restore its rollouts, a dashboard may call it at any time.
 * {@link #append} records a decision and the state after it.
 *
 * <p><b>Acknowledgement.</b> {@code append} returns {@code true} when the decision and its state
 * are durable: they survive a crash of the process (and, for the file store behind {@code BurnguardProvider.Builder.stateDirectory}, of the
 * machine, as far as the file system honours fsync). It returns {@code false}, and never throws for
 * an I/O failure, when the store cannot write: the decision is then kept in memory and queued, the
 * store reports itself {@linkplain #health() unhealthy}, and the queue is written by the next
 * {@code append} or {@link #flush()} that succeeds. Meanwhile the in-memory state is authoritative:
 * {@link #load()} returns it and the guardian keeps deciding on it, but a crash before the store
 * recovers loses what was queued.
 *
 * <p><b>Concurrency.</b> {@code append}, {@code flush} and {@code close} may be called from any
 * thread; the store serializes them (the guardian calls {@code append} from its one thread, the
 * manual control API may call it from another). {@code load} and {@code health} never wait for
 * I/O or for a writer and may be called from any thread at any time: each flag's state and recent
 * decisions are seen as of one completed {@code append} (a flag's state is always its last
 * decision's {@code after}), different flags possibly as of different ones.
 *
 * <p>Implementations in this jar: an in-memory store (the default) and a file store (with a state directory).
 */
public interface RolloutStore extends AutoCloseable {
  /**
   * Everything the store holds: the current state of every rollout and each flag's most recent
   * decisions. A persistent store reads its storage once, when it is opened; this returns what it
   * holds in memory, queued decisions included, and is cheap enough for a dashboard to poll.
   */
  StoredRollouts load();

  /**
   * Records {@code decision} and makes {@code decision.after()} its flag's current state.
   *
   * @return true when the decision (and every one appended before it) is durable; false when it is
   *     queued in memory because the store cannot write, see {@link #health()}
   * @throws IllegalArgumentException when the decision's states belong to another flag
   * @throws IllegalStateException when the store is closed
   */
  boolean append(Decision decision);

  /**
   * Writes whatever is queued and, for a store that keeps a state file, rewrites it now.
   *
   * @return true when everything appended is durable and the state file (if any) is current
   */
  boolean flush();

  /**
   * Drops {@code flagKey}'s state, so that it is no longer {@linkplain #load() loaded} nor restored
   * after a restart (the guardian calls this once a removed flag's retention is over). Its decisions
   * may stay in the decision log until they age out. A no-op for a flag without a state.
   *
   * @return true when the state is gone durably; false when the store could not write and will
   *     retry, see {@link #health()}
   */
  boolean forget(String flagKey);

  /** Whether the store is writing, or the problem that stops it; never blocks. */
  StoreHealth health();

  /**
   * Flushes and releases the store's resources; later appends throw. {@link #load()} and
   * {@link #health()} still answer. Idempotent.
   */
  @Override
  void close();
}
