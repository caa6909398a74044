package dev.burnguard.internal.guardian;

import dev.burnguard.internal.guardian.RolloutJudge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The statistics behind the shared-cause comparison, against values worked out by hand or from tables. */
class RolloutJudgeTest {
  @Test
  void binomialLowerTailMatchesHandComputedValues() {
    // P(X = 0 | n = 50, p = 0.1) = 0.9^50
    assertThat(RolloutJudge.binomialLowerTail(0, 50, 0.1)).isCloseTo(Math.pow(0.9, 50), within(1e-12));
    // P(X <= 1 | n = 10, p = 0.5) = (1 + 10) / 1024
    assertThat(RolloutJudge.binomialLowerTail(1, 10, 0.5)).isCloseTo(11.0 / 1024, within(1e-12));
    // P(X <= 3 | n = 250, p = 0.0133): Poisson-like mass around a mean of 3.3, about 0.58
    assertThat(RolloutJudge.binomialLowerTail(3, 250, 0.0133)).isBetween(0.55, 0.60);
    // normal approximation above 1,000 successes: the median of Binomial(100000, 0.02) is about 2000
    assertThat(RolloutJudge.binomialLowerTail(2000, 100_000, 0.02)).isCloseTo(0.5, within(0.01));
    assertThat(RolloutJudge.binomialLowerTail(10, 10, 0.3)).isEqualTo(1);
  }

  @Test
  void theExactSumHoldsUpToAThousandSuccessesAtTheTailsOfSkewedDistributions() {
    // Binomial(1010, 0.99), whose normal approximation is poor: P(X <= 1000) = 1 - sum of the ten upper terms
    double upper = 0;
    for (int j = 0; j < 10; j++) { // X = 1010 - j
      upper += choose(1010, j) * Math.pow(0.99, 1010 - j) * Math.pow(0.01, j);
    }
    assertThat(RolloutJudge.binomialLowerTail(1000, 1010, 0.99)).isCloseTo(1 - upper, within(1e-9));
    // P(X <= n - 1) = 1 - p^n
    assertThat(RolloutJudge.binomialLowerTail(9, 10, 0.5)).isCloseTo(1 - Math.pow(0.5, 10), within(1e-12));
    // degenerate probabilities: never a bad call, or only bad calls
    assertThat(RolloutJudge.binomialLowerTail(0, 10, 0)).isEqualTo(1);
    assertThat(RolloutJudge.binomialLowerTail(3, 10, 1)).isEqualTo(0);
  }

  private static double choose(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
    }
    return c;
  }

  @Test
  void aboveAThousandSuccessesTheContinuityCorrectedApproximationStaysCloseOnASkewedDistribution() {
    // Binomial(1010, 0.99), sd 3.16: P(X <= 1001) = 1 - the nine upper terms = 0.6795; Φ((1001.5 - 999.9) / 3.16) = 0.694
    double upper = 0;
    for (int j = 0; j < 9; j++) {
      upper += choose(1010, j) * Math.pow(0.99, 1010 - j) * Math.pow(0.01, j);
    }
    assertThat(RolloutJudge.binomialLowerTail(1001, 1010, 0.99)).isCloseTo(1 - upper, within(0.02));
  }

  @Test
  void theNormalApproximationMatchesTheStandardNormalOnBothSides() {
    // Binomial(1,000,000, 0.5): mean 500,000, sd 500; with the continuity correction these are z = ±1.001, ±1.999
    // and ±2.001; Φ(1) = 0.84134, Φ(2) = 0.97725 (tables), and Φ moves by less than 3e-4 over 0.001 there
    assertThat(RolloutJudge.binomialLowerTail(500_500, 1_000_000, 0.5)).isCloseTo(0.84134, within(1e-3));
    assertThat(RolloutJudge.binomialLowerTail(499_499, 1_000_000, 0.5)).isCloseTo(1 - 0.84134, within(1e-3));
    assertThat(RolloutJudge.binomialLowerTail(500_999, 1_000_000, 0.5)).isCloseTo(0.97725, within(1e-3));
    assertThat(RolloutJudge.binomialLowerTail(498_999, 1_000_000, 0.5)).isCloseTo(1 - 0.97725, within(1e-3));
  }

  @Test
  void aControlWithoutErrorsIsClearlyBetterThanAFailingCandidateOnlyWithEnoughCalls() {
    // candidate 15 % bad; control 0 of n: P(0 | n, 0.1) = 0.9^n, below α = 0.01 from n = 44 on
    assertThat(RolloutJudge.controlClearlyBetter(150, 1000, 0, 98, 2.0 / 3, 0.01)).isTrue();
    assertThat(RolloutJudge.controlClearlyBetter(150, 1000, 0, 30, 2.0 / 3, 0.01)).isFalse();
    // without candidate calls there is nothing to compare with
    assertThat(RolloutJudge.controlClearlyBetter(0, 0, 0, 1000, 2.0 / 3, 0.01)).isFalse();
    // both at 2 %: never clearly better
    assertThat(RolloutJudge.controlClearlyBetter(10, 500, 3, 250, 2.0 / 3, 0.01)).isFalse();
    assertThat(RolloutJudge.controlClearlyBetter(2000, 100_000, 2000, 100_000, 2.0 / 3, 0.01)).isFalse();
  }
}
