package dev.burnguard.rollout;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decisions that are a pure function of (flag, version), so a test can write them in one process
 * and check every field of what another process reads back. Versions chain: the decision to
 * version v has {@code before = state(flag, v - 1)} and {@code after = state(flag, v)}. Fields vary
 * with the version to cover every enum constant, null and non-null optionals, NaN and infinite
 * burn rates, and text that needs escaping.
 */
final class TestDecisions {
  static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456789Z");

  private TestDecisions() {}

  static RolloutState state(String flag, long version) {
    int v = (int) (version % 1_000_003);
    RolloutStatus status = RolloutStatus.values()[v % RolloutStatus.values().length];
    return new RolloutState(flag, "plan of " + flag + " [\"a\" -> \"b\"] \u00e9\u2713", status, v % 5,
        (v % 101) / 100.0 + (v % 3 == 0 ? 0 : 1e-17), v % 4, T0.plusSeconds(version).plusNanos(v % 1000),
        v % 2 == 0 ? null : T0.plus(Duration.ofMinutes(v)), status == RolloutStatus.PAUSED ? RolloutStatus.WATCHING : null,
        version);
  }

  static Decision decision(String flag, long version) {
    int v = (int) (version % 1_000_003);
    List<RuleCheck> evidence = new ArrayList<>();
    for (int i = 0; i < v % 3; i++) {
      BurnRateRule rule = i == 0 ? BurnRateRule.fastBurn(RuleAction.ROLLBACK)
          : new BurnRateRule(Duration.ofHours(6).plusMillis(v), Duration.ofSeconds(10 + v % 50), 6 + v / 7.0,
              RuleAction.SHRINK);
      double burn = v % 7 == 0 ? Double.NaN : v % 11 == 0 ? Double.POSITIVE_INFINITY : v / 3.0;
      evidence.add(new RuleCheck(rule, i == 0 ? "availability" : "latency", 0.001, 100_000L + v, v, burn,
          8_000L + v, v / 2, v % 13 == 0 ? -0.0 : burn * 1.5, 99_000L + v, v / 3, 0.1 + v, v % 2 == 0,
          Math.log(1 + v), Math.log(100), v % 5 == 0));
    }
    return new Decision(flag, T0.plusSeconds(version).plusNanos(v),
        DecisionAction.values()[v % DecisionAction.values().length],
        v % 3 == 0 ? "person:al\u00efce" : Decision.GUARDIAN, v % 4 != 0,
        "burn " + v / 3.0 + " over 1h \"quoted\", tab\there\nnext line \\ \u2603", evidence,
        version == 0 ? null : state(flag, version - 1), state(flag, version));
  }

  /** The decision that follows {@code current} (a first decision when null). */
  static Decision next(String flag, RolloutState current) {
    return decision(flag, current == null ? 0 : current.version() + 1);
  }
}
