package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.Simulation;
import dev.burnguard.testing.Simulation.SimulationResult;
import dev.burnguard.testing.VariantBehavior;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the simulation kit answers beyond the decisions (issue 13, item 6): every tick's rollout
 * health (window counts, burn rates, rule checks with the sequential statistic and threshold), the
 * latency distributions, windows pre-filled with healthy traffic, and a restart midway.
 */
class SimulationKitTest {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";

  private static RolloutPlan fullExposure() {
    return RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(60)).build();
  }

  @Test
  void everyTicksHealthIsKeptWithItsRuleChecksAndTheLatencyOfEachVariant() {
    SimulationResult r = Simulation.builder(FLAGS, "checkout", fullExposure()).requestsPerSecond(10).seed(3)
        .tick(Duration.ofSeconds(10)).recordHealth(true)
        .behavior("new", VariantBehavior.errors(0).latency(Duration.ofMillis(100), Duration.ofMillis(400)))
        .behavior("old", VariantBehavior.errors(0))
        .at(Duration.ofMinutes(30), "new", VariantBehavior.errors(1))
        .run(Duration.ofHours(1));
    // a tick every 10 s until the rollback; the rolled-back rollout keeps its health (without checks)
    assertThat(r.ticks()).hasSize(360);
    RolloutHealth beforeOutage = r.ticks().get(170); // 1,710 s in
    assertThat(beforeOutage.checks()).hasSize(2).allMatch(c -> c.burnLong() == 0 && !c.burning());
    assertThat(beforeOutage.candidateCalls()).isBetween(17_000L - 100, 17_100L);
    RolloutHealth.VariantWindow fiveMinutes = beforeOutage.windows().stream()
        .filter(w -> w.variant().equals("new") && w.window().equals(Duration.ofMinutes(5))).findFirst().orElseThrow();
    assertThat(fiveMinutes.calls()).isBetween(2_990L, 3_010L);
    assertThat(fiveMinutes.slow()).isEqualTo(-1); // no latency objective
    Decision rollback = r.first(DecisionAction.ROLLBACK).orElseThrow();
    RolloutHealth atRollback = r.ticks().stream().filter(h -> h.at().equals(rollback.at())).findFirst().orElseThrow();
    assertThat(atRollback.checks()).isEqualTo(rollback.evidence());
    assertThat(atRollback.checks().get(0).logLikelihoodRatio()).isGreaterThanOrEqualTo(atRollback.checks().get(0).testThreshold());
    assertThat(r.finalHealth().checks()).isEmpty();
    assertThat(r.finalHealth().latestDecision()).isEqualTo(rollback);
    // log-normal with median 100 ms and p99 400 ms on the candidate until the rollback, the control after it
    assertThat(r.latency().get("new").count()).isBetween(18_000L, 18_600L);
    assertThat(r.latency().get("new").count() + r.latency().get("old").count()).isEqualTo(r.requests());
    assertThat(r.latency().get("new").quantile(0.5).toMillis()).isBetween(90L, 110L);
  }

  @Test
  void prefilledHealthyWindowsSlowABurnDownToTheFormulaTime() {
    // without healthy traffic before it, 2 % errors from the first call burn at once; with an hour of
    // it, the hour's window needs 1 h × 14.4 × 0.001 / 0.02 = 43.2 minutes
    Simulation.Builder sim = Simulation.builder(FLAGS, "checkout", fullExposure()).requestsPerSecond(100).seed(5)
        .behavior("new", VariantBehavior.errors(0.02)).behavior("old", VariantBehavior.errors(0));
    Duration cold = sim.run(Duration.ofHours(1)).timeTo(DecisionAction.ROLLBACK).orElseThrow();
    assertThat(cold).isLessThan(Duration.ofMinutes(2));

    SimulationResult warm = Simulation.builder(FLAGS, "checkout", fullExposure()).requestsPerSecond(100).seed(5)
        .behavior("new", VariantBehavior.errors(0)).behavior("old", VariantBehavior.errors(0))
        .prefill(Duration.ofHours(1))
        .at(Duration.ZERO, "new", VariantBehavior.errors(0.02))
        .run(Duration.ofHours(1));
    assertThat(warm.timeTo(DecisionAction.ROLLBACK).orElseThrow())
        .isBetween(Duration.ofSeconds(2592 - 61), Duration.ofSeconds(2592 + 61));
  }

  @Test
  void aRestartMidwayContinuesTheRolloutFromItsStoredState() {
    List<Stage> stages = List.of(new Stage(10, Duration.ofMinutes(10), 0), new Stage(50, Duration.ofMinutes(10), 0),
        new Stage(100, Duration.ofMinutes(10), 0));
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(stages).watch(Duration.ofMinutes(10)).build();
    Simulation.Builder sim = Simulation.builder(FLAGS, "checkout", plan).requestsPerSecond(20).seed(9)
        .tick(Duration.ofSeconds(10))
        .behavior("new", VariantBehavior.errors(0)).behavior("old", VariantBehavior.errors(0));
    SimulationResult straight = sim.run(Duration.ofMinutes(50));
    SimulationResult restarted = sim.restartAt(Duration.ofMinutes(15)).run(Duration.ofMinutes(50));
    // one START only: the second provider restored the rollout at stage 1 and went on from there
    assertThat(restarted.decisions()).filteredOn(d -> d.action() == DecisionAction.START).hasSize(1);
    assertThat(restarted.decisions()).filteredOn(d -> d.action() == DecisionAction.ADVANCE).hasSize(2);
    assertThat(restarted.finalState().status()).isEqualTo(RolloutStatus.COMPLETED);
    assertThat(straight.finalState().status()).isEqualTo(RolloutStatus.COMPLETED);
    assertThat(restarted.decisions().stream().map(Decision::action).toList())
        .isEqualTo(straight.decisions().stream().map(Decision::action).toList());
  }
}
