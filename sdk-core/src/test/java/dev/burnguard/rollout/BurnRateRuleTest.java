package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The windows and factors a rule accepts, at their edges, and how rules are named. */
class BurnRateRuleTest {
  private static BurnRateRule rule(Duration longWindow, Duration shortWindow) {
    return new BurnRateRule(longWindow, shortWindow, 2, RuleAction.SHRINK);
  }

  @Test
  void theLongWindowIsFromTenSecondsToTheRecordersSeventyTwoHours() {
    Duration tenSeconds = Duration.ofSeconds(10);
    assertThat(rule(tenSeconds, tenSeconds).longWindow()).isEqualTo(tenSeconds);
    assertThat(rule(Duration.ofHours(72), tenSeconds).longWindow()).isEqualTo(Duration.ofHours(72));
    assertThatThrownBy(() -> rule(tenSeconds.minusNanos(1), Duration.ofSeconds(5)))
        .hasMessageContaining("long window must be between 10 s and 72 h");
    assertThatThrownBy(() -> rule(Duration.ofHours(72).plusNanos(1), Duration.ofHours(1)))
        .hasMessageContaining("long window must be between 10 s and 72 h");
  }

  @Test
  void theShortWindowIsFromTenSecondsToTheLongWindow() {
    assertThat(rule(Duration.ofHours(1), Duration.ofHours(1)).shortWindow()).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> rule(Duration.ofHours(1), Duration.ofHours(1).plusNanos(1)))
        .hasMessageContaining("short window must be between 10 s and the long window (PT1H)");
    assertThatThrownBy(() -> rule(Duration.ofHours(1), Duration.ofSeconds(10).minusNanos(1)))
        .hasMessageContaining("short window");
  }

  @Test
  void theFactorIsPositiveAndFinite() {
    Duration h = Duration.ofHours(1);
    Duration m = Duration.ofMinutes(5);
    assertThat(new BurnRateRule(h, m, Double.MIN_VALUE, RuleAction.ROLLBACK).factor()).isPositive();
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> new BurnRateRule(h, m, bad, RuleAction.ROLLBACK))
          .hasMessageContaining("burn-rate factor must be positive");
    }
  }

  @Test
  void theWorkbooksRules() {
    assertThat(BurnRateRule.fastBurn(RuleAction.ROLLBACK))
        .isEqualTo(new BurnRateRule(Duration.ofHours(1), Duration.ofMinutes(5), 14.4, RuleAction.ROLLBACK));
    assertThat(BurnRateRule.slowBurn(RuleAction.SHRINK))
        .isEqualTo(new BurnRateRule(Duration.ofHours(6), Duration.ofMinutes(30), 6, RuleAction.SHRINK));
    assertThat(BurnRateRule.fastBurn(RuleAction.ROLLBACK)).hasToString("1h/5m x14.4 -> ROLLBACK");
  }

  @Test
  void durationsAreWrittenTheWayPeopleWriteThem() {
    assertThat(BurnRateRule.compact(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(BurnRateRule.compact(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(BurnRateRule.compact(Duration.ofSeconds(3601))).isEqualTo("1h1s");
    assertThat(BurnRateRule.compact(Duration.ofHours(72))).isEqualTo("72h");
    assertThat(BurnRateRule.compact(Duration.ofSeconds(1))).isEqualTo("1s");
    assertThat(BurnRateRule.compact(Duration.ofMinutes(1))).isEqualTo("1m");
    assertThat(BurnRateRule.compact(Duration.ZERO)).isEqualTo("0s");
  }
}
