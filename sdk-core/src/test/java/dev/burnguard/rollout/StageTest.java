package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.rollout.RolloutPlan.Stage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a stage accepts, at the edges. */
class StageTest {
  private static final Duration BAKE = Duration.ofMinutes(1);

  @Test
  void theExposureIsAPercentageAboveZeroUpToAHundred() {
    assertThat(new Stage(100, BAKE, 0).exposure()).isEqualTo(1.0);
    assertThat(new Stage(12.5, BAKE, 0).exposure()).isEqualTo(0.125);
    assertThat(new Stage(Double.MIN_VALUE, BAKE, 0).exposurePercent()).isPositive();
    for (double bad : new double[] {0, -1, Math.nextUp(100.0), Double.NaN}) {
      assertThatThrownBy(() -> new Stage(bad, BAKE, 0)).hasMessageContaining("stage exposure must be in (0, 100]");
    }
  }

  @Test
  void bakeTimeAndSamplesMayBeZeroButNotNegative() {
    assertThat(new Stage(50, Duration.ZERO, 0)).isEqualTo(new Stage(50, Duration.ZERO, 0));
    assertThatThrownBy(() -> new Stage(50, Duration.ofNanos(-1), 0)).hasMessageContaining("bake time must not be negative");
    assertThatThrownBy(() -> new Stage(50, BAKE, -1)).hasMessageContaining("minSamples must not be negative, got -1");
  }
}
