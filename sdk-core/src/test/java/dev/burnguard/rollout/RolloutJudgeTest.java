package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The statistics behind the shared-cause comparison, against values worked out by hand. */
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
  void aControlWithoutErrorsIsClearlyBetterThanAFailingCandidateOnlyWithEnoughCalls() {
    // candidate 15 % bad; control 0 of n: P(0 | n, 0.1) = 0.9^n, below α = 0.01 from n = 44 on
    assertThat(RolloutJudge.controlClearlyBetter(150, 1000, 0, 98, 2.0 / 3, 0.01)).isTrue();
    assertThat(RolloutJudge.controlClearlyBetter(150, 1000, 0, 30, 2.0 / 3, 0.01)).isFalse();
    // both at 2 %: never clearly better
    assertThat(RolloutJudge.controlClearlyBetter(10, 500, 3, 250, 2.0 / 3, 0.01)).isFalse();
    assertThat(RolloutJudge.controlClearlyBetter(2000, 100_000, 2000, 100_000, 2.0 / 3, 0.01)).isFalse();
  }
}
