package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.NoOpProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollout plan whose latency threshold the provider's recorder does not count could never be
 * judged on latency (the guardian would see no slow call against it). Before issue 13 item 5 such a
 * plan was silently judged on availability only; now it is refused where it is given: a flag file's
 * at the threshold's JSON path, a plan given in code by {@code build()}.
 */
class UncountedLatencyThresholdTest {
  private static final String PATH = "$.flags.checkout.rollout.slo.latency.threshold";
  private static final String WHY = "latency threshold 250ms is not one the provider counts slow calls against"
      + " (300ms), so the rollout would never be judged on latency: use one of those, or add it with the provider"
      + " builder's latencyThresholds(...)";
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\","
      + " \"rollout\": {\"control\": \"old\", \"candidate\": \"new\","
      + " \"slo\": {\"availability\": 99.9, \"latency\": {\"threshold\": \"250ms\", \"objective\": 99}}}}}}";

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();

  private BurnguardProvider.Builder builder(FlagSource source) {
    return BurnguardProvider.builder().source(source).clock(clock).guardianTicking(false).inMemoryRolloutState();
  }

  @Test
  void aFlagFilesPlanWithAnUncountedThresholdIsAnInvalidFlagAtThatPath() throws Exception {
    BurnguardProvider provider = builder(FlagSource.inline(FLAGS)).build();
    provider.initialize(new ImmutableContext());
    try {
      assertThat(provider.invalidFlags()).containsOnlyKeys("checkout");
      FlagProblem problem = provider.invalidFlags().get("checkout").get(0);
      assertThat(problem.jsonPath()).isEqualTo(PATH);
      assertThat(problem.value()).isEqualTo("\"250ms\"");
      assertThat(problem.message()).isEqualTo(WHY);
      assertThat(provider.getBooleanEvaluation("checkout", false, new ImmutableContext()).getErrorCode())
          .isEqualTo(ErrorCode.PARSE_ERROR);
      assertThat(provider.rollouts().states()).isEmpty();
    } finally {
      provider.shutdown();
    }
  }

  @Test
  void withTheThresholdCountedThePlanIsGuarded() throws Exception {
    BurnguardProvider provider = builder(FlagSource.inline(FLAGS))
        .latencyThresholds(Duration.ofMillis(300), Duration.ofMillis(250)).build();
    provider.initialize(new ImmutableContext());
    try {
      assertThat(provider.invalidFlags()).isEmpty();
      assertThat(provider.rollouts().states()).containsOnlyKeys("checkout");
    } finally {
      provider.shutdown();
    }
  }

  @Test
  void underRejectFileTheWholeFileIsRefusedNamingThePath() {
    BurnguardProvider provider = builder(FlagSource.inline(FLAGS)).invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE)
        .build();
    try {
      assertThatThrownBy(() -> provider.initialize(new ImmutableContext())).isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot load flags: invalid flag definition: inline: " + PATH + ": " + WHY
              + " (value: \"250ms\")");
    } finally {
      provider.shutdown();
    }
  }

  @Test
  void aFlagSetHandedOverWholeIsRefusedNamingThePath() {
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .slo(Slo.availability(0.999).withLatency(Duration.ofMillis(250), 0.99)).build();
    FlagSet set = FlagSet.builder()
        .flag("checkout", f -> f.variant("new", true).variant("old", false).defaultVariant("old").rollout(plan)).build();
    BurnguardProvider provider = builder(FlagSource.of(set)).build();
    try {
      assertThatThrownBy(() -> provider.initialize(new ImmutableContext())).isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot load flags: invalid flag definition: builder: " + PATH + ": " + WHY + " (value: PT0.25S)");
    } finally {
      provider.shutdown();
    }
  }

  @Test
  void aPlanGivenInCodeWithAnUncountedThresholdIsRefusedByBuild() {
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .slo(Slo.availability(0.999).withLatency(Duration.ofMillis(250), 0.99)).build();
    assertThatIllegalStateException().isThrownBy(() -> builder(FlagSource.inline(FLAGS)).rollout("checkout", plan).build())
        .withMessage("rollout(\"checkout\", ...) conflicts with latencyThresholds(PT0.3S): " + WHY);
    assertThatIllegalStateException()
        .isThrownBy(() -> GuardedProvider.builder(new NoOpProvider()).rollout("checkout", plan).build())
        .withMessage("rollout(\"checkout\", ...) conflicts with latencyThresholds(PT0.3S): " + WHY);
    assertThat(builder(FlagSource.inline(FLAGS)).latencyThresholds(Duration.ofMillis(250)).rollout("checkout", plan)
        .build()).isNotNull();
  }

  @Test
  void aGuardedProvidersPlansFileWithAnUncountedThresholdIsRefused() throws Exception {
    Path plans = Files.writeString(dir.resolve("plans.json"), FLAGS);
    GuardedProvider provider = GuardedProvider.builder(new NoOpProvider()).plans(plans).clock(clock)
        .guardianTicking(false).inMemoryRolloutState().build();
    try {
      assertThatThrownBy(() -> provider.initialize(new ImmutableContext())).isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot load rollout plans: invalid flag definition: " + plans + ": " + PATH + ": " + WHY
              + " (value: \"250ms\")");
    } finally {
      provider.shutdown();
    }
  }
}
