package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.ErrorBudgetPolicy.Budget;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableTrackingEventDetails;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error-budget policy end to end, through a provider: journey outcomes from track() and the
 * Outcomes API, a held advance with its numbers, a person's override in the decision log, and a
 * restart midway that keeps the exact budget (and the override).
 */
class ErrorBudgetPolicyTest {
  static final String FLAGS = "{\"flags\": {\"checkout-v2\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false,"
      + " \"new\": true}, \"defaultVariant\": \"old\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\","
      + " \"stages\": [{\"exposure\": 10, \"bake\": \"10m\", \"minSamples\": 0}, {\"exposure\": 50, \"bake\": \"10m\","
      + " \"minSamples\": 0}, {\"exposure\": 100, \"bake\": \"10m\", \"minSamples\": 0}], \"minCandidateCalls\": 1}}},"
      + " \"slos\": {\"checkout\": {\"journey\": \"checkout\", \"availability\": 99.9, \"period\": \"28d\"}},"
      + " \"errorBudgetPolicy\": {\"thresholds\": [{\"spent\": 75, \"action\": \"hold\"},"
      + " {\"spent\": 100, \"action\": \"freeze\"}]}}";

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final List<BurnguardProvider> providers = new ArrayList<>();

  @AfterEach
  void stop() {
    providers.forEach(BurnguardProvider::shutdown);
  }

  private BurnguardProvider start() throws Exception {
    Path file = dir.resolve("flags.json");
    if (!Files.exists(file)) {
      Files.writeString(file, FLAGS);
    }
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.file(file)).clock(clock)
        .guardianTicking(false).stateDirectory(dir.resolve("state")).build();
    provider.initialize(new ImmutableContext());
    providers.add(provider);
    return provider;
  }

  private void restart(BurnguardProvider provider) {
    provider.shutdown();
    providers.remove(provider);
  }

  /** Healthy calls of both variants, so that the judge has a stage to judge. */
  private static void healthyVariants(BurnguardProvider provider) {
    for (int i = 0; i < 200; i++) {
      provider.outcomes().record("checkout-v2", "new", Duration.ofMillis(5), Outcome.SUCCESS);
      provider.outcomes().record("checkout-v2", "old", Duration.ofMillis(5), Outcome.SUCCESS);
    }
  }

  private static int stage(BurnguardProvider provider) {
    return provider.rollouts().state("checkout-v2").orElseThrow().stage();
  }

  @Test
  void aSpentBudgetHoldsTheAdvanceAnOverrideLetsOneThroughAndARestartKeepsBoth() throws Exception {
    BurnguardProvider provider = start();
    List<Decision> heard = new CopyOnWriteArrayList<>();
    provider.rollouts().onDecision(heard::add);
    // 100,000 checkout calls: 99,920 through the Outcomes API, 80 failed ones through track()
    for (int i = 0; i < 99_920; i++) {
      provider.outcomes().recordJourney("checkout", 2_000_000, Outcome.SUCCESS);
    }
    for (int i = 0; i < 80; i++) {
      provider.track(BurnguardProvider.OUTCOME_EVENT, new ImmutableContext("user-" + i),
          new MutableTrackingEventDetails(12).add("journey", "checkout").add("outcome", "error"));
    }
    Budget budget = provider.rollouts().errorBudgets().get("checkout");
    assertThat(List.of(budget.calls(), budget.badCalls())).containsExactly(100_000L, 80L);
    assertThat(budget.describe()).isEqualTo("80.0 % spent (80 of 100 allowed bad calls in 28 d)");

    healthyVariants(provider);
    clock.advance(Duration.ofMinutes(10));
    List<Decision> decided = provider.rollouts().tick();
    assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.HOLD);
    assertThat(decided.get(0).reason()).isEqualTo("error-budget policy: service budget \"checkout\" 80.0 % spent"
        + " (80 of 100 allowed bad calls in 28 d) ≥ 75 %: advance held (hold; the judge would advance to exposure"
        + " 50.00%)");
    assertThat(heard).extracting(Decision::action).contains(DecisionAction.HOLD);
    assertThat(stage(provider)).isZero();
    clock.advance(Duration.ofMinutes(1));
    assertThat(provider.rollouts().tick()).as("a hold is published once").isEmpty();
    assertThat(stage(provider)).isZero();

    Decision override = provider.rollouts().overrideBudgetPolicy("checkout-v2", "person:alice", "hotfix for INC-7");
    assertThat(override.action()).isEqualTo(DecisionAction.OVERRIDE);
    assertThat(override.reason()).isEqualTo("override requested by person:alice: hotfix for INC-7");
    assertThat(provider.rollouts().recentDecisions("checkout-v2")).last().isEqualTo(override);
    decided = provider.rollouts().tick();
    assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.ADVANCE);
    assertThat(decided.get(0).reason()).contains("; error-budget policy overridden by person:alice (service budget"
        + " \"checkout\" 80.0 % spent (80 of 100 allowed bad calls in 28 d) ≥ 75 %)");
    assertThat(stage(provider)).isEqualTo(1);

    // one advance only: the next stage is held again
    healthyVariants(provider);
    clock.advance(Duration.ofMinutes(10));
    assertThat(provider.rollouts().tick()).extracting(Decision::action).containsExactly(DecisionAction.HOLD);
    assertThat(stage(provider)).isEqualTo(1);

    // a restart midway: the exact budget and the override given before it are kept
    provider.rollouts().overrideBudgetPolicy("checkout-v2", "person:bob", "approved by the on-call");
    restart(provider);
    clock.advance(Duration.ofMinutes(1));
    BurnguardProvider second = start();
    Budget restored = second.rollouts().errorBudgets().get("checkout");
    assertThat(List.of(restored.calls(), restored.badCalls())).containsExactly(100_000L, 80L);
    Path kept = dir.resolve("state").resolve("journey-budget.tsv");
    assertThat(Files.readString(kept).lines()).hasSize(1);
    // one line: Base64 of "checkout|checkout|availability" (30 bytes: 40 characters), the hour (492540),
    // the calls (100000), the bad calls (80), three tabs and a newline: 40 + 6 + 6 + 2 + 4 = 58 bytes
    assertThat(Files.size(kept)).isEqualTo(58);
    healthyVariants(second);
    decided = second.rollouts().tick();
    assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.ADVANCE);
    assertThat(decided.get(0).reason()).contains("error-budget policy overridden by person:bob");
    assertThat(stage(second)).isEqualTo(2);
  }

  @Test
  void aFreezeShrinksARampingRolloutToItsFirstStageAndHoldsItThere() throws Exception {
    BurnguardProvider provider = start();
    healthyVariants(provider);
    clock.advance(Duration.ofMinutes(10));
    assertThat(provider.rollouts().tick()).extracting(Decision::action).containsExactly(DecisionAction.ADVANCE);
    assertThat(provider.rollouts().state("checkout-v2").orElseThrow().exposure()).isEqualTo(0.5);
    // 100,000 checkouts, 101 failed: 101 of 100 allowed = 101.0 % ≥ 100 %: freeze
    for (int i = 0; i < 99_899; i++) {
      provider.outcomes().recordJourney("checkout", 2_000_000, Outcome.SUCCESS);
    }
    for (int i = 0; i < 101; i++) {
      provider.outcomes().recordJourney("checkout", 2_000_000, Outcome.ERROR);
    }
    clock.advance(Duration.ofMinutes(1));
    List<Decision> decided = provider.rollouts().tick();
    assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.SHRINK);
    assertThat(decided.get(0).reason()).isEqualTo("error-budget policy: service budget \"checkout\" 101.0 % spent"
        + " (101 of 100 allowed bad calls in 28 d) ≥ 100 %: freeze: shrunk to the first stage (exposure 50.00% ->"
        + " 10.00%, stage 1 -> 0)");
    RolloutState shrunk = provider.rollouts().state("checkout-v2").orElseThrow();
    assertThat(List.of(shrunk.status(), shrunk.stage(), shrunk.exposure(), shrunk.shrinks()))
        .containsExactly(RolloutStatus.RAMPING, 0, 0.10, 0);
    assertThat(provider.rollouts().recentDecisions("checkout-v2")).last().isEqualTo(decided.get(0));
    // baked again at the first stage: the freeze holds the advance
    healthyVariants(provider);
    clock.advance(Duration.ofMinutes(10));
    decided = provider.rollouts().tick();
    assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.HOLD);
    assertThat(decided.get(0).reason()).contains("≥ 100 %: advance held (freeze; the judge would advance to exposure"
        + " 50.00%)");
    assertThat(stage(provider)).isZero();
  }

  @Test
  void aBudgetBelowTheThresholdHoldsNothingAndAnOverrideOfAnUnknownFlagIsRefused() throws Exception {
    BurnguardProvider provider = start();
    for (int i = 0; i < 100_000; i++) {
      provider.outcomes().recordJourney("checkout", 2_000_000, i < 74 ? Outcome.ERROR : Outcome.SUCCESS);
    }
    provider.outcomes().recordJourney("search", 2_000_000, Outcome.ERROR); // no SLO: ignored
    assertThat(provider.rollouts().errorBudgets()).containsOnlyKeys("checkout");
    assertThat(provider.rollouts().errorBudgets().get("checkout").describe())
        .isEqualTo("74.0 % spent (74 of 100 allowed bad calls in 28 d)");
    healthyVariants(provider);
    clock.advance(Duration.ofMinutes(10));
    assertThat(provider.rollouts().tick()).extracting(Decision::action).containsExactly(DecisionAction.ADVANCE);
    assertThatThrownBy(() -> provider.rollouts().overrideBudgetPolicy("nope", "person:alice", "why"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flag \"nope\" has no rollout");
  }
}
