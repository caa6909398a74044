package dev.burnguard.rollout;

import dev.burnguard.outcome.SliRecorder;
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
 * <p>A rollout starts when a flag first has a plan, and starts again when its plan's fingerprint
 * changes (a new plan or candidate); restored states of the same plan continue where they were, so
 * a rolled-back flag stays rolled back across restarts. Manual decisions (pause, resume, promote,
 * rollback, reset) go through the same path and are journaled with the person as actor.
 *
 * <p>Concurrency: ticks, plan changes and manual decisions are serialized by this guardian's lock;
 * they are rare (a tick per second) and never on the evaluation path. Reads of states and gates
 * return immutable snapshots. Listeners and the journal are called under the lock, in order; a
 * listener that throws is logged and skipped.
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

  private final Clock clock;
  private final SliRecorder recorder;
  private final Consumer<Decision> journal;
  private final Consumer<Map<String, ExposureGate>> gatesOut;
  private final List<Consumer<Decision>> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();

  // guarded by lock
  private Map<String, RolloutPlan> plans = Map.of();
  /** Each plan's {@link #latencyIndex}, by flag. */
  private Map<String, Integer> latencyIndexes = Map.of();
  private final Map<String, RolloutState> states = new LinkedHashMap<>();
  private final Map<String, String> lastHold = new HashMap<>();
  private volatile Map<String, ExposureGate> gates = Map.of();

  /**
   * @param recorder where the outcomes of the flags' variants are recorded
   * @param journal durably records each decision before it takes effect (a store's append)
   * @param gatesOut receives the exposure gates whenever they change (the provider serves them)
   */
  public Guardian(Clock clock, SliRecorder recorder, Consumer<Decision> journal,
      Consumer<Map<String, ExposureGate>> gatesOut) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    this.journal = Objects.requireNonNull(journal, "journal");
    this.gatesOut = Objects.requireNonNull(gatesOut, "gatesOut");
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
   * The plans in force, by flag (after each flag load). New plans and plans whose fingerprint
   * changed start a rollout now; rollouts of flags without a plan stop being guarded and served.
   */
  public void plans(Map<String, RolloutPlan> newPlans) {
    plansServedWith(newPlans, gatesOfNewPlans -> { });
  }

  /**
   * As {@link #plans(Map)}, and hands {@code serve} the exposure gates of {@code newPlans} before
   * they are published or a tick can change them, under this guardian's lock: a provider serves the
   * flags that carry these plans together with their gates in one swap, so a new flag's candidate is
   * never visible without its gate. {@code serve} must be quick and must not call this guardian.
   */
  public void plansServedWith(Map<String, RolloutPlan> newPlans, Consumer<Map<String, ExposureGate>> serve) {
    Objects.requireNonNull(serve, "serve");
    synchronized (lock) {
      plans = Map.copyOf(newPlans);
      Map<String, Integer> indexes = new HashMap<>();
      plans.forEach((flagKey, plan) -> indexes.put(flagKey, latencyIndex(plan)));
      latencyIndexes = Map.copyOf(indexes);
      Instant now = now();
      for (Map.Entry<String, RolloutPlan> e : plans.entrySet()) {
        RolloutState current = states.get(e.getKey());
        if (current == null || !current.planFingerprint().equals(e.getValue().fingerprint())) {
          RolloutState start = RolloutState.start(e.getKey(), e.getValue(), now);
          apply(new Decision(e.getKey(), now, DecisionAction.START, Decision.GUARDIAN,
              e.getValue().mode() == RolloutMode.ENFORCE,
              current == null ? "new rollout of " + e.getValue().candidate() : "the rollout plan changed; starting over",
              List.of(), current, start));
        }
      }
      states.keySet().retainAll(plans.keySet());
      publishGates(serve);
    }
  }

  /** Judges every rollout once and applies what changes; returns the decisions that were applied or published. */
  public List<Decision> tick() {
    synchronized (lock) {
      Instant now = now();
      List<Decision> out = new ArrayList<>();
      for (Map.Entry<String, RolloutPlan> e : plans.entrySet()) {
        String flagKey = e.getKey();
        RolloutPlan plan = e.getValue();
        RolloutState state = states.get(flagKey);
        if (state == null || !state.status().guarded()) {
          continue;
        }
        Decision d = RolloutJudge.decide(flagKey, plan, state, recorder.windows(flagKey)::counts,
            latencyIndexes.get(flagKey), now);
        if (d == null) {
          lastHold.remove(flagKey);
        } else if (d.changes()) {
          apply(d);
          out.add(d);
        } else if (publishableHold(flagKey, d)) {
          publish(d);
          out.add(d);
        }
      }
      if (!out.isEmpty()) {
        publishGates();
      }
      return out;
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

  /** Starts the rollout over from its first stage, e.g. after a rolled-back candidate was fixed. */
  public Decision reset(String flagKey, String actor) {
    return manual(flagKey, actor, DecisionAction.RESET, (plan, s, now) -> {
      RolloutState fresh = RolloutState.start(flagKey, plan, now);
      return new RolloutState(flagKey, fresh.planFingerprint(), fresh.status(), 0, fresh.exposure(), 0, now, null,
          null, s.version() + 1);
    });
  }

  private interface Transition {
    RolloutState next(RolloutPlan plan, RolloutState state, Instant now);
  }

  private Decision manual(String flagKey, String actor, DecisionAction action, Transition transition) {
    Objects.requireNonNull(actor, "actor");
    synchronized (lock) {
      RolloutPlan plan = plans.get(flagKey);
      RolloutState state = states.get(flagKey);
      if (plan == null || state == null) {
        throw new IllegalArgumentException("flag \"" + flagKey + "\" has no rollout; rollouts: " + plans.keySet());
      }
      Instant now = now();
      RolloutState next = transition.next(plan, state, now);
      Decision d = new Decision(flagKey, now, action, actor, plan.mode() == RolloutMode.ENFORCE,
          action.name().toLowerCase(java.util.Locale.ROOT) + " requested by " + actor, List.of(), state, next);
      apply(d);
      publishGates();
      return d;
    }
  }

  private static void require(boolean allowed, RolloutState s, String what) {
    if (!allowed) {
      throw new IllegalStateException("cannot " + what + " flag \"" + s.flagKey() + "\": its rollout is " + s.status());
    }
  }

  /** Journal first (a decision is acknowledged once journaled), then state, then log and listeners. */
  private void apply(Decision d) {
    journal.accept(d);
    states.put(d.flagKey(), d.after());
    lastHold.remove(d.flagKey());
    publish(d);
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
          s.status() == RolloutStatus.ROLLED_BACK ? ROLLED_BACK_REASON : ROLLOUT_REASON, md));
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

  /** The plans in force, by flag. */
  public Map<String, RolloutPlan> plans() {
    synchronized (lock) {
      return plans;
    }
  }

  /** The gates in force, by flag. */
  public Map<String, ExposureGate> gates() {
    return gates;
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.wallMillis());
  }
}
