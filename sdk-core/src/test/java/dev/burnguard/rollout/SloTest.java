package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.burnguard.rollout.RolloutPlan.Slo;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Objectives, their budgets and the edges of what they accept. */
class SloTest {
  @Test
  void theBudgetsAreWhatTheObjectivesLeave() {
    Slo slo = Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.95);
    assertThat(slo.availability()).isEqualTo(0.999);
    assertThat(slo.errorBudget()).isCloseTo(0.001, within(1e-12));
    assertThat(slo.latencyObjective()).isEqualTo(0.95);
    assertThat(slo.latencyBudget()).isCloseTo(0.05, within(1e-12));
    assertThat(slo.latencyThreshold()).contains(Duration.ofMillis(300));
    assertThat(Slo.availability(0.75).latencyThreshold()).isEmpty();
  }

  @Test
  void objectivesAreFractionsStrictlyBetweenZeroAndOne() {
    assertThatThrownBy(() -> Slo.availability(1)).hasMessageContaining("availability objective")
        .hasMessageContaining("got 1.0");
    assertThatThrownBy(() -> Slo.availability(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Slo.availability(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    Slo slo = Slo.availability(0.5);
    assertThatThrownBy(() -> slo.withLatency(Duration.ofMillis(1), 1)).hasMessageContaining("latency objective");
    assertThatThrownBy(() -> slo.withLatency(Duration.ofMillis(1), 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Slo.availability(Math.nextUp(0.0)).availability()).isPositive();
    assertThat(Slo.availability(Math.nextDown(1.0)).availability()).isLessThan(1);
  }

  @Test
  void theLatencyThresholdMustBePositive() {
    Slo slo = Slo.availability(0.5);
    assertThatThrownBy(() -> slo.withLatency(Duration.ZERO, 0.9)).hasMessageContaining("must be positive, got PT0S");
    assertThatThrownBy(() -> slo.withLatency(Duration.ofMillis(-1), 0.9)).isInstanceOf(IllegalArgumentException.class);
    assertThat(slo.withLatency(Duration.ofNanos(1), 0.9).latencyThreshold()).contains(Duration.ofNanos(1));
  }

  @Test
  void slosAreEqualWhenTheirObjectivesAre() {
    Slo a = Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.95);
    assertThat(a).isEqualTo(Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.95))
        .hasSameHashCodeAs(Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.95));
    assertThat(a).isNotEqualTo(Slo.availability(0.99).withLatency(Duration.ofMillis(300), 0.95))
        .isNotEqualTo(Slo.availability(0.999).withLatency(Duration.ofMillis(301), 0.95))
        .isNotEqualTo(Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.9))
        .isNotEqualTo(Slo.availability(0.999))
        .isNotEqualTo("availability 99.9 %");
    assertThat(Slo.availability(0.75)).hasToString("availability 75.0 %");
    assertThat(Slo.availability(0.75).withLatency(Duration.ofMillis(300), 0.5))
        .hasToString("availability 75.0 %, 50.0 % within PT0.3S");
  }
}
