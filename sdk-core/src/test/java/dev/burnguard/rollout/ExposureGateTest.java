package dev.burnguard.rollout;

import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.guardian.Guardian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Who the gate admits, at the edges of its exposure, and when two gates are the same. */
class ExposureGateTest {
  private static final Map<String, Object> MD = Map.of("k", "v");

  private static ExposureGate gate(double exposure) {
    return new ExposureGate("checkout", "new", "old", exposure, true, Guardian.ROLLOUT_REASON, MD);
  }

  /** Positions are multiples of 2^-32 (a 32-bit hash); the gate resolves exposures to the same grid. */
  @Test
  void aContextIsAdmittedExactlyWhenItsPositionIsBelowTheExposure() {
    for (int i = 0; i < 200; i++) {
      String key = "user-" + i;
      double position = ExposureGate.position("checkout", key);
      assertThat(position).isBetween(0.0, 1.0).isLessThan(1.0);
      assertThat(gate(position).admits(key)).as("at its own position").isFalse();
      assertThat(gate(position + 0x1p-32).admits(key)).as("one step above its position").isTrue();
    }
  }

  @Test
  void theAdmittedShareIsTheExposureAndGrowsMonotonically() {
    int users = 20_000;
    long at10 = IntStream.range(0, users).filter(i -> gate(0.10).admits("user-" + i)).count();
    long at50 = IntStream.range(0, users).filter(i -> gate(0.50).admits("user-" + i)).count();
    assertThat(at10).isBetween(users * 9L / 100, users * 11L / 100);
    assertThat(at50).isBetween(users * 48L / 100, users * 52L / 100);
    assertThat(IntStream.range(0, users).filter(i -> gate(0.10).admits("user-" + i)))
        .allMatch(i -> gate(0.50).admits("user-" + i));
  }

  @Test
  void noExposureAdmitsNobodyFullExposureAndDryRunAdmitEveryone() {
    assertThat(IntStream.range(0, 1000)).noneMatch(i -> gate(0).admits("user-" + i));
    assertThat(IntStream.range(0, 1000)).allMatch(i -> gate(1).admits("user-" + i));
    ExposureGate dryRun = new ExposureGate("checkout", "new", "old", 0, false, Guardian.ROLLOUT_REASON, MD);
    assertThat(IntStream.range(0, 1000)).allMatch(i -> dryRun.admits("user-" + i));
  }

  @Test
  void aContextWithoutATargetingKeyIsAdmittedOnlyAtFullExposure() {
    assertThat(gate(0.999_999).admits(null)).isFalse();
    assertThat(gate(0.999_999).admits("")).isFalse();
    assertThat(gate(1).admits(null)).isTrue();
    assertThat(gate(1).admits("")).isTrue();
  }

  @Test
  void theExposureMustBeAFraction() {
    assertThatThrownBy(() -> gate(-0.01)).hasMessageContaining("exposure must be in [0, 1], got -0.01");
    assertThatThrownBy(() -> gate(1.01)).hasMessageContaining("got 1.01");
    assertThatThrownBy(() -> gate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gatesAreEqualWhenEverythingTheyServeIsEqual() {
    ExposureGate g = gate(0.25);
    assertThat(g).isEqualTo(gate(0.25)).hasSameHashCodeAs(gate(0.25));
    assertThat(g).isNotEqualTo(gate(0.5))
        .isNotEqualTo(new ExposureGate("other", "new", "old", 0.25, true, Guardian.ROLLOUT_REASON, MD))
        .isNotEqualTo(new ExposureGate("checkout", "newer", "old", 0.25, true, Guardian.ROLLOUT_REASON, MD))
        .isNotEqualTo(new ExposureGate("checkout", "new", "older", 0.25, true, Guardian.ROLLOUT_REASON, MD))
        .isNotEqualTo(new ExposureGate("checkout", "new", "old", 0.25, false, Guardian.ROLLOUT_REASON, MD))
        .isNotEqualTo(new ExposureGate("checkout", "new", "old", 0.25, true, Guardian.ROLLED_BACK_REASON, MD))
        .isNotEqualTo(new ExposureGate("checkout", "new", "old", 0.25, true, Guardian.ROLLOUT_REASON, Map.of()))
        .isNotEqualTo("checkout");
    assertThat(g.flagKey()).isEqualTo("checkout");
    assertThat(g.toString()).isEqualTo("ExposureGate[checkout: new at 25.0 % else old]");
    assertThat(new ExposureGate("checkout", "new", "old", 0.25, false, "R", MD).toString()).endsWith(", dry run]");
  }
}
