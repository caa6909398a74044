package dev.burnguard.rollout;

import dev.burnguard.internal.guardian.Guardian;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A paused rollout waits for a person: only a rollback may still act on it (RolloutStatus.PAUSED). */
class PausedRolloutTest {
  private final ManualClock clock = new ManualClock();
  private final SliRecorder recorder = SliRecorder.builder().clock(clock).build();
  private final Guardian guardian = new Guardian(clock, recorder, d -> { }, gates -> { });

  private void failCandidate(RolloutPlan plan) {
    for (int i = 0; i < 200; i++) {
      recorder.record("checkout", plan.candidate(), 1_000_000, Outcome.ERROR);
    }
  }

  @Test
  void aFiringShrinkRuleDoesNotUnpauseAPausedRollout() {
    RolloutPlan plan = RolloutPlan.builder("old", "new").rules(List.of(BurnRateRule.slowBurn(RuleAction.SHRINK))).build();
    guardian.plans(Map.of("checkout", plan));
    clock.advance(Duration.ofMinutes(20)); // past the first stage's bake
    guardian.pause("checkout", "person:test");
    double exposure = guardian.state("checkout").orElseThrow().exposure();
    failCandidate(plan);

    clock.advance(Duration.ofSeconds(1));
    assertThat(guardian.tick()).noneMatch(d -> d.action() == DecisionAction.SHRINK);
    RolloutState paused = guardian.state("checkout").orElseThrow();
    assertThat(paused.status()).isEqualTo(RolloutStatus.PAUSED);
    assertThat(paused.exposure()).isEqualTo(exposure);
  }

  @Test
  void aFiringRollbackRuleStillRollsAPausedRolloutBack() {
    RolloutPlan plan = RolloutPlan.builder("old", "new").build();
    guardian.plans(Map.of("checkout", plan));
    guardian.pause("checkout", "person:test");
    failCandidate(plan);

    clock.advance(Duration.ofSeconds(10)); // the sequential test reads whole 10-second buckets
    assertThat(guardian.tick()).extracting(Decision::action).containsExactly(DecisionAction.ROLLBACK);
    assertThat(guardian.state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
  }
}
