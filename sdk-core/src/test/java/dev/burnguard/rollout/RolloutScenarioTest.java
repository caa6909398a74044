package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.Simulation;
import dev.burnguard.testing.Simulation.SimulationResult;
import dev.burnguard.testing.VariantBehavior;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guardian's behaviour in the scenarios the product promises, run with the simulation kit on a
 * manual clock. SLO 99.9 %, rules 1 h / 5 min × 14.4 → rollback and 6 h / 30 min × 6 → shrink,
 * α = 0.01, unless a test says otherwise. Expected times come from the SRE Workbook formula
 * t = W × factor × (1 − SLO) / e for a long window W full of healthy traffic.
 */
class RolloutScenarioTest {
  /** Every user is assigned the candidate by the flag; the rollout's gate decides who gets it. */
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";
  private static final Duration ONE_TICK = Duration.ofSeconds(1);
  private static final Duration ONE_BUCKET_OF_THE_HOUR_WINDOW = Duration.ofMinutes(1);

  /** All traffic on the candidate from the start, watched for days: isolates detection time. */
  private static RolloutPlan.Builder fullExposure() {
    return RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(60));
  }

  private static Simulation.Builder sim(RolloutPlan plan) {
    return Simulation.builder(FLAGS, "checkout", plan).requestsPerSecond(100).seed(7)
        .behavior("new", VariantBehavior.errors(0)).behavior("old", VariantBehavior.errors(0));
  }

  private static void assertWithin(Duration actual, Duration expected, Duration tolerance) {
    assertThat(actual).as("expected %s ± %s", expected, tolerance)
        .isBetween(expected.minus(tolerance), expected.plus(tolerance));
  }

  @Test
  void twoPercentErrorsAfterTwoHealthyHoursRollBackAfter43Point2Minutes() {
    Duration change = Duration.ofHours(2);
    SimulationResult r = sim(fullExposure().build())
        .at(change, "new", VariantBehavior.errors(0.02))
        .run(Duration.ofHours(3));
    Duration detection = r.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    System.out.println("2 % errors: rolled back " + detection + " after the change");
    // 1 h × 14.4 × 0.001 / 0.02 = 43.2 min
    assertWithin(detection, Duration.ofSeconds(2592), ONE_BUCKET_OF_THE_HOUR_WINDOW.plus(ONE_TICK));
    assertThat(r.decisions()).noneMatch(d -> d.action() == DecisionAction.SHRINK);
    Decision rollback = r.first(DecisionAction.ROLLBACK).orElseThrow();
    assertThat(rollback.reason()).contains("1h").contains("14.4");
    assertThat(rollback.evidence()).anyMatch(c -> c.fires() && c.burnLong() > 14.4 && c.burnShort() > 14.4);
    assertThat(r.finalState().exposure()).isZero();
    assertThat(r.finalState().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
  }

  @Test
  void aTotalOutageRollsBackAfter51Point8Seconds() {
    Duration change = Duration.ofHours(2);
    SimulationResult r = sim(fullExposure().build())
        .at(change, "new", VariantBehavior.errors(1))
        .run(change.plusMinutes(5));
    Duration detection = r.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    System.out.println("total outage: rolled back " + detection + " after the change");
    // 1 h × 14.4 × 0.001 / 1 = 51.84 s
    assertWithin(detection, Duration.ofMillis(51_840), ONE_BUCKET_OF_THE_HOUR_WINDOW.plus(ONE_TICK));
  }

  /** Issue 12's speed requirement at the lowest rate it names: 10 requests a second to the candidate. */
  @Test
  void atTenRequestsASecondTwoPercentErrorsRollBackWithinABucketAndATickOf43Point2MinutesAndAnOutageInAMinute() {
    Duration change = Duration.ofHours(2);
    SimulationResult two = sim(fullExposure().build()).requestsPerSecond(10)
        .at(change, "new", VariantBehavior.errors(0.02)).run(Duration.ofHours(3));
    Duration detection = two.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    System.out.println("2 % errors at 10 req/s: rolled back " + detection + " after the change");
    // never slower than the formula by more than a bucket and a tick; earlier by the noise of ~520
    // errors in the hour's window (sd ≈ 23 errors ≈ 2 minutes of them at 12 a minute)
    assertThat(detection).isLessThanOrEqualTo(Duration.ofSeconds(2592).plus(ONE_BUCKET_OF_THE_HOUR_WINDOW).plus(ONE_TICK))
        .isGreaterThan(Duration.ofSeconds(2592).minusMinutes(5));

    SimulationResult outage = sim(fullExposure().build()).requestsPerSecond(10)
        .at(change, "new", VariantBehavior.errors(1)).run(change.plusMinutes(5));
    Duration outageDetection = outage.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    System.out.println("total outage at 10 req/s: rolled back " + outageDetection + " after the change");
    assertWithin(outageDetection, Duration.ofMillis(51_840), ONE_BUCKET_OF_THE_HOUR_WINDOW.plus(ONE_TICK));
  }

  @Test
  void aCandidateAtHalfItsBudgetCompletesEveryStageAndNeverShrinksOver30Days() {
    RolloutPlan plan = RolloutPlan.builder("old", "new").watch(Duration.ofDays(30)).build();
    SimulationResult r = Simulation.builder(FLAGS, "checkout", plan).requestsPerSecond(10).seed(3)
        .tick(Duration.ofSeconds(10))
        .behavior("new", VariantBehavior.errors(0.0005)).behavior("old", VariantBehavior.errors(0.0005))
        .run(Duration.ofDays(30));
    assertThat(r.everShrankOrRolledBack()).isFalse();
    assertThat(r.decisions()).filteredOn(d -> d.action() == DecisionAction.ADVANCE).hasSize(4);
    assertThat(r.first(DecisionAction.COMPLETE)).isPresent();
    assertThat(r.finalState().exposure()).isEqualTo(1.0);
  }

  @Test
  void anOutageOfTheCandidateAloneIsNotMistakenForASharedCauseWhileTheControlServesHalf() {
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(50, Duration.ofDays(10), 0), new Stage(100, Duration.ofMinutes(15), 0)))
        .build();
    Duration change = Duration.ofHours(2);
    SimulationResult r = sim(plan).at(change, "new", VariantBehavior.errors(1)).run(change.plusMinutes(5));
    Duration detection = r.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    assertWithin(detection, Duration.ofMillis(51_840), ONE_BUCKET_OF_THE_HOUR_WINDOW.plus(ONE_TICK));
    assertThat(r.decisions()).noneMatch(d -> d.reason().startsWith("shared regression"));
  }

  /**
   * Right after the last stage takes all the traffic, the control's calls still in the short window
   * are from before; they must not make the candidate's own regression look shared (it used to hold
   * until those calls left the 5-minute window: ≈ 4.5 min for 20 % errors at 100 req/s).
   */
  @Test
  void aRegressionJustAfterTheLastStageTookAllTheTrafficIsNotHeldAsSharedByTheControlsOlderCalls() {
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(50, Duration.ofMinutes(30), 0), new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(1)).build();
    Duration change = Duration.ofMinutes(31); // the 50 % stage advanced at 30 min (+ at most a tick)
    SimulationResult r = sim(plan).at(change, "new", VariantBehavior.errors(0.2)).run(change.plusMinutes(10));
    assertThat(r.first(DecisionAction.ADVANCE).orElseThrow().after().exposure()).isEqualTo(1.0);
    assertThat(r.timeTo(DecisionAction.ADVANCE).orElseThrow()).isLessThan(change);
    Duration detection = r.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    System.out.println("20 % errors just after reaching 100 %: rolled back " + detection + " after the change");
    assertThat(r.decisions()).noneMatch(d -> d.reason().startsWith("shared regression"));
    assertThat(detection).isLessThan(Duration.ofMinutes(2));
  }

  @Test
  void aRegressionSharedWithTheControlHoldsAndSaysSo() {
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(50, Duration.ofDays(10), 0), new Stage(100, Duration.ofMinutes(15), 0)))
        .build();
    SimulationResult r = sim(plan)
        .behavior("new", VariantBehavior.errors(0.02)).behavior("old", VariantBehavior.errors(0.02))
        .run(Duration.ofHours(3));
    assertThat(r.everShrankOrRolledBack()).isFalse();
    Decision hold = r.first(DecisionAction.HOLD).orElseThrow();
    assertThat(hold.reason()).startsWith("shared regression");
    assertThat(hold.evidence()).anyMatch(c -> c.significant() && c.sharedCause());
    assertThat(r.finalState().exposure()).isEqualTo(0.5);
  }

  @Test
  void aLatencySloRollsBackATwentyPercentSlowCandidateLikeTheTwoPercentCase() {
    RolloutPlan plan = fullExposure().slo(Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.99)).build();
    Duration change = Duration.ofHours(2);
    // log-normal with median 150 ms and p99 1019 ms: 20 % of calls above 300 ms
    VariantBehavior slow = VariantBehavior.errors(0).latency(Duration.ofMillis(150), Duration.ofMillis(1019));
    SimulationResult r = sim(plan).at(change, "new", slow).run(Duration.ofHours(3));
    Duration detection = r.timeTo(DecisionAction.ROLLBACK).orElseThrow().minus(change);
    System.out.println("20 % slow: rolled back " + detection + " after the change");
    // 1 h × 14.4 × 0.01 / 0.2 = 43.2 min
    assertWithin(detection, Duration.ofSeconds(2592), ONE_BUCKET_OF_THE_HOUR_WINDOW.plus(ONE_TICK));
    assertThat(r.first(DecisionAction.ROLLBACK).orElseThrow().evidence())
        .anyMatch(c -> c.sli().equals("latency") && c.fires());
  }

  @Test
  void dryRunRecordsWouldRollBackAtTheSameTimeAndNeverChangesExposure() {
    Duration change = Duration.ofHours(2);
    SimulationResult enforced = sim(fullExposure().build())
        .at(change, "new", VariantBehavior.errors(0.02)).run(Duration.ofHours(3));
    SimulationResult dry = sim(fullExposure().mode(RolloutMode.DRY_RUN).build())
        .at(change, "new", VariantBehavior.errors(0.02)).run(Duration.ofHours(3));
    Decision wouldRollBack = dry.first(DecisionAction.ROLLBACK).orElseThrow();
    assertThat(wouldRollBack.applied()).isFalse();
    assertThat(wouldRollBack.describe()).contains("would ROLLBACK");
    assertThat(dry.timeTo(DecisionAction.ROLLBACK)).isEqualTo(enforced.timeTo(DecisionAction.ROLLBACK));
    // the candidate kept all its traffic: as many requests as the enforced run had before its rollback and more
    assertThat(dry.requests()).isEqualTo(enforced.requests());
  }

  /**
   * 10 requests an hour, all on the candidate (one every 6 minutes), errors after 10 healthy hours
   * (100 calls: the threshold for 64..127 calls is ln(2^7 × 7 × 8 / 0.005) = 14.18). Healthy calls
   * move the rollback rule's detector towards its steady state R = 0.9866 (R + 1), R ≈ 74 (after 100
   * calls from R = 0 it is about 54); each error multiplies R + 1 by 14.4: ln R ≈ 6.7, 9.4, 12.0, 14.7
   * after 1, 2, 3, 4 consecutive errors. So
   * one, two or three errors never roll back; the fourth consecutive error does. (Before the
   * anytime-valid rule, two errors within the hour's window rolled back: a sliding test that was in
   * effect a fresh test every hour.)
   */
  @Test
  void atTenRequestsAnHourThreeErrorsNeverRollBackButFourInARowDo() {
    Duration errorsFrom = Duration.ofHours(10);
    assertThat(tenAnHour().run(Duration.ofHours(48)).everShrankOrRolledBack()).isFalse();

    SimulationResult three = tenAnHour()
        .at(errorsFrom, "new", VariantBehavior.errors(1))
        .at(errorsFrom.plusMinutes(18), "new", VariantBehavior.errors(0)) // three consecutive requests fail
        .run(Duration.ofHours(48));
    assertThat(three.everShrankOrRolledBack()).isFalse();

    SimulationResult four = tenAnHour()
        .at(errorsFrom, "new", VariantBehavior.errors(1))
        .at(errorsFrom.plusMinutes(24), "new", VariantBehavior.errors(0)) // four consecutive requests fail
        .run(Duration.ofHours(48));
    Decision rollback = four.first(DecisionAction.ROLLBACK).orElseThrow();
    assertThat(rollback.evidence()).anyMatch(c -> c.fires() && c.candidateBadLong() == 4
        && c.logLikelihoodRatio() > 14.6 && c.logLikelihoodRatio() < 15.0 && c.testThreshold() > 14.1
        && c.testThreshold() < 14.2);

    SimulationResult spread = tenAnHour()
        .at(errorsFrom, "new", VariantBehavior.errors(1))
        .at(errorsFrom.plusMinutes(12), "new", VariantBehavior.errors(0))
        .at(errorsFrom.plusHours(3), "new", VariantBehavior.errors(1)) // 30 requests later, two more
        .at(errorsFrom.plusHours(3).plusMinutes(12), "new", VariantBehavior.errors(0))
        .run(Duration.ofHours(48));
    assertThat(spread.everShrankOrRolledBack()).isFalse();
  }

  private static Simulation.Builder tenAnHour() {
    return Simulation.builder(FLAGS, "checkout", fullExposure().build()).requestsPerSecond(10.0 / 3600).seed(5)
        .behavior("new", VariantBehavior.errors(0)).behavior("old", VariantBehavior.errors(0));
  }

  /**
   * 1,000 seeded rollouts of a candidate exactly at its SLO (0.1 % errors, like the control) through
   * every stage: at most 1 % may ever shrink or roll back. Faster plan (5-minute bakes, 100 samples,
   * 30 minutes of watching) and 20 requests/s, so the whole set runs in seconds.
   */
  @Test
  void healthyRolloutsAlmostNeverShrinkOrRollBack() {
    List<Stage> stages = List.of(new Stage(1, Duration.ofMinutes(5), 100), new Stage(5, Duration.ofMinutes(5), 100),
        new Stage(25, Duration.ofMinutes(5), 100), new Stage(50, Duration.ofMinutes(5), 100),
        new Stage(100, Duration.ofMinutes(5), 100));
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(stages).watch(Duration.ofMinutes(30)).build();
    int runs = 1000;
    List<SimulationResult> results = java.util.stream.IntStream.range(0, runs).parallel()
        .mapToObj(seed -> Simulation.builder(FLAGS, "checkout", plan).requestsPerSecond(20).users(10_000).seed(seed)
            .behavior("new", VariantBehavior.errors(0.001)).behavior("old", VariantBehavior.errors(0.001))
            .run(Duration.ofMinutes(90)))
        .collect(java.util.stream.Collectors.toList());
    long bad = results.stream().filter(SimulationResult::everShrankOrRolledBack).count();
    long completed = results.stream().filter(r -> r.finalState().status() == RolloutStatus.COMPLETED).count();
    System.out.printf("healthy rollouts: %d of %d shrank or rolled back (%.2f %%); %d completed%n", bad, runs,
        100.0 * bad / runs, completed);
    assertThat(bad).isLessThanOrEqualTo(runs / 100);
    assertThat(completed).isGreaterThanOrEqualTo(runs * 9 / 10);
  }
}
