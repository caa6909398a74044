package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code provider.rollouts()} and {@code provider.outcomes()}: the two façades over the guardian and the recorder. */
class ProviderFacadesTest {
  private static final String FLAGS = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";

  private final ManualClock clock = new ManualClock();
  private BurnguardProvider provider;

  @BeforeEach
  void start() throws Exception {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock).guardianTicking(false)
        .rollout("checkout", RolloutPlan.builder("old", "new").build()).build();
    provider.initialize(new ImmutableContext());
  }

  @AfterEach
  void stop() {
    provider.shutdown();
  }

  @Test
  void manualControlsActAndAClosedRegistrationHearsNoMore() {
    Rollouts rollouts = provider.rollouts();
    List<Decision> heard = new CopyOnWriteArrayList<>();
    Rollouts.Registration registration = rollouts.onDecision(heard::add);

    Decision pause = rollouts.pause("checkout", "person:alice");
    assertThat(pause.action()).isEqualTo(DecisionAction.PAUSE);
    assertThat(rollouts.state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
    assertThat(heard).extracting(Decision::action).containsExactly(DecisionAction.PAUSE);

    registration.close();
    registration.close(); // idempotent
    rollouts.resume("checkout", "person:alice");
    assertThat(heard).hasSize(1);
    assertThat(rollouts.states()).containsOnlyKeys("checkout");
    assertThat(rollouts.recentDecisions("checkout")).extracting(Decision::action)
        .contains(DecisionAction.PAUSE, DecisionAction.RESUME);
  }

  @Test
  void countsAreReadIntoOneReusableObject() {
    Outcomes outcomes = provider.outcomes();
    assertThat(outcomes.latencyThresholds()).containsExactly(Duration.ofMillis(300));
    outcomes.record("checkout", "new", Duration.ofMillis(10).toNanos(), Outcome.SUCCESS);
    outcomes.record("checkout", "new", Duration.ofMillis(500).toNanos(), Outcome.SUCCESS);
    outcomes.record("checkout", "new", Duration.ofMillis(20).toNanos(), Outcome.ERROR);
    outcomes.record("checkout", "old", Duration.ofMillis(20).toNanos(), Outcome.SUCCESS);
    clock.advance(Duration.ofSeconds(1));

    Outcomes.Counts counts = new Outcomes.Counts();
    outcomes.read("checkout", "new", Duration.ofMinutes(5), counts);
    assertThat(counts.calls()).isEqualTo(3);
    assertThat(counts.errors()).isEqualTo(1);
    assertThat(counts.slow(0)).isEqualTo(1);
    assertThat(counts.window()).isEqualTo(outcomes.counts("checkout", "new", Duration.ofMinutes(5)).window());

    outcomes.read("checkout", "old", Duration.ofMinutes(5), counts);
    assertThat(counts.calls()).isEqualTo(1);
    assertThat(counts.errors()).isZero();
    assertThat(counts.slow(0)).isZero();
    assertThat(outcomes.latency("checkout", "new").count()).isEqualTo(3);
  }
}
