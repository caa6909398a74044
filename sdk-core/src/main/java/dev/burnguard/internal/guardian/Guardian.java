package dev.burnguard.internal.guardian;

import dev.burnguard.internal.gate.ExposureGate;

import dev.burnguard.outcome.Outcomes.SliSource;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;

import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs guarded rollouts: on every {@link #tick()} it judges each rollout from the recorded windows
 * ({@link RolloutJudge}), and when a decision changes something it journals it, swaps the state,
 * publishes the new exposure gates, logs one line with the evidence and calls the listeners — in
 * that order, once.
 *
 * <p>A rollout starts when a flag first has a plan, and starts over only when its <b>candidate</b>
 * (or control) changes, or when a person {@linkplain #reset resets} it. Any other change of the plan
 * (bake, watch, stages, SLO, rules, mode…) applies to the rollout where it stands and is journaled
 * as a {@link DecisionAction#PLAN_CHANGED} decision naming what changed — also when a restored state
 * meets a different plan after a restart — so a rolled-back flag stays rolled back until a person
 * resets it. A reset judges only evidence recorded after it: the rule windows start at the reset
 * ({@link RolloutState#evidenceSince()}) until they are longer ago than the reset.
 *
 * <p>A flag whose plan disappears keeps its state, unguarded, for the {@linkplain
 * #DEFAULT_REMOVED_RETENTION retention} (journaled as PLAN_CHANGED with
 * {@link RolloutState#planRemovedAt()}); if the plan comes back within it, the rollout continues as
 * it was (a rolled-back one stays rolled back). After the retention the state is dropped, from the
 * store too. Manual decisions (pause, resume, promote, rollback, reset) go through the same path and
 * are journaled with the person as actor.
 *
 * <p>With a {@link RolloutStore} (see the constructors), every {@link #tick()} also retries the
 * store's writes while it is unhealthy, so a manually ticked guardian recovers like a timed one.
 * Every decision is recorded with the store's {@linkplain RolloutStore#compareAndAppend
 * compare-and-set} on the version it was made on, so guardians sharing a store (the replicas of a
 * fleet, see {@link #coordinate}) record one decision per version: the loser of a race takes the
 * stored state ({@link #refresh} does the same for changes announced by the store) and judges it.
 *
 * <p>Concurrency: ticks, plan changes and manual decisions are serialized by this guardian's lock;
 * they are rare (a tick per second) and never on the evaluation path. Reads of states and gates
 * return immutable snapshots. The journal is called under the lock (a decision is journaled before
 * it takes effect). The log line and the listeners are called <i>outside</i> the lock, so a slow
 * listener never stalls a tick or a manual decision: decisions are queued under the lock in the
 * order they were made, and whichever thread finds the queue free delivers it, in that order; a
 * thread that finds another one delivering leaves its decisions to it and returns. A listener that
 * throws is logged and skipped.
 */
public final class Guardian {
  private static final Logger LOG = LoggerFactory.getLogger(Guardian.class);
  /** Metadata keys added to every evaluation of a flag under rollout. */
  public static final String STATUS_METADATA = "burnguard.rollout.status";
  public static final String STAGE_METADATA = "burnguard.rollout.stage";
  public static final String EXPOSURE_METADATA = "burnguard.rollout.exposure";
  public static final String MODE_METADATA = "burnguard.rollout.mode";
  /** Evaluation reason when the gate serves the control while the candidate ramps up. */
  public static final String ROLLOUT_REASON = "ROLLOUT";
  /** Evaluation reason when the control is served because the candidate was rolled back. */
  public static final String ROLLED_BACK_REASON = "ROLLED_BACK";

  /** How long the state of a flag whose plan disappeared is kept by default, in case it returns. */
  public static final Duration DEFAULT_REMOVED_RETENTION = Duration.ofDays(30);
  /** The actor of plan changes read from a flag file, and of plans given in code. */
  public static final String FILE = "file";
  public static final String CODE = "code";

  private final Clock clock;
  private final SliSource recorder;
  private final Consumer<Decision> journal; // null when a store was given
  private final RolloutStore store; // null when only a journal was given
  /** Run before each tick (a fleet's sync: push SLIs, renew the lease, read changes); see {@link #coordinate}. */
  private volatile Runnable beforeTick = () -> { };
  /** Runs after {@link #beforeTick}, outside the lock: the controls tools asked for ({@link #beforeEachTick}). */
  private volatile Runnable housekeeping = () -> { };
  /** Whether this guardian judges rollouts on its ticks (a fleet: the lease holder); see {@link #coordinate}. */
  private volatile java.util.function.BooleanSupplier decides = () -> true;
  private final Duration removedRetention;
  /** Decisions to log and hand to the listeners, oldest first; guarded by lock. */
  private final java.util.ArrayDeque<Decision> undelivered = new java.util.ArrayDeque<>();
  private final java.util.concurrent.atomic.AtomicBoolean delivering = new java.util.concurrent.atomic.AtomicBoolean();
  private final Consumer<Map<String, ExposureGate>> gatesOut;
  private final List<Consumer<Decision>> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  /** Reviews each decision of the judge before it is applied (the error-budget policy); see {@link #review}. */
  private volatile DecisionReview review = (plan, state, judged, now) -> judged;

  // guarded by lock
  private Map<String, RolloutPlan> plans = Map.of();
  /** Each plan's {@link #latencyIndex}, by flag. */
  private Map<String, Integer> latencyIndexes = Map.of();
  private final Map<String, RolloutState> states = new LinkedHashMap<>();
  /** States of flags whose plan disappeared, kept for {@link #removedRetention}. */
  private final Map<String, RolloutState> retained = new LinkedHashMap<>();
  private final Map<String, String> lastHold = new HashMap<>();
  /** Each guarded rollout's sequential evidence since it started or was reset. */
  private final Map<String, RolloutEvidence> evidence = new HashMap<>();
  /** Where the evidence is kept across restarts, or null; with what it held when opened, by flag. */
  private EvidenceFile evidenceFile;
  private final Map<String, RolloutEvidence.Snapshot> restoredEvidence = new HashMap<>();
  private boolean evidenceChanged;
  /**
   * A fleet's kept evidence text while it could not be read (Redis not answering when the provider
   * started); asked again each tick, and nothing of this guardian's is kept over it until it is read.
   * Null once read, and without a fleet.
   */
  private java.util.function.Supplier<String> unreadEvidence; // guarded by lock
  /** Calls and errors per variant per stage of each rollout, for incident reports; persisted with the evidence. */
  private StageCounts stageCounts = new StageCounts();
  private java.nio.file.Path stageCountsDirectory;
  /** Dry runs whose shadow would have rolled back and whose rule still fires: the rule, by flag. */
  private final Map<String, String> shadowFiring = new HashMap<>();
  private volatile Map<String, ExposureGate> gates = Map.of();
  /** What each flag's gates served, by flag: one count for all the gates a flag gets; guarded by lock. */
  private final Map<String, dev.burnguard.internal.gate.AdmissionCounts> served = new HashMap<>();
  /**
   * Whether the sample-ratio test runs: not in a fleet ({@link #coordinate}), whose windows sum every
   * replica's outcomes while the gates count only this replica's evaluations.
   */
  private volatile boolean judgesSampleRatio = true;
  /**
   * What each rollout's last tick read, by flag, reused from tick to tick (see {@link RolloutReading});
   * the readings of the last tick carry its number. Under {@link #lock}.
   */
  private final Map<String, RolloutReading> readings = new HashMap<>();
  /** The number of the last tick that read rollouts; written under {@link #lock}. */
  private volatile long ticks;
  /** The health built from the readings of tick {@link HealthView#tick}, built when first asked for. */
  private volatile HealthView health = new HealthView(0, Map.of());
  /** Scratch for one rollout's reads during a tick (see {@link RolloutReads}). Under {@link #lock}. */
  private final RolloutReads reads = new RolloutReads();

  /** Every rollout's health as of one tick. */
  private record HealthView(long tick, Map<String, RolloutHealth> byFlag) {}

  /**
   * The windows of the rollout being read and the sink of its sequential evidence's buckets, one
   * object reused for every rollout of every tick, so that a tick allocates no lambda per rollout.
   */
  private final class RolloutReads implements RolloutWindows, RolloutEvidence.Buckets {
    SliSource.FlagWindows recorded;
    /** Null, or how long ago the rollout's evidence was reset: windows are cut there. */
    Duration sinceReset;
    String flagKey;
    RolloutPlan plan;
    int stage;
    int latencyIndex;

    RolloutReads of(String flagKey, RolloutPlan plan, SliSource.FlagWindows recorded, RolloutState state,
        int latencyIndex, Instant now) {
      this.flagKey = flagKey;
      this.plan = plan;
      this.recorded = recorded;
      this.stage = state.stage();
      this.latencyIndex = latencyIndex;
      Instant since = state.evidenceSince();
      this.sinceReset = since == null ? null : Duration.between(since, now);
      return this;
    }

    /** Holds no rollout's windows past the tick. */
    void clear() {
      recorded = null;
      plan = null;
      flagKey = null;
      sinceReset = null;
    }

    /**
     * The windows the judge reads for a rollout: all recorded outcomes, or after a reset only those
     * recorded after it — every window is cut at the reset, to whole buckets wholly after it, until
     * it is longer ago than the window.
     */
    @Override
    public void counts(String variant, Duration window, long[] out) {
      if (sinceReset == null) {
        recorded.counts(variant, window, out);
      } else {
        recorded.countsSince(variant, window, sinceReset, out);
      }
    }

    /** A batch of the sequential evidence: read, and counted for the stage. */
    @Override
    public void counts(String variant, long fromSecond, long toSecond, long[] out) {
      recorded.countsBetween(variant, fromSecond, toSecond, out);
      stageCounts.add(flagKey, stage, variant.equals(plan.candidate()), out, latencyIndex);
    }
  }
  /** The latest decision published for each flag; guarded by lock. */
  private final Map<String, Decision> latest = new HashMap<>();

  /**
   * @param recorder where the outcomes of the flags' variants are recorded
   * @param journal durably records each decision before it takes effect (a store's append)
   * @param gatesOut receives the exposure gates whenever they change (the provider serves them)
   */
  public Guardian(Clock clock, SliSource recorder, Consumer<Decision> journal,
      Consumer<Map<String, ExposureGate>> gatesOut) {
    this(clock, recorder, Objects.requireNonNull(journal, "journal"), null, gatesOut, DEFAULT_REMOVED_RETENTION);
  }

  /**
   * A guardian journaling to {@code store}: every decision is {@linkplain
   * RolloutStore#compareAndAppend compare-and-appended} on the version it was made on before it
   * takes effect (on a conflict — another replica or a tool changed the rollout first — the
   * guardian takes the stored state and judges again; a decision the store refuses is not applied), each {@link #tick()} retries the store's writes while it is
   * unhealthy, and the states of flags whose plan has been gone for {@code removedRetention} are
   * {@linkplain RolloutStore#forget forgotten} by it.
   *
   * @param removedRetention how long the state of a flag whose plan disappeared is kept in case the
   *     plan returns (positive); {@link #DEFAULT_REMOVED_RETENTION} by default
   */
  public Guardian(Clock clock, SliSource recorder, RolloutStore store, Consumer<Map<String, ExposureGate>> gatesOut,
      Duration removedRetention) {
    this(clock, recorder, null, Objects.requireNonNull(store, "store"), gatesOut, removedRetention);
  }

  private Guardian(Clock clock, SliSource recorder, Consumer<Decision> journal, RolloutStore store,
      Consumer<Map<String, ExposureGate>> gatesOut, Duration removedRetention) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    this.journal = journal;
    this.store = store;
    this.gatesOut = Objects.requireNonNull(gatesOut, "gatesOut");
    Objects.requireNonNull(removedRetention, "removedRetention");
    if (removedRetention.isNegative() || removedRetention.isZero()) {
      throw new IllegalArgumentException("removedRetention must be positive, got " + removedRetention);
    }
    this.removedRetention = removedRetention;
  }

  /**
   * A review of every decision the judge makes, before it is applied: it returns the decision, or
   * another one in its place (a HOLD or a freeze's SHRINK of the error-budget policy). Called under
   * the guardian's lock, at every tick of every guarded rollout; must be quick and must not call the
   * guardian.
   */
  public interface DecisionReview {
    /** @param judged the judge's decision on {@code state} under {@code plan}, or null for none */
    Decision review(RolloutPlan plan, RolloutState state, Decision judged, Instant now);
  }

  /** Has {@code review} review every decision the judge makes from the next tick on. */
  public void review(DecisionReview review) {
    this.review = Objects.requireNonNull(review, "review");
  }

  /** Restores persisted states; call before the first {@link #plans} and tick. */
  public void restore(Collection<RolloutState> restored) {
    synchronized (lock) {
      for (RolloutState s : restored) {
        states.put(s.flagKey(), s);
      }
    }
  }

  /**
   * Coordinates this guardian with others sharing its store (a fleet): {@code beforeTick} runs at
   * the start of every {@link #tick()}, outside the lock (it may do I/O: push SLIs, renew a lease,
   * read changes), and the tick decides on rollouts only while {@code decides} says so (the lease
   * holder, or every replica while the shared store is unreachable); otherwise it still computes
   * every rollout's {@linkplain #health() health} (and advances its sequential evidence) on the same
   * windows (a fleet's sums), so that every replica reports what the decider judges. Plans and
   * manual decisions are not affected: they go through the store's compare-and-set on every replica.
   * A coordinated guardian does not run the sample-ratio-mismatch test: its windows sum every
   * replica's outcomes, its gates count only this replica's evaluations.
   */
  public void coordinate(Runnable beforeTick, java.util.function.BooleanSupplier decides) {
    this.beforeTick = Objects.requireNonNull(beforeTick, "beforeTick");
    this.decides = Objects.requireNonNull(decides, "decides");
    // the fleet's windows hold every replica's outcomes, the gates count this replica's evaluations:
    // comparing them would see a mismatch wherever traffic is uneven across replicas
    this.judgesSampleRatio = false;
  }

  /**
   * Runs {@code task} at the start of every {@link #tick()}, after a fleet's coordination and before
   * judging, outside the lock (it may do I/O and call this guardian's manual controls): the manual
   * controls a tool asked for through the state directory. Replaces an earlier task.
   */
  public void beforeEachTick(Runnable task) {
    this.housekeeping = Objects.requireNonNull(task, "task");
  }

  /**
   * Takes the store's state of {@code flagKey} when it differs from this guardian's: another replica
   * or a tool changed the rollout. Republishes the gates and hands the
   * store's decision that led to it (if the store still has it) to the listeners. Called by the
   * store's {@linkplain RolloutStore#onChange change notifications} and polls; a no-op without a
   * store or when nothing is newer.
   */
  public void refresh(String flagKey) {
    if (store == null) {
      return;
    }
    try {
      synchronized (lock) {
        RolloutState stored = store.load().states().get(flagKey);
        if (stored != null && adopt(stored)) {
          List<Decision> last = store.decisions(flagKey, 1);
          if (!last.isEmpty() && last.get(0).after().version() == stored.version()) {
            undelivered.addLast(last.get(0));
          }
          publishGates();
        }
      }
    } finally {
      deliver();
    }
  }

  /**
   * Takes {@code stored}, the state the store holds now, if it differs from what this guardian holds
   * for its flag; true when it did. The store is never behind this guardian (every state this
   * guardian applies was recorded there first), so a different stored state is newer — or, after a
   * partition, the fleet's state that the safety-first merge kept. Under lock.
   */
  private boolean adopt(RolloutState stored) {
    String flagKey = stored.flagKey();
    RolloutState mine = states.containsKey(flagKey) ? states.get(flagKey) : retained.get(flagKey);
    if (stored.equals(mine)) {
      return false;
    }
    if (retained.containsKey(flagKey) && !plans.containsKey(flagKey)) {
      retained.put(flagKey, stored.planRemovedAt() != null ? stored : new RolloutState(flagKey,
          stored.planFingerprint(), stored.status(), stored.stage(), stored.exposure(), stored.shrinks(),
          stored.stageStartedAt(), stored.until(), stored.pausedStatus(), stored.version(), stored.evidenceSince(),
          retained.get(flagKey).planRemovedAt()));
    } else {
      states.put(flagKey, stored);
      lastHold.remove(flagKey);
    }
    return true;
  }

  /**
   * The plans in force, by flag (after each flag load), all read from the flag file. See
   * {@link #plans(Map, java.util.Set)}.
   */
  public void plans(Map<String, RolloutPlan> newPlans) {
    plans(newPlans, java.util.Set.of());
  }

  /**
   * The plans in force, by flag (after each flag load). A new plan starts a rollout; a plan whose
   * candidate or control changed starts it over; any other change applies in place (a
   * PLAN_CHANGED decision); the rollouts of flags without a plan stop being guarded and served and
   * their states are kept for the retention: a removal seen by this guardian is journaled (a
   * PLAN_CHANGED decision with {@link RolloutState#planRemovedAt()}); a restored state that has no
   * plan and no recorded removal counts its retention from this call, without a journal entry.
   *
   * @param fromCode the flags whose plans were given in code (actor {@value #CODE} of their
   *     PLAN_CHANGED decisions); the others come from the flag file ({@value #FILE})
   */
  public void plans(Map<String, RolloutPlan> newPlans, java.util.Set<String> fromCode) {
    plansServedWith(newPlans, fromCode, gatesOfNewPlans -> { });
  }

  /**
   * As {@link #plans(Map, java.util.Set)}, and hands {@code serve} the exposure gates of {@code
   * newPlans} before they are published or a tick can change them, under this guardian's lock: a
   * provider serves the flags that carry these plans together with their gates in one swap, so a new
   * flag's candidate is never visible without its gate. {@code serve} must be quick and must not
   * call this guardian.
   */
  public void plansServedWith(Map<String, RolloutPlan> newPlans, java.util.Set<String> fromCode,
      Consumer<Map<String, ExposureGate>> serve) {
    Objects.requireNonNull(serve, "serve");
    try {
      synchronized (lock) {
        Map<String, RolloutPlan> previous = plans;
        plans = Map.copyOf(newPlans);
        Map<String, Integer> indexes = new HashMap<>();
        plans.forEach((flagKey, plan) -> indexes.put(flagKey, latencyIndex(plan)));
        latencyIndexes = Map.copyOf(indexes);
        Instant now = now();
        for (Map.Entry<String, RolloutPlan> e : plans.entrySet()) {
          String flagKey = e.getKey();
          RolloutPlan plan = e.getValue();
          String actor = fromCode.contains(flagKey) ? CODE : FILE;
          RolloutState current = states.get(flagKey);
          if (current == null) {
            current = retained.remove(flagKey);
            if (current != null) {
              states.put(flagKey, current);
            }
          }
          if (current == null) {
            apply(new Decision(flagKey, now, DecisionAction.START, Decision.GUARDIAN, plan.mode() == RolloutMode.ENFORCE,
                "new rollout of " + plan.candidate(), List.of(), null, RolloutState.start(flagKey, plan, now)));
          } else if (!sameVariants(current.planFingerprint(), plan)) {
            RolloutState start = RolloutState.start(flagKey, plan, now);
            start = new RolloutState(flagKey, start.planFingerprint(), start.status(), 0, start.exposure(), 0, now,
                null, null, current.version() + 1, now, null);
            apply(new Decision(flagKey, now, DecisionAction.START, actor, plan.mode() == RolloutMode.ENFORCE,
                "the candidate changed (now " + plan.candidate() + " against " + plan.control()
                    + "); starting over from stage 0, judging only evidence recorded from " + now + " on",
                List.of(), current, start));
          } else if (!current.planFingerprint().equals(plan.fingerprint()) || current.planRemovedAt() != null) {
            RolloutPlan old = previous.get(flagKey);
            RolloutState next = inPlace(current, old != null && old.fingerprint().equals(current.planFingerprint())
                ? old : null, plan);
            String what = current.planFingerprint().equals(plan.fingerprint()) ? "unchanged"
                : changes(current.planFingerprint(), plan.fingerprint());
            apply(new Decision(flagKey, now, DecisionAction.PLAN_CHANGED, actor, plan.mode() == RolloutMode.ENFORCE,
                (current.planRemovedAt() != null ? "the plan is back after " + Duration.between(current.planRemovedAt(), now)
                    + " (" + what + ")" : "the plan changed: " + what) + "; the rollout continues " + next.status()
                    + " at stage " + next.stage() + ", exposure " + String.format(java.util.Locale.ROOT, "%.2f%%",
                        next.exposure() * 100),
                List.of(), current, next));
          }
        }
        for (RolloutState s : List.copyOf(states.values())) {
          if (!plans.containsKey(s.flagKey())) {
            states.remove(s.flagKey());
            RolloutState kept = s;
            if (s.planRemovedAt() == null && previous.containsKey(s.flagKey())) {
              kept = s.withPlanRemovedAt(now);
              journalAndQueue(new Decision(s.flagKey(), now, DecisionAction.PLAN_CHANGED,
                  fromCode.contains(s.flagKey()) ? CODE : FILE, false,
                  "the plan disappeared; the rollout is no longer guarded, its state is kept until "
                      + now.plus(removedRetention) + " in case the plan returns", List.of(), s, kept));
            } else if (s.planRemovedAt() == null) {
              // restored without a plan and without a recorded removal (a store written before
              // removals were recorded): the retention counts from now, the store is left as it is
              kept = new RolloutState(s.flagKey(), s.planFingerprint(), s.status(), s.stage(), s.exposure(),
                  s.shrinks(), s.stageStartedAt(), s.until(), s.pausedStatus(), s.version(), s.evidenceSince(), now);
            }
            retained.put(s.flagKey(), kept);
          }
        }
        publishGates(serve);
      }
    } finally {
      deliver();
    }
  }

  /** Whether a stored fingerprint belongs to a plan with {@code plan}'s control and candidate. */
  private static boolean sameVariants(String fingerprint, RolloutPlan plan) {
    // fingerprints start "v1|control|candidate|"; a different layout (a future version) starts over
    return fingerprint.startsWith("v1|" + plan.control() + "|" + plan.candidate() + "|");
  }

  private static final String[] FINGERPRINT_FIELDS = {"version", "control", "candidate", "stages", "slo", "rules",
      "mode", "alpha", "maxShrinks", "coolDown", "watch", "sharedCauseRatio", "minCandidateCalls"};

  /** What differs between two fingerprints, as "watch PT10M -> PT11M, …". */
  static String changes(String before, String after) {
    String[] a = withOptionalFields(before.split("\\|", -1));
    String[] b = withOptionalFields(after.split("\\|", -1));
    if (a.length != FINGERPRINT_FIELDS.length || b.length != FINGERPRINT_FIELDS.length) {
      return before + " -> " + after;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < a.length; i++) {
      if (!a[i].equals(b[i])) {
        sb.append(sb.length() == 0 ? "" : ", ").append(FINGERPRINT_FIELDS[i]).append(' ').append(a[i]).append(" -> ")
            .append(b[i]);
      }
    }
    return sb.length() == 0 ? "unchanged" : sb.toString();
  }

  /** A fingerprint's fields with the trailing optional one (minCandidateCalls, absent at its default) filled in. */
  private static String[] withOptionalFields(String[] fields) {
    if (fields.length != FINGERPRINT_FIELDS.length - 1) {
      return fields;
    }
    String[] all = java.util.Arrays.copyOf(fields, FINGERPRINT_FIELDS.length);
    all[all.length - 1] = Long.toString(RolloutPlan.DEFAULT_MIN_CANDIDATE_CALLS);
    return all;
  }

  /**
   * {@code s} under {@code plan}, where it stands: the stage is kept (the last one if the plan has
   * fewer), a ramping rollout takes the stage's new exposure, a cooling-down one never more than it,
   * and with the previous plan known, a watch or cool-down ends as long after its start as the new
   * plan says. A rolled-back, paused or completed rollout keeps its exposure.
   */
  private static RolloutState inPlace(RolloutState s, RolloutPlan old, RolloutPlan plan) {
    int stage = Math.min(s.stage(), plan.stages().size() - 1);
    double exposure = s.exposure();
    Instant until = s.until();
    switch (s.status()) {
      case RAMPING:
        exposure = plan.stages().get(stage).exposure();
        break;
      case COOLING_DOWN:
        exposure = Math.min(exposure, plan.stages().get(stage).exposure());
        if (old != null && until != null) {
          until = until.minus(old.coolDown()).plus(plan.coolDown());
        }
        break;
      case WATCHING:
        if (old != null && until != null) {
          until = until.minus(old.watch()).plus(plan.watch());
        }
        break;
      default:
        break;
    }
    return s.withPlan(plan.fingerprint(), stage, exposure, until);
  }

  /** Judges every rollout once and applies what changes; returns the decisions that were applied or published. */
  public List<Decision> tick() {
    try {
      beforeTick.run();
    } catch (RuntimeException e) {
      LOG.error("Coordinating the guardian's tick failed; judging on what it knows", e);
    }
    try {
      housekeeping.run();
    } catch (RuntimeException e) {
      LOG.error("The work before the guardian's tick failed; judging on what it knows", e);
    }
    readKeptEvidence();
    try {
      return tickLocked(decides.getAsBoolean());
    } finally {
      deliver();
      retryStore();
    }
  }

  private List<Decision> tickLocked(boolean judge) {
    synchronized (lock) {
      Instant now = now();
      List<Decision> out = new ArrayList<>();
      forgetExpired(now);
      long tick = ticks + 1;
      int read = 0;
      boolean changed = false;
      for (Map.Entry<String, RolloutPlan> e : plans.entrySet()) {
        String flagKey = e.getKey();
        RolloutPlan plan = e.getValue();
        RolloutState state = states.get(flagKey);
        if (state == null) {
          continue;
        }
        SliSource.FlagWindows recorded = recorder.windows(flagKey);
        RolloutEvidence ev = evidence(flagKey, plan);
        int latencyIndex = latencyIndexes.get(flagKey);
        RolloutReads r = reads.of(flagKey, plan, recorded, state, latencyIndex, now);
        if (state.status().guarded()) {
          ExposureGate gate = gates.get(flagKey);
          boolean sampleRatio = judgesSampleRatio && gate != null;
          evidenceChanged |= ev.advance(plan, latencyIndex, r, recorded.second(), sampleRatio ? gate.served() : null,
              sampleRatio ? gate.exposure() : Double.NaN);
        }
        RolloutReading reading = readings.computeIfAbsent(flagKey, k -> new RolloutReading());
        reading.read(flagKey, plan, state, r, latencyIndex, now, ev, latest.get(flagKey));
        reading.tick = tick;
        read++;
        if (!judge || !state.status().guarded()) {
          continue; // a fleet replica that does not decide: health on the fleet's windows, no decision
        }
        Decision d = review.review(plan, state, RolloutJudge.decide(reading, sampleRatioMismatch(ev, plan)), now);
        if (plan.mode() == RolloutMode.DRY_RUN && shadow(flagKey, state, d, now, out)) {
          continue;
        }
        if (d != null && d.changes() && !apply(d)) {
          // another replica or a tool changed the rollout first: judge the state now stored, once,
          // on a fresh reading (a refused decision leaves the state as it was: nothing to judge again)
          RolloutState judged = state;
          state = states.get(flagKey);
          if (state == judged || state == null || !state.status().guarded()) {
            changed |= state != judged;
            continue;
          }
          changed = true;
          reading.read(flagKey, plan, state, reads.of(flagKey, plan, recorded, state, latencyIndex, now), latencyIndex,
              now, ev, latest.get(flagKey));
          d = review.review(plan, state, RolloutJudge.decide(reading, sampleRatioMismatch(ev, plan)), now);
          if (d != null && d.changes() && !apply(d)) {
            continue; // changed again: the next tick judges it
          }
        }
        if (d == null) {
          lastHold.remove(flagKey);
        } else if (d.changes()) {
          out.add(d);
        } else if (publishableHold(flagKey, d)) {
          latest.put(flagKey, d);
          undelivered.addLast(d);
          out.add(d);
        }
      }
      if (!out.isEmpty() || changed) {
        publishGates();
      }
      if (read != readings.size()) {
        readings.values().removeIf(reading -> reading.tick != tick); // rollouts gone since the last tick
      }
      reads.clear();
      ticks = tick;
      writeEvidence();
      return out;
    }
  }

  /** The evidence's words for a sample-ratio mismatch, or null (also when the test does not run). */
  private String sampleRatioMismatch(RolloutEvidence ev, RolloutPlan plan) {
    return judgesSampleRatio ? ev.sampleRatioMismatch(plan) : null;
  }

  /** The flag's evidence under {@code plan}: afresh for a new rollout, a reset or a plan edited in place. */
  private RolloutEvidence evidence(String flagKey, RolloutPlan plan) {
    RolloutEvidence ev = evidence.get(flagKey);
    if (ev == null || !ev.isFor(plan)) {
      RolloutEvidence.Snapshot kept = restoredEvidence.remove(flagKey);
      ev = kept == null ? new RolloutEvidence(plan) : RolloutEvidence.restored(plan, kept);
      evidence.put(flagKey, ev);
    }
    return ev;
  }

  /**
   * Keeps the rollouts' sequential evidence (the detectors' statistics and the stage's candidate
   * calls) in {@code directory}, beside the rollout state, and continues from what it holds: a
   * restart then neither forgets a stage's progress nor a burning regression's evidence. Call before
   * the first tick; the provider does for its state directory.
   */
  public void persistEvidenceIn(java.nio.file.Path directory) {
    synchronized (lock) {
      evidenceFile = new EvidenceFile(Objects.requireNonNull(directory, "directory"));
      restoredEvidence.clear();
      restoredEvidence.putAll(evidenceFile.read());
      stageCounts = StageCounts.read(directory);
      stageCountsDirectory = directory;
    }
  }

  /**
   * {@code flagKey}'s calls, errors and slow calls per variant per stage since its rollout started or
   * was reset (see {@link StageCounts}); kept across restarts with {@link #persistEvidenceIn}.
   */
  public List<StageCounts.Stage> stageCounts(String flagKey) {
    synchronized (lock) {
      return stageCounts.of(flagKey);
    }
  }

  /**
   * As {@link #persistEvidenceIn}, with the evidence (and the {@linkplain #stageCounts stage
   * counts}) kept as text by someone else — a fleet keeps it with the rollout state in its store, so
   * that a fleet restarted without state directories continues its tests and its reports: {@code read} gives the text last kept (null for none; called now;
   * it throws when the text cannot be read, and is then called again at each tick until it can,
   * with nothing written over the kept text before), {@code write} keeps a new one (called at most once per evidence batch, on the guardian's
   * thread; it must not throw).
   */
  public void persistEvidenceWith(java.util.function.Supplier<String> read, Consumer<String> write) {
    synchronized (lock) {
      evidenceFile = EvidenceFile.kept(Objects.requireNonNull(read, "read"), Objects.requireNonNull(write, "write"));
      String text;
      try {
        text = read.get(); // read once: the evidence and the stage counts are in the same text, see writeEvidence
        unreadEvidence = null;
      } catch (RuntimeException e) {
        text = null; // not now: the tests and the counts start afresh, and each tick asks again
        unreadEvidence = read;
      }
      restoredEvidence.clear();
      restoredEvidence.putAll(EvidenceFile.parse(text));
      stageCounts = StageCounts.parse(text);
      stageCountsDirectory = null;
    }
  }

  /**
   * Takes the kept evidence that could not be read at start, once it can be: it replaces what this
   * guardian gathered meanwhile for the same flags (leaving those calls out of the tests keeps every
   * bound) and the stage counts. Reads outside the lock (it is I/O), applies under it.
   */
  private void readKeptEvidence() {
    java.util.function.Supplier<String> unread;
    synchronized (lock) {
      unread = unreadEvidence;
    }
    if (unread == null) {
      return;
    }
    String text;
    try {
      text = unread.get();
    } catch (RuntimeException e) {
      return; // still not: the next tick asks again
    }
    synchronized (lock) {
      if (unreadEvidence != unread) {
        return; // persisted elsewhere meanwhile
      }
      unreadEvidence = null;
      Map<String, RolloutEvidence.Snapshot> kept = EvidenceFile.parse(text);
      evidence.keySet().removeAll(kept.keySet());
      restoredEvidence.clear();
      restoredEvidence.putAll(kept);
      stageCounts = StageCounts.parse(text);
    }
  }

  /** Writes the evidence when a tick read new batches (once per batch); a failure is logged and retried by a later tick. */
  private void writeEvidence() {
    if (evidenceFile == null || !evidenceChanged || unreadEvidence != null) {
      return; // nothing new, or the kept evidence is not read yet: never write over it
    }
    Map<String, RolloutEvidence.Snapshot> all = new HashMap<>(restoredEvidence);
    evidence.forEach((flagKey, ev) -> {
      if (states.containsKey(flagKey)) {
        all.put(flagKey, ev.snapshot());
      }
    });
    try {
      stageCounts.retain(k -> states.containsKey(k) || retained.containsKey(k));
      if (stageCountsDirectory != null) {
        evidenceFile.write(all);
        stageCounts.write(stageCountsDirectory);
      } else { // a fleet keeps the evidence as text (no state directory): the stage counts go with it
        evidenceFile.write(all, stageCounts.text());
      }
      evidenceChanged = false;
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warn("Cannot write the rollouts' evidence to {}; a later tick retries", EvidenceFile.NAME, e);
    }
  }

  /**
   * A dry run is a full shadow: its "would roll back" is published once, and while the rule keeps
   * firing nothing more is said; when it stops, a HOLD records that and what the shadow would do next
   * (the next decision, published as usual). Returns whether {@code d} was consumed here.
   */
  private boolean shadow(String flagKey, RolloutState state, Decision d, Instant now, List<Decision> out) {
    String firing = shadowFiring.get(flagKey);
    boolean wouldRollBack = d != null && d.action() == DecisionAction.ROLLBACK;
    if (wouldRollBack) {
      if (firing != null) {
        return true; // still firing: said already
      }
      shadowFiring.put(flagKey, d.reason());
      return false;
    }
    if (firing != null) {
      shadowFiring.remove(flagKey);
      Decision stopped = new Decision(flagKey, now, DecisionAction.HOLD, Decision.GUARDIAN, false,
          "dry run: the rule that would have rolled back stopped firing; the shadow would now "
              + (d == null ? "hold" : d.action().name().toLowerCase(java.util.Locale.ROOT))
              + " (it fired on: " + firing + ")", d == null ? List.of() : d.evidence(), state, state);
      latest.put(flagKey, stopped);
      undelivered.addLast(stopped);
      out.add(stopped);
      lastHold.remove(flagKey);
    }
    return false;
  }

  /** Drops the states of flags whose plan has been gone for the retention. */
  private void forgetExpired(Instant now) {
    for (java.util.Iterator<RolloutState> it = retained.values().iterator(); it.hasNext(); ) {
      RolloutState s = it.next();
      if (!now.isBefore(s.planRemovedAt().plus(removedRetention))) {
        it.remove();
        evidence.remove(s.flagKey());
        latest.remove(s.flagKey());
        if (store != null) {
          store.forget(s.flagKey());
        }
        LOG.info("Forgot the rollout state of flag {} ({}, version {}): its plan has been gone since {}, longer "
            + "than the retention of {}", s.flagKey(), s.status(), s.version(), s.planRemovedAt(), removedRetention);
      }
    }
  }

  /** While the store is unhealthy, retries its writes (outside the lock: it may wait for the disk). */
  private void retryStore() {
    if (store == null) {
      return;
    }
    try {
      if (!store.health().healthy()) {
        store.flush();
      }
    } catch (RuntimeException e) {
      LOG.error("Rollout store {} failed to flush; the next tick retries", store, e);
    }
  }

  /** Pauses a rollout: its exposure stays until resumed; rules may still roll it back. */
  public Decision pause(String flagKey, String actor) {
    return manual(flagKey, actor, DecisionAction.PAUSE, (plan, s, now) -> {
      require(s.status().guarded() && s.status() != RolloutStatus.PAUSED, s, "pause");
      return s.with(RolloutStatus.PAUSED, s.stage(), s.exposure(), s.shrinks(), s.stageStartedAt(), s.until(), s.status());
    });
  }

  /** Resumes a paused rollout where it was. */
  public Decision resume(String flagKey, String actor) {
    return manual(flagKey, actor, DecisionAction.RESUME, (plan, s, now) -> {
      require(s.status() == RolloutStatus.PAUSED, s, "resume");
      return s.with(s.pausedStatus(), s.stage(), s.exposure(), s.shrinks(), now, s.until(), null);
    });
  }

  /** Moves a ramping rollout to its next stage now (or to watching at 100 %). */
  public Decision promote(String flagKey, String actor) {
    return manual(flagKey, actor, DecisionAction.PROMOTE, (plan, s, now) -> {
      require(s.status() == RolloutStatus.RAMPING || s.status() == RolloutStatus.COOLING_DOWN, s, "promote");
      int last = plan.stages().size() - 1;
      if (s.stage() >= last) {
        return s.with(RolloutStatus.WATCHING, last, 1, s.shrinks(), now, now.plus(plan.watch()), null);
      }
      int next = s.status() == RolloutStatus.COOLING_DOWN ? s.stage() : s.stage() + 1;
      return s.with(RolloutStatus.RAMPING, next, plan.stages().get(next).exposure(), s.shrinks(), now, null, null);
    });
  }

  /** Rolls the candidate back: exposure 0 until reset. */
  public Decision rollback(String flagKey, String actor) {
    return manual(flagKey, actor, DecisionAction.ROLLBACK, (plan, s, now) -> {
      require(s.status() != RolloutStatus.ROLLED_BACK, s, "roll back");
      return s.with(RolloutStatus.ROLLED_BACK, s.stage(), 0, s.shrinks(), now, null, null);
    });
  }

  /**
   * Starts the rollout over from its first stage under the plan in force, e.g. after a rolled-back
   * candidate was fixed: the person's restart. From now on the rollout is judged only on outcomes
   * recorded after this moment ({@link RolloutState#evidenceSince()}): the errors that made it roll
   * back do not roll it back again.
   */
  public Decision reset(String flagKey, String actor) {
    return manual(flagKey, actor, DecisionAction.RESET, (plan, s, now) -> {
      RolloutState fresh = RolloutState.start(flagKey, plan, now);
      return new RolloutState(flagKey, fresh.planFingerprint(), fresh.status(), 0, fresh.exposure(), 0, now, null,
          null, s.version() + 1, now, null);
    });
  }

  /**
   * Records a person's override of the error-budget policy for {@code flagKey}'s rollout, with
   * {@code why} in the decision's reason: an OVERRIDE decision that changes nothing but the
   * state's version (the policy lets the rollout's next advance through while it is in that state).
   */
  public Decision overrideBudgetPolicy(String flagKey, String actor, String why) {
    Objects.requireNonNull(why, "why");
    return manual(flagKey, actor, DecisionAction.OVERRIDE, why, (plan, s, now) -> {
      require(s.status().guarded(), s, "override the error-budget policy for");
      return s.with(s.status(), s.stage(), s.exposure(), s.shrinks(), s.stageStartedAt(), s.until(), s.pausedStatus());
    });
  }

  private interface Transition {
    RolloutState next(RolloutPlan plan, RolloutState state, Instant now);
  }

  private Decision manual(String flagKey, String actor, DecisionAction action, Transition transition) {
    return manual(flagKey, actor, action, null, transition);
  }

  /** A manual decision; {@code note}, when not null, follows "… requested by actor" in its reason. */
  private Decision manual(String flagKey, String actor, DecisionAction action, String note, Transition transition) {
    try {
      return manualLocked(flagKey, actor, action, note, transition);
    } finally {
      deliver();
    }
  }

  /** How often a manual decision is made again on the state another writer stored meanwhile. */
  private static final int MANUAL_ATTEMPTS = 5;

  private Decision manualLocked(String flagKey, String actor, DecisionAction action, String note,
      Transition transition) {
    Objects.requireNonNull(actor, "actor");
    synchronized (lock) {
      for (int attempt = 1; ; attempt++) {
        RolloutPlan plan = plans.get(flagKey);
        RolloutState state = states.get(flagKey);
        if (plan == null || state == null) {
          throw new IllegalArgumentException("flag \"" + flagKey + "\" has no rollout; rollouts: " + plans.keySet());
        }
        Instant now = now();
        RolloutState next = transition.next(plan, state, now);
        String reason = action.name().toLowerCase(java.util.Locale.ROOT) + " requested by " + actor
            + (note == null ? "" : ": " + note);
        if (action == DecisionAction.RESET) {
          reason += "; starting over from stage 0, judging only evidence recorded from " + now + " on";
        }
        Decision d = new Decision(flagKey, now, action, actor, plan.mode() == RolloutMode.ENFORCE, reason, List.of(),
            state, next);
        if (apply(d)) {
          publishGates();
          return d;
        }
        publishGates(); // the state another writer stored
        if (lastRefusal != null) {
          String why = lastRefusal;
          lastRefusal = null;
          throw new IllegalStateException("cannot " + action.name().toLowerCase(java.util.Locale.ROOT) + " flag \""
              + flagKey + "\" now: " + why);
        }
        if (attempt == MANUAL_ATTEMPTS) {
          throw new IllegalStateException("cannot " + action.name().toLowerCase(java.util.Locale.ROOT) + " flag \""
              + flagKey + "\": other writers changed its rollout " + attempt + " times in a row; try again");
        }
        // a conflict: the transition is made again on the state now stored (and may now be refused)
      }
    }
  }

  private static void require(boolean allowed, RolloutState s, String what) {
    if (!allowed) {
      throw new IllegalStateException("cannot " + what + " flag \"" + s.flagKey() + "\": its rollout is " + s.status());
    }
  }

  /** Why the store last refused a decision; read and cleared by the manual path. Guarded by lock. */
  private String lastRefusal;
  /** The last refusal logged per "flag action", so that one repeated every tick is logged once. Guarded by lock. */
  private final Map<String, String> refusalsLogged = new HashMap<>();

  /**
   * Journal first (a decision is acknowledged once journaled), then state; log and listeners after
   * the lock. With a store, the decision is compare-and-appended on the version it was made on: on
   * a conflict the stored state is taken instead (and false returned, nothing applied), on a
   * refusal nothing changes (false, the reason in {@link #lastRefusal}).
   */
  private boolean apply(Decision d) {
    if (!record(d)) {
      return false;
    }
    if (d.action() == DecisionAction.START || d.action() == DecisionAction.RESET) {
      // judged only on what is recorded from now on
      RolloutPlan plan = plans.get(d.flagKey());
      if (plan != null) {
        evidence.put(d.flagKey(), new RolloutEvidence(plan).startingAt(recorder.windows(d.flagKey()).second()));
      }
      restoredEvidence.remove(d.flagKey());
      shadowFiring.remove(d.flagKey());
      stageCounts.clear(d.flagKey());
      evidenceChanged = true;
    }
    states.put(d.flagKey(), d.after());
    lastHold.remove(d.flagKey());
    latest.put(d.flagKey(), d);
    undelivered.addLast(d);
    return true;
  }

  /** Records {@code d} in the journal or store; false (state adopted or refusal noted) when it was not. */
  private boolean record(Decision d) {
    if (store == null) {
      journal.accept(d);
      return true;
    }
    RolloutStore.Appended r = store.compareAndAppend(d);
    switch (r.outcome()) {
      case DURABLE:
      case QUEUED:
        return true;
      case CONFLICT:
        if (r.current() != null) {
          adopt(r.current());
        }
        LOG.info("{}: not applied, the rollout changed meanwhile (now version {}): {}", d.flagKey(),
            r.current() == null ? "none" : r.current().version(), d.describe());
        return false;
      default:
        lastRefusal = r.refusal();
        if (!r.refusal().equals(refusalsLogged.put(d.flagKey() + " " + d.action(), r.refusal()))) {
          // once per flag, action and reason: a refused advance is judged again every tick
          LOG.warn("{}: not applied ({}): {}", d.flagKey(), r.refusal(), d.describe());
        }
        return false;
    }
  }

  private void journalAndQueue(Decision d) {
    if (record(d)) {
      undelivered.addLast(d);
    }
  }

  /**
   * Logs and hands to the listeners every queued decision, in order; called without the lock. If
   * another thread is delivering, it delivers ours too (it checks the queue again before it stops).
   */
  private void deliver() {
    while (delivering.compareAndSet(false, true)) {
      try {
        while (true) {
          Decision d;
          synchronized (lock) {
            d = undelivered.pollFirst();
          }
          if (d == null) {
            break;
          }
          publish(d);
        }
      } finally {
        delivering.set(false);
      }
      synchronized (lock) {
        if (undelivered.isEmpty()) {
          return;
        }
      }
    }
  }

  private void publish(Decision d) {
    if (d.action() == DecisionAction.ROLLBACK || d.action() == DecisionAction.SHRINK || d.action() == DecisionAction.HOLD) {
      LOG.warn("{}", d.describe());
    } else {
      LOG.info("{}", d.describe());
    }
    for (Consumer<Decision> l : listeners) {
      try {
        l.accept(d);
      } catch (RuntimeException e) {
        LOG.warn("Rollout listener {} failed on a decision for {}", l, d.flagKey(), e);
      }
    }
  }

  /** A hold is published once when it starts: a shared regression, or a burn without evidence yet. */
  private boolean publishableHold(String flagKey, Decision d) {
    String reason = d.reason();
    String kind = reason.substring(0, Math.max(0, reason.indexOf(':')));
    return !kind.equals(lastHold.put(flagKey, kind));
  }

  private void publishGates() {
    publishGates(gatesOfNewPlans -> { });
  }

  /** Publishes the gates of the current states, handing them to {@code serve} first. */
  private void publishGates(Consumer<Map<String, ExposureGate>> serve) {
    Map<String, ExposureGate> next = new HashMap<>();
    for (Map.Entry<String, RolloutPlan> e : plans.entrySet()) {
      RolloutState s = states.get(e.getKey());
      RolloutPlan plan = e.getValue();
      if (s == null) {
        continue;
      }
      Map<String, Object> md = Map.of(STATUS_METADATA, s.status().name(), STAGE_METADATA, (long) s.stage(),
          EXPOSURE_METADATA, s.exposure(), MODE_METADATA, plan.mode().name());
      next.put(e.getKey(), new ExposureGate(e.getKey(), plan.candidate(), plan.control(), s.exposure(),
          plan.mode() == RolloutMode.ENFORCE,
          s.status() == RolloutStatus.ROLLED_BACK ? ROLLED_BACK_REASON : ROLLOUT_REASON, md,
          served.computeIfAbsent(e.getKey(), k -> new dev.burnguard.internal.gate.AdmissionCounts())));
    }
    Map<String, ExposureGate> frozen = Collections.unmodifiableMap(next);
    serve.accept(frozen);
    if (!frozen.equals(gates)) {
      gates = frozen;
      gatesOut.accept(frozen);
    }
  }

  /** The index of the plan's latency threshold among the recorder's, or -1 when it is not counted. */
  private int latencyIndex(RolloutPlan plan) {
    Optional<Duration> threshold = plan.slo().latencyThreshold();
    return threshold.map(t -> recorder.latencyThresholds().indexOf(t)).orElse(-1);
  }

  /** Calls {@code listener} with every applied decision (and notable holds), after it is journaled. */
  public void addListener(Consumer<Decision> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops calling {@code listener} (the same instance given to {@link #addListener}); no-op if absent. */
  public void removeListener(Consumer<Decision> listener) {
    listeners.remove(listener);
  }

  /** The state of a flag's rollout. */
  public Optional<RolloutState> state(String flagKey) {
    synchronized (lock) {
      return Optional.ofNullable(states.get(flagKey));
    }
  }

  /** Every rollout's state, by flag. */
  public Map<String, RolloutState> states() {
    synchronized (lock) {
      return Map.copyOf(states);
    }
  }

  /**
   * The states of flags whose plan disappeared, kept (unguarded, not served) until their
   * {@link RolloutState#planRemovedAt()} is longer ago than the retention, by flag.
   */
  public Map<String, RolloutState> retainedStates() {
    synchronized (lock) {
      return Map.copyOf(retained);
    }
  }

  /** The plans in force, by flag. */
  public Map<String, RolloutPlan> plans() {
    synchronized (lock) {
      return plans;
    }
  }

  /**
   * Every rollout's health as the guardian saw it at its last tick, by flag: window counts and burn
   * rates per variant, every rule check with the sequential statistic and threshold, the stage's
   * progress and the latest decision. Empty before the first tick. The numbers exporters and
   * dashboards show; thread-safe, an immutable snapshot.
   */
  public Map<String, RolloutHealth> health() {
    // Built from the tick's readings on the first read after a tick, not by the tick itself, so that a
    // tick over baking rollouts allocates nothing per rollout; later reads of the same tick share it.
    HealthView view = health;
    if (view.tick() == ticks) {
      return view.byFlag();
    }
    synchronized (lock) {
      long tick = ticks;
      view = health;
      if (view.tick() != tick) {
        Map<String, RolloutHealth> byFlag = new HashMap<>();
        for (RolloutReading reading : readings.values()) {
          if (reading.tick == tick) {
            byFlag.put(reading.flagKey(), reading.health());
          }
        }
        view = new HealthView(tick, Map.copyOf(byFlag));
        health = view;
      }
      return view.byFlag();
    }
  }

  /** {@code flagKey}'s entry of {@link #health()}. */
  public Optional<RolloutHealth> health(String flagKey) {
    return Optional.ofNullable(health().get(flagKey));
  }

  /** The gates in force, by flag. */
  public Map<String, ExposureGate> gates() {
    return gates;
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.wallMillis());
  }
}
