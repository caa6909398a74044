package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three replicas sharing one real redis-server, each given a third of the traffic, on a manual
 * clock: the fleet judges the sum of their SLIs and every replica ends in the same state. SLO
 * 99.9 %, default rules (1 h / 5 min × 14.4 → rollback; 6 h / 30 min × 6 → shrink).
 */
class FleetRolloutTest {
  private static RedisServer server;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void flush() throws Exception {
    server.flushAll();
  }

  /** All traffic on the candidate from the start, watched for days: isolates detection time. */
  private static RolloutPlan fullExposure() {
    return RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(60)).build();
  }

  @Test
  void aTwoPercentRegressionRollsTheWholeFleetBackAtTheFleetWideFormulaTime() {
    try (FleetHarness fleet = new FleetHarness(server.uri(), 3, fullExposure(), b -> b)) {
      Duration change = Duration.ofHours(1);
      fleet.run(change, 100);
      fleet.errors("new", 0.02);
      Decision rollback = null;
      for (int s = 0; s < 3600 && rollback == null; s++) {
        fleet.second(100);
        rollback = fleet.fleetLog().stream().filter(d -> d.action() == DecisionAction.ROLLBACK).findFirst()
            .orElse(null);
      }
      assertThat(rollback).as("a rollback within an hour of the change").isNotNull();
      Duration detection = fleet.sinceStart(rollback).minus(change);
      System.out.println("fleet of 3, 2 % errors at 100 req/s over the fleet: rolled back " + detection
          + " after the change (formula 1 h x 14.4 x 0.001 / 0.02 = 43.2 min)");
      // 1 h × 14.4 × 0.001 / 0.02 = 43.2 min; ± one 1-minute bucket of the hour window, a tick and a push
      assertThat(detection).isBetween(Duration.ofSeconds(2592 - 62), Duration.ofSeconds(2592 + 62));
      System.out.println("the rollback decision with its evidence is " + dev.burnguard.internal.store.RolloutJson.write(
          dev.burnguard.internal.store.RolloutJson.decision(rollback)).length() + " bytes of JSON in the decision stream");
      // the evidence is the fleet's: three replicas' calls, not one's
      assertThat(rollback.evidence()).anyMatch(c -> c.fires() && c.candidateCallsLong() > 300_000);
      fleet.second(100); // every follower syncs once
      for (int i = 0; i < 3; i++) {
        assertThat(fleet.state(i)).as("replica %d", i).isEqualTo(rollback.after());
        assertThat(fleet.exposure(i)).isZero();
      }
      List<Decision> log = fleet.fleetLog();
      // one decision per version, each made on the state the previous one left
      assertThat(log).extracting(Decision::action).containsExactly(DecisionAction.START, DecisionAction.COMPLETE,
          DecisionAction.ROLLBACK);
      for (int i = 1; i < log.size(); i++) {
        assertThat(log.get(i).before()).isEqualTo(log.get(i - 1).after());
      }
    }
  }
}
