package dev.burnguard.spring.boot.internal;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.BurnguardProvider.LoadFailure;
import dev.burnguard.BurnguardProvider.ProviderHealth;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Internal, not for public use. Everything the starter reads from or asks of a running provider —
 * guarded flags, recording, rollout states and decisions, manual actions, health — in one place, so
 * that a change of sdk-core's API touches this class (and {@link ProviderFactory}) only.
 *
 * <p>Concurrency: stateless apart from the cache of guarded flag keys, which is one immutable
 * {@link GuardedKeys} behind a volatile reference, rebuilt when the provider's flag set changes;
 * safe to call from any thread.
 */
final class BurnguardCore {
  /** The guarded flags of one flag set. */
  private record GuardedKeys(FlagSet flags, Set<String> keys) {}

  private static final GuardedKeys NONE = new GuardedKeys(null, Set.of());

  private final BurnguardProvider provider;
  private volatile GuardedKeys guarded = NONE;

  BurnguardCore(BurnguardProvider provider) {
    this.provider = provider;
  }

  /** The provider's name in OpenFeature metadata, to tell its evaluations from other providers'. */
  static String providerName() {
    return BurnguardProvider.NAME;
  }

  /** Whether {@code flagKey} is guarded (has a rollout plan or is marked guarded) in the flags in force. */
  boolean isGuarded(String flagKey) {
    FlagSet current = provider.flagSet().orElse(null);
    GuardedKeys g = guarded;
    if (g.flags() != current) {
      g = current == null ? NONE : new GuardedKeys(current, Set.copyOf(current.guardedFlags()));
      guarded = g;
    }
    return g.keys().contains(flagKey);
  }

  /** Records one call served by {@code variant} of {@code flagKey}, timed on the provider's clock. */
  void record(String flagKey, String variant, long startNanos, long endNanos, Outcome outcome) {
    provider.outcomes().recordCall(flagKey, variant, startNanos, endNanos, outcome);
  }

  /** A {@link dev.burnguard.outcome.Guard} over the provider, its recorder and clock, for {@code @Guarded}. */
  dev.burnguard.outcome.Guard guard(boolean fallbackToControl) {
    return provider.guard().fallbackToControl(fallbackToControl).build();
  }

  // ---------------------------------------------------------------- rollouts (Actuator)

  /** The rollout plans of the flags in force, by flag. */
  private Map<String, RolloutPlan> plans() {
    return provider.flagSet().map(FlagSet::rollouts).orElse(Map.of());
  }

  /** Every rollout, by flag: the shape of the Actuator endpoint's read. */
  Map<String, Object> rollouts() {
    Map<String, RolloutPlan> plans = plans();
    Map<String, Object> out = new TreeMap<>();
    for (RolloutState s : provider.rollouts().states().values()) {
      out.put(s.flagKey(), rollout(s, plans.get(s.flagKey())));
    }
    return out;
  }

  /** One flag's rollout, or null when it has none. */
  Map<String, Object> rollout(String flagKey) {
    return provider.rollouts().state(flagKey).map(s -> rollout(s, plans().get(flagKey))).orElse(null);
  }

  private Map<String, Object> rollout(RolloutState s, RolloutPlan plan) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", s.status().name());
    m.put("stage", s.stage());
    m.put("exposure", s.exposure());
    m.put("version", s.version());
    m.put("stageStartedAt", s.stageStartedAt().toString());
    if (plan != null) {
      m.put("candidate", plan.candidate());
      m.put("control", plan.control());
      m.put("mode", plan.mode().name());
      List<Double> stages = new ArrayList<>();
      for (Stage stage : plan.stages()) {
        stages.add(stage.exposure());
      }
      m.put("stages", stages);
    }
    List<Map<String, Object>> decisions = new ArrayList<>();
    for (Decision d : provider.rollouts().recentDecisions(s.flagKey())) {
      decisions.add(decision(d));
    }
    m.put("recentDecisions", decisions);
    return m;
  }

  /** A decision with its evidence, for the endpoint. */
  static Map<String, Object> decision(Decision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", d.at().toString());
    m.put("action", d.action().name());
    m.put("actor", d.actor());
    m.put("applied", d.applied());
    m.put("reason", d.reason());
    m.put("status", d.after().status().name());
    m.put("stage", d.after().stage());
    m.put("exposure", d.after().exposure());
    List<Map<String, Object>> evidence = new ArrayList<>();
    for (RuleCheck c : d.evidence()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("sli", c.sli());
      e.put("rule", c.rule().toString());
      e.put("burnLong", c.burnLong());
      e.put("burnShort", c.burnShort());
      e.put("candidateCallsLong", c.candidateCallsLong());
      e.put("candidateBadLong", c.candidateBadLong());
      e.put("controlBurnShort", c.controlBurnShort());
      e.put("fires", c.fires());
      e.put("summary", c.describe());
      evidence.add(e);
    }
    m.put("evidence", evidence);
    return m;
  }

  /** The manual actions of the endpoint. */
  enum Action {
    PAUSE, RESUME, PROMOTE, ROLLBACK, RESET;

    static Action of(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException("unknown action \"" + name + "\"; one of pause, resume, promote, rollback, reset");
      }
    }
  }

  /**
   * Applies a person's action to a rollout; the decision names {@code actor}.
   *
   * @throws IllegalArgumentException the flag has no rollout
   * @throws IllegalStateException the rollout's status does not allow the action
   */
  Decision act(String flagKey, Action action, String actor) {
    Rollouts g = provider.rollouts();
    return switch (action) {
      case PAUSE -> g.pause(flagKey, actor);
      case RESUME -> g.resume(flagKey, actor);
      case PROMOTE -> g.promote(flagKey, actor);
      case ROLLBACK -> g.rollback(flagKey, actor);
      case RESET -> g.reset(flagKey, actor);
    };
  }

  // ---------------------------------------------------------------- health

  /** What the health indicator reports. */
  public record Health(boolean flagsLoaded, String origin, int flagCount, String lastLoadFailure,
      Set<String> invalidFlags, Set<String> flagsAtLastKnownGood, boolean storeHealthy, String storeError,
      int pendingDecisions, String stateLocation, List<String> warnings) {}

  Health health() {
    FlagSet flags = provider.flagSet().orElse(null);
    LoadFailure failure = provider.lastLoadFailure().orElse(null);
    ProviderHealth h = provider.health();
    return new Health(flags != null, flags != null ? flags.origin() : failure != null ? failure.origin() : null,
        flags != null ? flags.flags().size() : 0, failure != null ? failure.message() : null,
        provider.invalidFlags().keySet(), provider.flagsAtLastKnownGood().keySet(), h.store().healthy(),
        h.store().lastError(), h.store().pendingDecisions(), h.stateLocation(), h.warnings());
  }

  // ---------------------------------------------------------------- metrics

  /** The flags with a rollout state (the guardian's), for the meters. */
  Set<String> rolloutFlags() {
    return provider.rollouts().states().keySet();
  }

  /** A rollout's current state, or null. */
  RolloutState state(String flagKey) {
    return provider.rollouts().state(flagKey).orElse(null);
  }

  /** A flag's rollout plan in the flags in force, or null. */
  RolloutPlan plan(String flagKey) {
    return plans().get(flagKey);
  }

  /**
   * A flag's rollout health as the guardian judged it at its last tick (sdk-core's one read model of
   * window counts and burn rates), or null before its first tick.
   */
  RolloutHealth health(String flagKey) {
    return provider.rollouts().health().get(flagKey);
  }

  static List<String> statuses() {
    List<String> out = new ArrayList<>();
    for (RolloutStatus s : RolloutStatus.values()) {
      out.add(s.name().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** Whether the store writes every decision and no state is kept only in memory; and how many wait. */
  boolean storeSafe() {
    return provider.health().safe();
  }

  int storePending() {
    return provider.health().store().pendingDecisions();
  }

  /** Calls {@code listener} with each decision the guardian publishes. */
  Rollouts.Registration onDecision(Consumer<Decision> listener) {
    return provider.rollouts().onDecision(listener);
  }
}
