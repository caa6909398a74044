package dev.burnguard.guarded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.GuardedProvider;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.Simulation;
import dev.burnguard.testing.Simulation.SimulationResult;
import dev.burnguard.testing.VariantBehavior;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.exceptions.OpenFeatureError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link GuardedProvider} promises over any delegate, run against real providers by the
 * subclasses: unguarded flags pass through exactly, a guarded flag's exposure follows the stages
 * through the same admission gate as Burnguard's own provider, a 2 % regression rolls back at the
 * SRE Workbook's time, a rollback survives a restart, and the delegate's errors stay the delegate's.
 */
abstract class GuardedDelegateContract {
  /** The guarded boolean flag: the delegate serves its candidate {@link #CANDIDATE} to every context. */
  static final String GUARDED = "guarded-bool";
  static final String CANDIDATE = "on";
  static final String CONTROL = "off";
  static final int CONTEXTS = 2_000;

  @TempDir
  Path tmp;

  /** A fresh, uninitialized delegate. */
  abstract FeatureProvider newDelegate() throws Exception;

  /** The unguarded flags to compare, each with the type it is evaluated as (wrong types and missing flags included). */
  abstract List<Probe> unguardedProbes();

  /** Whether the delegate reports variant names (else the guard matches and names them by value). */
  abstract boolean reportsVariants();

  /** One evaluation to compare: a flag key and the type it is evaluated as. */
  record Probe(String key, Class<?> type) {}

  /** Contexts with and without a targeting key and with attributes the delegates' targeting reads. */
  static List<EvaluationContext> contexts() {
    List<EvaluationContext> out = new ArrayList<>();
    for (int i = 0; i < CONTEXTS; i++) {
      Map<String, Value> attributes = Map.of("email", new Value(i % 3 == 0 ? "u" + i + "@example.com" : "u" + i
          + "@other.org"), "tier", new Value(i % 5));
      out.add(i % 97 == 0 ? new ImmutableContext(attributes) : new ImmutableContext("user-" + i, attributes));
    }
    return out;
  }

  static RolloutPlan plan(double... exposures) {
    List<Stage> stages = new ArrayList<>();
    for (double e : exposures) {
      stages.add(new Stage(e, Duration.ofMinutes(10), 0));
    }
    return RolloutPlan.builder(CONTROL, CANDIDATE).stages(stages).build();
  }

  GuardedProvider.Builder guard(FeatureProvider delegate, ManualClock clock) {
    return GuardedProvider.builder(delegate).clock(clock).guardianTicking(false).inMemoryRolloutState();
  }

  /** Every field of a result, or the exception the call threw (class, error code, message). */
  static Object fields(java.util.concurrent.Callable<? extends ProviderEvaluation<?>> call) {
    try {
      ProviderEvaluation<?> r = call.call();
      return r == null ? "null" : List.of(String.valueOf(r.getValue()), String.valueOf(r.getVariant()),
          String.valueOf(r.getReason()), String.valueOf(r.getErrorCode()), String.valueOf(r.getErrorMessage()),
          r.getFlagMetadata() == null ? "no metadata" : r.getFlagMetadata().asUnmodifiableMap());
    } catch (OpenFeatureError e) {
      return "threw " + e.getClass().getName() + " " + e.getErrorCode() + ": " + e.getMessage();
    } catch (Exception e) {
      return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  static ProviderEvaluation<?> evaluate(FeatureProvider p, String key, Class<?> type, EvaluationContext ctx) {
    if (type == Boolean.class) {
      return p.getBooleanEvaluation(key, false, ctx);
    }
    if (type == String.class) {
      return p.getStringEvaluation(key, "default", ctx);
    }
    if (type == Integer.class) {
      return p.getIntegerEvaluation(key, -1, ctx);
    }
    if (type == Double.class) {
      return p.getDoubleEvaluation(key, -1.5, ctx);
    }
    return p.getObjectEvaluation(key, new Value("default"), ctx);
  }

  @Test
  void unguardedFlagsPassThroughExactlyOverManyContexts() throws Exception {
    FeatureProvider delegate = newDelegate();
    GuardedProvider guarded = guard(delegate, new ManualClock()).rollout(GUARDED, plan(5, 100)).build();
    guarded.initialize(new ImmutableContext());
    try {
      int compared = 0;
      int errors = 0;
      for (EvaluationContext ctx : contexts()) {
        for (Probe probe : unguardedProbes()) {
          Object direct = fields(() -> evaluate(delegate, probe.key(), probe.type(), ctx));
          Object wrapped = fields(() -> evaluate(guarded, probe.key(), probe.type(), ctx));
          assertThat(wrapped).as("%s as %s for %s", probe.key(), probe.type().getSimpleName(), ctx).isEqualTo(direct);
          compared++;
          errors += direct.toString().startsWith("threw") || direct.toString().contains("ERROR") ? 1 : 0;
        }
      }
      System.out.printf("%s: %d unguarded evaluations compared field by field, %d of them errors%n",
          getClass().getSimpleName(), compared, errors);
      assertThat(compared).isEqualTo(CONTEXTS * unguardedProbes().size());
      assertThat(errors).as("error cases among the probes").isPositive();
    } finally {
      guarded.shutdown();
    }
  }

  @Test
  void theGuardedFlagsExposureFollowsTheStagesThroughTheSameAdmissionGate() throws Exception {
    FeatureProvider delegate = newDelegate();
    ManualClock clock = new ManualClock();
    GuardedProvider guarded = guard(delegate, clock).rollout(GUARDED, plan(5, 25, 100)).build();
    guarded.initialize(new ImmutableContext());
    try {
      List<EvaluationContext> contexts = contexts();
      List<Boolean> before = null;
      for (double exposure : new double[] {0.05, 0.25, 1.0}) {
        List<Boolean> admitted = new ArrayList<>();
        int candidates = 0;
        for (EvaluationContext ctx : contexts) {
          ProviderEvaluation<Boolean> r = guarded.getBooleanEvaluation(GUARDED, false, ctx);
          String key = ctx.getTargetingKey();
          boolean expected = exposure >= 1 || key != null && !key.isEmpty()
              && ExposureGate.position(GUARDED, key) < exposure;
          assertThat(r.getValue()).as("%s at %s", key, exposure).isEqualTo(expected);
          assertThat(r.getVariant()).isEqualTo(expected ? CANDIDATE : CONTROL);
          assertThat(r.getErrorCode()).isNull();
          if (!expected) {
            assertThat(r.getReason()).isEqualTo(Guardian.ROLLOUT_REASON);
          }
          assertThat(r.getFlagMetadata().getDouble(Guardian.EXPOSURE_METADATA)).isEqualTo(exposure);
          assertThat(r.getFlagMetadata().getString(Guardian.STATUS_METADATA)).isIn("RAMPING", "WATCHING");
          admitted.add(r.getValue());
          candidates += r.getValue() ? 1 : 0;
        }
        if (before != null) {
          for (int i = 0; i < contexts.size(); i++) {
            assertThat(!before.get(i) || admitted.get(i)).as("context %d stays admitted", i).isTrue();
          }
        }
        System.out.printf("%s: %d of %d contexts get the candidate at %.0f %%%n", getClass().getSimpleName(),
            candidates, contexts.size(), exposure * 100);
        assertThat((double) candidates / contexts.size()).isBetween(exposure * 0.7 - 0.01, exposure * 1.3 + 0.01);
        before = admitted;
        if (exposure < 1) {
          guarded.rollouts().promote(GUARDED, "person:test");
        }
      }
    } finally {
      guarded.shutdown();
    }
  }

  @Test
  void aTwoPercentRegressionRollsBackAtTheFormulaTime() throws Exception {
    Duration change = Duration.ofHours(2);
    RolloutPlan plan = RolloutPlan.builder(CONTROL, CANDIDATE)
        .stages(List.of(new Stage(100, Duration.ofMinutes(15), 0))).watch(Duration.ofDays(60)).build();
    SimulationResult r = Simulation.guarding(newDelegate(), GUARDED, plan).requestsPerSecond(100).seed(7)
        .behavior(CANDIDATE, VariantBehavior.errors(0)).behavior(CONTROL, VariantBehavior.errors(0))
        .at(change, CANDIDATE, VariantBehavior.errors(0.02))
        .run(Duration.ofHours(3));
    Duration detection = r.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    System.out.printf("%s: 2 %% errors rolled back %s after the change (formula: 1 h x 14.4 x 0.001 / 0.02 = 43.2 min),"
        + " %d requests%n", getClass().getSimpleName(), detection, r.requests());
    // one bucket of the hour window (1 min) plus one tick, as for Burnguard's own provider
    assertThat(detection).isBetween(Duration.ofSeconds(2592 - 61), Duration.ofSeconds(2592 + 61));
    assertThat(r.finalState().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(r.requests()).isEqualTo(3 * 3600 * 100);
  }

  @Test
  void aRollbackSurvivesARestartOnTheFileStore() throws Exception {
    Path state = tmp.resolve("state");
    ManualClock clock = new ManualClock();
    GuardedProvider first = GuardedProvider.builder(newDelegate()).clock(clock).guardianTicking(false)
        .stateDirectory(state).rollout(GUARDED, plan(5, 100)).build();
    first.initialize(new ImmutableContext());
    first.rollouts().promote(GUARDED, "person:test");
    assertThat(first.getBooleanEvaluation(GUARDED, false, new ImmutableContext("user-1")).getValue()).isTrue();
    Decision rollback = first.rollouts().rollback(GUARDED, "person:alice");
    assertThat(rollback.after().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    first.shutdown();

    GuardedProvider second = GuardedProvider.builder(newDelegate()).clock(clock).guardianTicking(false)
        .stateDirectory(state).rollout(GUARDED, plan(5, 100)).build();
    second.initialize(new ImmutableContext());
    try {
      assertThat(second.rollouts().state(GUARDED).orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
      int candidates = 0;
      for (EvaluationContext ctx : contexts()) {
        ProviderEvaluation<Boolean> r = second.getBooleanEvaluation(GUARDED, true, ctx);
        candidates += r.getValue() ? 1 : 0;
        assertThat(r.getReason()).isEqualTo(Guardian.ROLLED_BACK_REASON);
        assertThat(r.getVariant()).isEqualTo(CONTROL);
      }
      assertThat(candidates).isZero();
    } finally {
      second.shutdown();
    }
  }

  @Test
  void theDelegatesErrorsComeBackAsTheDelegatesErrorsOnAGuardedFlag() throws Exception {
    FeatureProvider delegate = newDelegate();
    GuardedProvider guarded = guard(delegate, new ManualClock()).rollout(GUARDED, plan(5, 100))
        .rollout("no-such-flag", plan(5, 100)).build();
    guarded.initialize(new ImmutableContext());
    try {
      int compared = 0;
      for (EvaluationContext ctx : contexts().subList(0, 200)) {
        for (Probe probe : List.of(new Probe("no-such-flag", Boolean.class), new Probe(GUARDED, String.class),
            new Probe(GUARDED, Integer.class))) {
          Object direct = fields(() -> evaluate(delegate, probe.key(), probe.type(), ctx));
          Object wrapped = fields(() -> evaluate(guarded, probe.key(), probe.type(), ctx));
          assertThat(wrapped).as("%s as %s", probe.key(), probe.type().getSimpleName()).isEqualTo(direct);
          assertThat(direct.toString()).containsAnyOf("FLAG_NOT_FOUND", "TYPE_MISMATCH", "GENERAL", "PARSE_ERROR");
          compared++;
        }
      }
      System.out.printf("%s: %d delegate errors on guarded flags compared%n", getClass().getSimpleName(), compared);
    } finally {
      guarded.shutdown();
    }
  }
}
