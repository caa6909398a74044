package dev.burnguard.rollout;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;



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
 * <p><b>Several writers (compare-and-set).</b> A store may be shared by several guardians — the
 * replicas of a service on one fleet store — and changed by tools. Such writers go through
 * {@link #compareAndAppend}: a decision is recorded only if the flag's stored state is still the
 * decision's {@link Decision#before() before} state, compared by {@link RolloutState#version()
 * version}. <i>Atomic:</i> the version check, the state swap and the decision's append to the
 * decision log are one step — a reader never sees the state without its decision or the other way
 * round, and two writers that decide on the same version record exactly one decision for it (the
 * other gets {@link Appended.Outcome#CONFLICT} and the state now stored). <i>Ordered:</i> per flag,
 * the decision log is in version order, each decision's {@code before} being the previous one's
 * {@code after}; there is no order between flags. Another writer's changes are announced to
 * {@link #onChange} listeners (at least once per change, possibly coalesced; a listener reads the
 * state with {@link #load()}). The file and in-memory stores have one writer; they implement the
 * check all the same, so a guardian uses one code path for every store.
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
   * Records {@code decision} only if {@code decision.flagKey()}'s stored state has the version of
   * {@code decision.before()} (or, for a null {@code before}, none is stored), atomically with its
   * append to the decision log; see the class comment. A store that cannot write may keep the
   * decision queued ({@link Appended.Outcome#QUEUED}) or refuse it ({@link
   * Appended.Outcome#REFUSED}: a fleet store that cannot reach its server accepts only decisions
   * that lower the candidate's exposure, and publishes them when it can). Never throws for an I/O
   * failure.
   *
   * <p>The default implementation is for stores with one writer: it compares with {@link #load()}
   * and calls {@link #append}, which is atomic only if no other thread appends concurrently; the
   * in-memory and file stores override it under their lock.
   *
   * @throws IllegalArgumentException when the decision's states belong to another flag
   * @throws IllegalStateException when the store is closed
   */
  default Appended compareAndAppend(Decision decision) {
    RolloutState stored = load().states().get(decision.flagKey());
    if (!Appended.expected(stored, decision)) {
      return Appended.conflict(stored);
    }
    return append(decision) ? Appended.DURABLE : Appended.QUEUED;
  }

  /**
   * The last {@code max} decisions of {@code flagKey} that the store keeps, oldest first; each with
   * its full evidence. Never waits for I/O (a shared store answers from what it last read).
   */
  default java.util.List<Decision> decisions(String flagKey, int max) {
    java.util.List<Decision> all = load().recentDecisions(flagKey);
    return all.subList(Math.max(0, all.size() - Math.max(0, max)), all.size());
  }

  /**
   * Calls {@code listener} with a flag's key after another writer changed that flag's state (at
   * least once per change, possibly once for several), from a thread of the store's; the listener
   * reads the state with {@link #load()} and must not block. Stores with one writer never call it.
   *
   * @return closes the registration
   */
  default AutoCloseable onChange(java.util.function.Consumer<String> listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    return () -> { };
  }

  /**
   * What became of a {@link #compareAndAppend}.
   *
   * @param outcome recorded (durable or queued), or not (conflict, refused)
   * @param current for a conflict, the flag's state now stored (null: none)
   * @param refusal for a refusal, why (e.g. "fleet store unreachable since ..."); null otherwise
   */
  record Appended(Outcome outcome, @Nullable RolloutState current, @Nullable String refusal) {
    /** Recorded and durable. */
    public static final Appended DURABLE = new Appended(Outcome.DURABLE, null, null);
    /** Recorded, kept in memory until the store can write. */
    public static final Appended QUEUED = new Appended(Outcome.QUEUED, null, null);

    public Appended {
      java.util.Objects.requireNonNull(outcome, "outcome");
      if ((outcome == Outcome.REFUSED) != (refusal != null)) {
        throw new IllegalArgumentException("a refusal, and only a refusal, has a reason: " + outcome + ", " + refusal);
      }
    }

    /** Not recorded: the stored state is {@code current}, not the decision's {@code before}. */
    public static Appended conflict(RolloutState current) {
      return new Appended(Outcome.CONFLICT, current, null);
    }

    /** Not recorded: the store cannot take this decision now, for {@code reason}. */
    public static Appended refused(String reason) {
      return new Appended(Outcome.REFUSED, null, reason);
    }

    /** Whether {@code stored} is the state {@code decision} was made on: same version, or both absent. */
    public static boolean expected(RolloutState stored, Decision decision) {
      RolloutState before = decision.before();
      return stored == null ? before == null : before != null && stored.version() == before.version();
    }

    /** Whether the decision was recorded (durable or queued). */
    public boolean recorded() {
      return outcome == Outcome.DURABLE || outcome == Outcome.QUEUED;
    }

    /** What became of a decision given to {@link #compareAndAppend}. */
    public enum Outcome {
      /** Recorded and durable. */
      DURABLE,
      /** Recorded, queued in memory until the store can write (see {@link RolloutStore#health()}). */
      QUEUED,
      /** Not recorded: another writer changed the flag's state first. */
      CONFLICT,
      /** Not recorded: the store cannot take this decision now. */
      REFUSED
    }
  }

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

  /**
   * Whether a {@link RolloutStore} is writing what it is given, as returned by
   * {@link RolloutStore#health()}.
   *
   * @param healthy true when every appended decision is durable and the last write succeeded
   * @param lastError the failure that makes the store unhealthy (e.g. "No space left on device"),
   *     null when healthy
   * @param unhealthySince when the store became unhealthy, by its clock; null when healthy
   * @param pendingDecisions decisions kept in memory, waiting to be written
   * @param droppedDecisions journal entries given up since the store was opened because the queue was
   *     full; their states were still saved (the state file is rewritten before the journal resumes),
   *     only their lines in the decision log are missing
   */
  public record StoreHealth(boolean healthy, @Nullable String lastError, @Nullable Instant unhealthySince,
      int pendingDecisions,
      long droppedDecisions) {
    private static final StoreHealth OK = new StoreHealth(true, null, null, 0, 0);

    public StoreHealth {
      if (healthy != (lastError == null)) {
        throw new IllegalArgumentException("a healthy store has no error and an unhealthy one has one, got healthy="
            + healthy + " and lastError=" + lastError);
      }
    }

    /** Healthy, nothing pending or dropped. */
    public static StoreHealth ok() {
      return OK;
    }
  }

  /**
   * What a {@link RolloutStore} holds, as returned by {@link RolloutStore#load()}: the current state
   * of every rollout and, for a dashboard's decision log, each flag's most recent decisions. Immutable;
   * both maps are sorted by flag key.
   *
   * @param states the current state per flag
   * @param recentDecisions per flag, its most recent decisions, oldest first (as many as the store
   *     keeps; a flag's last decision's {@code after} is its state)
   */
  public record StoredRollouts(Map<String, RolloutState> states, Map<String, List<Decision>> recentDecisions) {
    public StoredRollouts {
      states = Collections.unmodifiableMap(new TreeMap<>(states));
      TreeMap<String, List<Decision>> copy = new TreeMap<>();
      recentDecisions.forEach((flag, list) -> copy.put(flag, List.copyOf(list)));
      recentDecisions = Collections.unmodifiableMap(copy);
    }

    /** Nothing stored. */
    public static StoredRollouts empty() {
      return new StoredRollouts(Map.of(), Map.of());
    }

    /** The current state of {@code flagKey}'s rollout, if it has one. */
    public Optional<RolloutState> state(String flagKey) {
      return Optional.ofNullable(states.get(Objects.requireNonNull(flagKey, "flagKey")));
    }

    /** {@code flagKey}'s most recent decisions, oldest first; empty if none are kept. */
    public List<Decision> recentDecisions(String flagKey) {
      return recentDecisions.getOrDefault(Objects.requireNonNull(flagKey, "flagKey"), List.of());
    }
  }
}
