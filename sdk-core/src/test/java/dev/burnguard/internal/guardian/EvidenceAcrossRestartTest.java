package dev.burnguard.internal.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.Simulation;
import dev.burnguard.testing.Simulation.SimulationResult;
import dev.burnguard.testing.VariantBehavior;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, item 7: the stage's counts and the sequential evidence survive a restart. */
class EvidenceAcrossRestartTest {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";

  /**
   * A 30-minute stage whose 1,500 samples (1 candidate call a second) are met at 25 minutes, and a
   * restart at 26 minutes: the stage advances at 30 minutes, as without the restart. Before the
   * evidence was kept, samples counted only from the restart (the windows are lost), so it advanced
   * at 51 minutes.
   */
  @Test
  void aStageWhoseSamplesWereMetAdvancesOnTimeAfterARestart() {
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(10, Duration.ofMinutes(30), 1500),
        new Stage(100, Duration.ofHours(1), 0))).build();
    SimulationResult r = Simulation.builder(FLAGS, "checkout", plan).requestsPerSecond(10).seed(4)
        .behavior("new", VariantBehavior.errors(0)).behavior("old", VariantBehavior.errors(0))
        .restartAt(Duration.ofMinutes(26)).run(Duration.ofMinutes(40));
    Duration advanced = r.timeTo(DecisionAction.ADVANCE).orElseThrow();
    assertThat(advanced).isBetween(Duration.ofMinutes(30), Duration.ofMinutes(30).plusSeconds(11));
  }

  @Test
  void theDetectorsContinueWhereTheyWereWhenTheGuardianStartsAgainOnTheSameDirectory(@TempDir Path dir) {
    GuardianRestartFixture traffic = new GuardianRestartFixture(dir, 0);
    Guardian before = traffic.before;
    RolloutHealth then = before.health("checkout").orElseThrow();
    assertThat(then.candidateCalls()).isEqualTo(600); // six whole 10-second buckets
    assertThat(Files.exists(dir.resolve(EvidenceFile.NAME))).isTrue();

    // a new process: a new recorder (the windows are gone), the same directory and state
    Guardian after = traffic.restart(traffic.plan);
    RolloutHealth now = after.health("checkout").orElseThrow();
    assertThat(now.candidateCalls()).isEqualTo(then.candidateCalls());
    assertThat(now.checks()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(now.checks().get(i).logLikelihoodRatio()).isEqualTo(then.checks().get(i).logLikelihoodRatio());
    }
    assertThat(now.stage().samples()).isEqualTo(600);

    // a plan with other rules is another test: it starts afresh
    RolloutPlan otherRules = RolloutPlan.builder("old", "new").stages(traffic.plan.stages())
        .rules(List.of(BurnRateRule.fastBurn(RuleAction.ROLLBACK))).build();
    Guardian third = traffic.restart(otherRules);
    assertThat(third.health("checkout").orElseThrow().candidateCalls()).isZero();
  }
}
