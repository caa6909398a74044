package dev.burnguard.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.ErrorBudgetPolicy.Action;
import dev.burnguard.rollout.ErrorBudgetPolicy.Budget;
import dev.burnguard.rollout.ErrorBudgetPolicy.Period;
import dev.burnguard.rollout.ErrorBudgetPolicy.ServiceSlo;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budget arithmetic against hand-computed cases; every expected value is a literal worked out by hand. */
class ErrorBudgetsTest {
  private static final long MS = 1_000_000L;

  private static ServiceSlo availability(String name, double objective, Period period) {
    return new ServiceSlo(name, "checkout", objective, null, period);
  }

  private static ErrorBudgetPolicy policy(ServiceSlo... slos) {
    ErrorBudgetPolicy.Builder b = ErrorBudgetPolicy.builder().threshold(75, Action.HOLD).threshold(100, Action.FREEZE);
    for (ServiceSlo s : slos) {
      b.slo(s);
    }
    return b.build();
  }

  private static void record(JourneyCounts counts, String journey, int calls, int failed, long latencyNanos) {
    for (int i = 0; i < calls; i++) {
      counts.record(journey, latencyNanos, i < failed);
    }
  }

  @Test
  void budgetSpentAfterKnownTraffic() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(ErrorBudgetPolicy.builder()
        .slo(availability("checkout", 0.999, Period.rolling(Duration.ofDays(28))))
        .slo(new ServiceSlo("search-p95", "search", 0.95, Duration.ofMillis(400), Period.calendarMonth()))
        .build());
    // checkout: 1,000,000 calls, 824 failed, over two hours
    record(budgets.counts(), "checkout", 600_000, 500, 5 * MS);
    clock.advance(Duration.ofHours(1));
    record(budgets.counts(), "checkout", 400_000, 324, 5 * MS);
    // search: 2,000 calls, 60 slower than 400 ms (and 10 failures, which a latency SLO does not count)
    record(budgets.counts(), "search", 1_940, 10, 100 * MS);
    record(budgets.counts(), "search", 60, 0, 401 * MS);
    record(budgets.counts(), "search", 5, 0, 400 * MS); // exactly at the threshold: within

    Budget checkout = budgets.budgets().get("checkout");
    assertThat(checkout.calls()).isEqualTo(1_000_000);
    assertThat(checkout.badCalls()).isEqualTo(824);
    assertThat(checkout.allowedBadCalls()).isEqualByComparingTo(new BigDecimal("1000"));
    assertThat(checkout.spent()).isEqualTo(0.824);
    assertThat(checkout.describe()).isEqualTo("82.4 % spent (824 of 1,000 allowed bad calls in 28 d)");
    assertThat(checkout.reached(75)).isTrue();
    assertThat(checkout.reached(82.4)).isTrue();
    assertThat(checkout.reached(82.5)).isFalse();

    Budget search = budgets.budgets().get("search-p95");
    assertThat(search.calls()).isEqualTo(2_005);
    assertThat(search.badCalls()).isEqualTo(60);
    // 5 % of 2,005 = 100.25 allowed; 60 / 100.25 = 59.850...%
    assertThat(search.allowedBadCalls()).isEqualByComparingTo(new BigDecimal("100.25"));
    assertThat(search.describe()).isEqualTo("59.9 % spent (60 of 100.3 allowed bad calls in calendar month)");
    assertThat(search.from()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
  }

  @Test
  void noTrafficSpendsNothing() {
    ManualClock clock = new ManualClock();
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(policy(availability("checkout", 0.999, Period.rolling(Duration.ofDays(28)))));
    Budget b = budgets.budgets().get("checkout");
    assertThat(List.of(b.calls(), b.badCalls())).containsExactly(0L, 0L);
    assertThat(b.spent()).isZero();
    assertThat(b.reached(75)).isFalse();
  }

  /**
   * 99,990 good calls, then one failed call a minute. After m minutes: bad m, allowed
   * 0.001 × (99,990 + m). Minute 75: 75 / 100.065 = 74.95 % (not yet); minute 76: 76 / 100.066 =
   * 75.9499 % ≥ 75: the advance is held from minute 76 on, not at minute 75 (where 75 of a round 100
   * would wrongly say 75 %).
   */
  @Test
  void theHoldThresholdTripsAtMinute76() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(policy(availability("checkout", 0.999, Period.rolling(Duration.ofDays(28)))));
    record(budgets.counts(), "checkout", 99_990, 0, MS);
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(10, Duration.ZERO, 0), new Stage(100, Duration.ZERO, 0))).build();
    Integer heldFrom = null;
    for (int minute = 1; minute <= 120 && heldFrom == null; minute++) {
      clock.advance(Duration.ofMinutes(1));
      budgets.counts().record("checkout", MS, true);
      Decision judged = advance(plan, clock.now());
      Decision reviewed = budgets.review(plan, judged.before(), judged, clock.now());
      if (reviewed.action() == DecisionAction.HOLD) {
        heldFrom = minute;
        assertThat(reviewed.reason()).isEqualTo("error-budget policy: service budget \"checkout\" 75.9 % spent"
            + " (76 of 100.1 allowed bad calls in 28 d) ≥ 75 %: advance held (hold; the judge would advance to"
            + " exposure 100.00%)");
        assertThat(reviewed.after()).isEqualTo(judged.before());
      } else {
        assertThat(reviewed).isSameAs(judged);
      }
    }
    assertThat(heldFrom).isEqualTo(76);
    assertThat(budgets.budgets().get("checkout").spent()).isCloseTo(76 / 100.066, org.assertj.core.data.Offset.offset(1e-12));
  }

  /** A decision of the judge advancing a fresh rollout of {@code plan} to its second stage. */
  private static Decision advance(RolloutPlan plan, Instant now) {
    RolloutState s = RolloutState.start("f", plan, now);
    RolloutState next = s.with(RolloutStatus.RAMPING, 1, 1.0, 0, now, null, null);
    return new Decision("f", now, DecisionAction.ADVANCE, Decision.GUARDIAN, true, "stage 0 baked healthy", List.of(),
        s, next);
  }

  @Test
  void holdLetsAReprobeThroughFreezeDoesNotAndShrinksAreNeverHeld() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(policy(availability("checkout", 0.99, Period.rolling(Duration.ofHours(1)))));
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(10, Duration.ZERO, 0), new Stage(100, Duration.ZERO, 0))).build();
    Instant now = clock.now();
    RolloutState cooling = RolloutState.start("f", plan, now).with(RolloutStatus.COOLING_DOWN, 0, 0.05, 1, now, now,
        null);
    Decision reprobe = new Decision("f", now, DecisionAction.REPROBE, Decision.GUARDIAN, true, "cool-down over",
        List.of(), cooling, cooling.with(RolloutStatus.RAMPING, 0, 0.10, 1, now, null, null));
    Decision shrink = new Decision("f", now, DecisionAction.SHRINK, Decision.GUARDIAN, true, "burn", List.of(),
        cooling, cooling.with(RolloutStatus.COOLING_DOWN, 0, 0.02, 2, now, now, null));
    // 1,000 calls, 8 failed: 8 of 10 allowed = 80 % (hold, not freeze)
    record(budgets.counts(), "checkout", 1_000, 8, MS);
    assertThat(budgets.review(plan, cooling, reprobe, now)).isSameAs(reprobe);
    assertThat(budgets.review(plan, cooling, shrink, now)).isSameAs(shrink);
    // 2 more failed: 10 of 10.02 allowed = 99.8 %; 1 more: 11 of 10.03 = 109.7 % (freeze)
    record(budgets.counts(), "checkout", 2, 2, MS);
    assertThat(budgets.review(plan, cooling, reprobe, now)).isSameAs(reprobe);
    record(budgets.counts(), "checkout", 1, 1, MS);
    Decision held = budgets.review(plan, cooling, reprobe, now);
    assertThat(held.action()).isEqualTo(DecisionAction.HOLD);
    assertThat(held.reason()).startsWith("error-budget policy: service budget \"checkout\" 109.7 % spent (11 of 10.0"
        + " allowed bad calls in 1 h) ≥ 100 %: re-probe held (freeze;");
    assertThat(budgets.review(plan, cooling, shrink, now)).isSameAs(shrink);
    assertThat(budgets.review(plan, cooling, null, now)).isNull();
  }

  @Test
  void aFreezeShrinksARolloutStillRampingToItsFirstStageAndLeavesTheOthers() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(policy(availability("checkout", 0.99, Period.rolling(Duration.ofHours(1)))));
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(10, Duration.ZERO, 0),
        new Stage(50, Duration.ZERO, 0), new Stage(100, Duration.ZERO, 0))).build();
    Instant now = clock.now();
    RolloutState atHalf = RolloutState.start("f", plan, now).with(RolloutStatus.RAMPING, 1, 0.5, 0, now, null, null);
    Decision advance = new Decision("f", now, DecisionAction.ADVANCE, Decision.GUARDIAN, true, "baked", List.of(),
        atHalf, atHalf.with(RolloutStatus.RAMPING, 2, 1.0, 0, now, null, null));
    Decision rollback = new Decision("f", now, DecisionAction.ROLLBACK, Decision.GUARDIAN, true, "rule fired",
        List.of(), atHalf, atHalf.with(RolloutStatus.ROLLED_BACK, 1, 0, 0, now, null, null));
    // 1,000 calls, 9 failed: 9 of 10 allowed = 90 %: hold, nothing shrinks
    record(budgets.counts(), "checkout", 1_000, 9, MS);
    assertThat(budgets.review(plan, atHalf, null, now)).isNull();
    assertThat(budgets.review(plan, atHalf, advance, now).action()).isEqualTo(DecisionAction.HOLD);
    // 1 more failed: 10 of 10.01 allowed = 99.9 %: still hold
    record(budgets.counts(), "checkout", 1, 1, MS);
    assertThat(budgets.review(plan, atHalf, null, now)).isNull();
    // 1 more failed: 11 of 10.02 allowed = 109.8 % ≥ 100 %: freeze shrinks the rollout to 10 %, stage 0
    record(budgets.counts(), "checkout", 1, 1, MS);
    Decision shrink = budgets.review(plan, atHalf, null, now);
    assertThat(shrink.action()).isEqualTo(DecisionAction.SHRINK);
    assertThat(shrink.actor()).isEqualTo(Decision.GUARDIAN);
    assertThat(shrink.reason()).isEqualTo("error-budget policy: service budget \"checkout\" 109.8 % spent (11 of 10.0"
        + " allowed bad calls in 1 h) ≥ 100 %: freeze: shrunk to the first stage (exposure 50.00% -> 10.00%, stage 1 -> 0)");
    assertThat(shrink.before()).isEqualTo(atHalf);
    assertThat(List.of(shrink.after().status(), shrink.after().stage(), shrink.after().exposure(),
        shrink.after().shrinks())).containsExactly(RolloutStatus.RAMPING, 0, 0.10, 0);
    // the judge's advance becomes the shrink; its own rollback is taken as it is
    assertThat(budgets.review(plan, atHalf, advance, now).action()).isEqualTo(DecisionAction.SHRINK);
    assertThat(budgets.review(plan, atHalf, rollback, now)).isSameAs(rollback);
    // at its first stage a rollout is only held; cooling down above it, it is shrunk too
    RolloutState first = shrink.after();
    assertThat(budgets.review(plan, first, null, now)).isNull();
    Decision firstAdvance = new Decision("f", now, DecisionAction.ADVANCE, Decision.GUARDIAN, true, "baked", List.of(),
        first, first.with(RolloutStatus.RAMPING, 1, 0.5, 0, now, null, null));
    assertThat(budgets.review(plan, first, firstAdvance, now).reason()).contains(": advance held (freeze;");
    RolloutState cooling = atHalf.with(RolloutStatus.COOLING_DOWN, 2, 0.5, 1, now, now.plusSeconds(60), null);
    assertThat(budgets.review(plan, cooling, null, now).after().exposure()).isEqualTo(0.10);
    // finished ramping, paused by a person, rolled back: left as they are
    for (RolloutStatus left : List.of(RolloutStatus.WATCHING, RolloutStatus.PAUSED, RolloutStatus.COMPLETED)) {
      RolloutState s = atHalf.with(left, 2, 1.0, 0, now, left == RolloutStatus.WATCHING ? now.plusSeconds(60) : null,
          left == RolloutStatus.PAUSED ? RolloutStatus.RAMPING : null);
      assertThat(budgets.review(plan, s, null, now)).as(left.name()).isNull();
    }
    // a person's override in force: not shrunk, and its advance goes through once
    budgets.overridden(new Decision("f", now, DecisionAction.OVERRIDE, "person:alice", true, "hotfix", List.of(),
        atHalf, atHalf));
    assertThat(budgets.review(plan, atHalf, null, now)).isNull();
    assertThat(budgets.review(plan, atHalf, advance, now).reason()).endsWith("; error-budget policy overridden by"
        + " person:alice (service budget \"checkout\" 109.8 % spent (11 of 10.0 allowed bad calls in 1 h) ≥ 100 %)");
    assertThat(budgets.review(plan, atHalf, null, now).action()).isEqualTo(DecisionAction.SHRINK);
  }

  @Test
  void onlyTheGovernedFlagsAndSlosCount() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(ErrorBudgetPolicy.builder()
        .slo(availability("checkout", 0.99, Period.rolling(Duration.ofDays(1))))
        .slo(new ServiceSlo("search", "search", 0.99, null, Period.rolling(Duration.ofDays(1))))
        .governedSlos(List.of("search")).governedFlags(List.of("f")).threshold(50, Action.HOLD).build());
    record(budgets.counts(), "checkout", 100, 100, MS); // checkout's budget: 10,000 % spent, not governing
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(10, Duration.ZERO, 0), new Stage(100, Duration.ZERO, 0))).build();
    Decision judged = advance(plan, clock.now());
    assertThat(budgets.review(plan, judged.before(), judged, clock.now())).isSameAs(judged);
    record(budgets.counts(), "search", 100, 1, MS); // 1 of 1 allowed: 100 % ≥ 50 %
    assertThat(budgets.review(plan, judged.before(), judged, clock.now()).action()).isEqualTo(DecisionAction.HOLD);
    RolloutState other = RolloutState.start("g", plan, clock.now());
    Decision otherAdvance = new Decision("g", clock.now(), DecisionAction.ADVANCE, Decision.GUARDIAN, true, "baked",
        List.of(), other, other.with(RolloutStatus.RAMPING, 1, 1.0, 0, clock.now(), null, null));
    assertThat(budgets.review(plan, other, otherAdvance, clock.now())).as("flag g is not governed").isSameAs(otherAdvance);
  }

  @Test
  void calendarMonthStartsAtMidnightUtcOnTheFirst() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-31T23:30:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(ErrorBudgetPolicy.builder()
        .slo(availability("month", 0.99, Period.calendarMonth()))
        .slo(new ServiceSlo("last-2h", "checkout", 0.99, null, Period.rolling(Duration.ofHours(2))))
        .slo(new ServiceSlo("last-1h", "checkout", 0.99, null, Period.rolling(Duration.ofHours(1))))
        .build());
    record(budgets.counts(), "checkout", 10, 5, MS); // January 31, 23:30
    assertThat(budgets.budgets().get("month").calls()).isEqualTo(10);
    clock.advance(Duration.ofMinutes(29).plusSeconds(59)); // 23:59:59
    assertThat(budgets.budgets().get("month").calls()).isEqualTo(10);
    clock.advance(Duration.ofSeconds(1)); // February 1, 00:00:00
    assertThat(budgets.budgets().get("month").calls()).isZero();
    assertThat(budgets.budgets().get("month").from()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    assertThat(budgets.budgets().get("last-1h").calls()).isZero();
    assertThat(budgets.budgets().get("last-2h").calls()).isEqualTo(10);
    record(budgets.counts(), "checkout", 4, 1, MS);
    assertThat(List.of(budgets.budgets().get("month").calls(), budgets.budgets().get("month").badCalls()))
        .containsExactly(4L, 1L);
    assertThat(budgets.budgets().get("last-2h").calls()).isEqualTo(14);
  }

  @Test
  void aRolling28DayPeriodIsTheCurrentHourAndThe671BeforeIt() {
    // 28 d = 672 hours: the current hour and the 671 before it
    ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:15:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    budgets.policy(policy(availability("checkout", 0.999, Period.rolling(Duration.ofDays(28)))));
    record(budgets.counts(), "checkout", 7, 3, MS); // hour 10:00 on March 1
    clock.advance(Duration.ofHours(1));
    record(budgets.counts(), "checkout", 5, 0, MS); // hour 11:00
    // March 29, 09:59: the period is the 672 hours from March 1, 10:00 to March 29, 09:00
    clock.advance(Duration.ofDays(28).minusHours(2).plusMinutes(44));
    assertThat(budgets.budgets().get("checkout").calls()).isEqualTo(12);
    assertThat(budgets.budgets().get("checkout").from()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
    clock.advance(Duration.ofMinutes(1)); // 10:00: hour 10:00 of March 1 left the period
    assertThat(budgets.budgets().get("checkout").calls()).isEqualTo(5);
    assertThat(budgets.budgets().get("checkout").badCalls()).isZero();
    clock.advance(Duration.ofHours(1));
    assertThat(budgets.budgets().get("checkout").calls()).isZero();
  }

  @Test
  void aRestartMidwayKeepsTheExactBudget(@TempDir Path dir) {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
    ErrorBudgetPolicy policy = policy(availability("checkout", 0.999, Period.rolling(Duration.ofDays(28))));
    ErrorBudgets first = new ErrorBudgets(new JourneyCounts(clock));
    first.policy(policy);
    first.persistIn(dir);
    record(first.counts(), "checkout", 300_000, 300, MS);
    clock.advance(Duration.ofHours(5));
    record(first.counts(), "checkout", 200_000, 112, MS);
    first.write();

    clock.advance(Duration.ofMinutes(10));
    ErrorBudgets second = new ErrorBudgets(new JourneyCounts(clock));
    second.persistIn(dir); // before the flags (and so the SLOs) are loaded, as a provider starts
    second.policy(policy);
    Budget b = second.budgets().get("checkout");
    assertThat(List.of(b.calls(), b.badCalls())).containsExactly(500_000L, 412L);
    assertThat(b.describe()).isEqualTo("82.4 % spent (412 of 500 allowed bad calls in 28 d)");
    // counting goes on from there, and a second restart adds nothing twice
    record(second.counts(), "checkout", 1_000, 1, MS);
    second.write();
    ErrorBudgets third = new ErrorBudgets(new JourneyCounts(clock));
    third.policy(policy);
    third.persistIn(dir);
    assertThat(third.budgets().get("checkout").calls()).isEqualTo(501_000);
    assertThat(third.budgets().get("checkout").badCalls()).isEqualTo(413);
  }

  @Test
  void aChangedSloStartsItsCountsAfreshAndAnUnchangedOneKeepsThem() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T12:00:00Z"));
    ErrorBudgets budgets = new ErrorBudgets(new JourneyCounts(clock));
    ServiceSlo fast = new ServiceSlo("search", "search", 0.95, Duration.ofMillis(400), Period.rolling(Duration.ofDays(1)));
    budgets.policy(ErrorBudgetPolicy.builder().slo(fast).build());
    record(budgets.counts(), "search", 100, 0, 500 * MS);
    // a new objective counts the same bad calls: kept
    budgets.policy(ErrorBudgetPolicy.builder()
        .slo(new ServiceSlo("search", "search", 0.99, Duration.ofMillis(400), Period.rolling(Duration.ofDays(1)))).build());
    assertThat(budgets.budgets().get("search").badCalls()).isEqualTo(100);
    // a new threshold makes other calls bad: afresh
    budgets.policy(ErrorBudgetPolicy.builder()
        .slo(new ServiceSlo("search", "search", 0.99, Duration.ofMillis(600), Period.rolling(Duration.ofDays(1)))).build());
    assertThat(budgets.budgets().get("search").calls()).isZero();
  }
}
