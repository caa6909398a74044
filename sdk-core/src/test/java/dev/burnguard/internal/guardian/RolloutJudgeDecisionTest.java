package dev.burnguard.internal.guardian;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.RuleAction;

import dev.burnguard.internal.guardian.RolloutJudge;
import dev.burnguard.internal.guardian.RolloutWindows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RolloutJudge#decide} on hand-written window counts, at the edges of every threshold it
 * applies. The SLO is 75 % (budget 0.25) so that bad ratios, burn rates and likelihood ratios are
 * exact binary fractions or small products worked out by hand: a rule with factor 2 burns above a
 * bad ratio of 1/2, and its sequential test weighs H1 "p = 1/2" against H0 "p = 1/4", so each bad
 * call multiplies the likelihood ratio by 2 and each good call by 2/3. The evidence is fed as one
 * batch of the candidate's largest window (and the control's 5-minute window), so the detector is
 * R = n × LR and its threshold, with two rules (a = α / 2 = 0.005), is 2^(k+1)(k+1)(k+2) / 0.005 for
 * n in [2^k, 2^(k+1)).
 */
class RolloutJudgeDecisionTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration BAKE = Duration.ofMinutes(15);
  private static final BurnRateRule SHRINK_RULE =
      new BurnRateRule(Duration.ofHours(6), Duration.ofMinutes(30), 1.5, RuleAction.SHRINK);
  private static final BurnRateRule ROLLBACK_RULE =
      new BurnRateRule(Duration.ofHours(1), Duration.ofMinutes(5), 2, RuleAction.ROLLBACK);
  private static final RolloutPlan PLAN = plan().build();

  /** Stages 10 %, 50 %, 100 %, each baking 15 minutes and seeing 10 calls. */
  private static RolloutPlan.Builder plan() {
    return RolloutPlan.builder("old", "new").slo(Slo.availability(0.75))
        .stages(List.of(new Stage(10, BAKE, 10), new Stage(50, BAKE, 10), new Stage(100, BAKE, 10)))
        .rules(List.of(SHRINK_RULE, ROLLBACK_RULE)).alpha(0.01).maxShrinks(2)
        .coolDown(Duration.ofMinutes(10)).watch(Duration.ofHours(1));
  }

  /** Counts per variant and window, as a recorder reports them; zeros for the windows not set. */
  private static final class Counts implements RolloutWindows {
    private final Map<String, long[]> counts = new HashMap<>();

    Counts set(String variant, Duration window, long calls, long errors) {
      long[] c = new long[RolloutWindows.SIZE];
      c[RolloutWindows.CALLS] = calls;
      c[RolloutWindows.ERRORS] = errors;
      counts.put(variant + "@" + window, c);
      return this;
    }

    Counts slow(String variant, Duration window, long calls, int thresholdIndex, long slow) {
      long[] c = new long[RolloutWindows.SIZE];
      c[RolloutWindows.CALLS] = calls;
      c[RolloutWindows.SLOW + thresholdIndex] = slow;
      counts.put(variant + "@" + window, c);
      return this;
    }

    /** A stage that baked its 15 minutes with 10 healthy candidate calls. */
    Counts baked() {
      return set("new", BAKE, 10, 0);
    }

    /** The evidence of one batch: the candidate's largest window, with the control's 5-minute window. */
    RolloutEvidence evidence(RolloutPlan plan, int latencyIndex) {
      RolloutEvidence e = new RolloutEvidence(plan);
      long[] cand = new long[RolloutWindows.SIZE];
      for (Map.Entry<String, long[]> c : counts.entrySet()) {
        if (c.getKey().startsWith("new@") && c.getValue()[RolloutWindows.CALLS] > cand[RolloutWindows.CALLS]) {
          cand = c.getValue();
        }
      }
      long[] ctrl = new long[RolloutWindows.SIZE];
      counts("old", Duration.ofMinutes(5), ctrl);
      e.feed(plan, latencyIndex, cand, ctrl);
      return e;
    }

    @Override
    public void counts(String variant, Duration window, long[] out) {
      long[] c = counts.get(variant + "@" + window);
      if (c == null) {
        Arrays.fill(out, 0);
      } else {
        System.arraycopy(c, 0, out, 0, RolloutWindows.SIZE);
      }
    }
  }

  private static RolloutState ramping(int stage, Duration sinceStageStart) {
    RolloutState start = RolloutState.start("checkout", PLAN, NOW.minus(Duration.ofDays(1)));
    return start.with(RolloutStatus.RAMPING, stage, PLAN.stages().get(stage).exposure(), 0,
        NOW.minus(sinceStageStart), null, null);
  }

  private static RolloutState coolingDown(int reprobe, double exposure, int shrinks, Duration sinceShrink,
      Duration untilReprobe) {
    return ramping(reprobe, Duration.ofHours(1)).with(RolloutStatus.COOLING_DOWN, reprobe, exposure, shrinks,
        NOW.minus(sinceShrink), NOW.plus(untilReprobe), null);
  }

  private static Decision decide(RolloutPlan plan, RolloutState state, RolloutWindows windows) {
    return decide(plan, state, windows, -1);
  }

  private static Decision decide(RolloutPlan plan, RolloutState state, RolloutWindows windows, int latencyIndex) {
    return RolloutJudge.decide("checkout", plan, state, windows, latencyIndex, NOW, evidence(plan, windows, latencyIndex));
  }

  private static RolloutEvidence evidence(RolloutPlan plan, RolloutWindows windows, int latencyIndex) {
    return windows instanceof Counts ? ((Counts) windows).evidence(plan, latencyIndex) : new RolloutEvidence(plan);
  }

  private static Decision decide(RolloutState state, RolloutWindows windows) {
    return decide(PLAN, state, windows);
  }

  private static RuleCheck check(RolloutPlan plan, RolloutWindows windows, int latencyIndex, BurnRateRule rule,
      String sli) {
    return RolloutJudge.check(plan, windows, latencyIndex, true, evidence(plan, windows, latencyIndex)).stream()
        .filter(c -> c.rule().equals(rule) && c.sli().equals(sli)).findFirst().orElseThrow();
  }

  /**
   * The guardian decides on its reading without building the rule checks while none burns; that
   * must be the decision on the full health, checks and all. 3,000 seeded random situations (seed
   * 18): each variant's windows with 0-199 calls and a bad ratio drawn from 0, 1/10, 1/3, 1/2, 4/5;
   * ramping at any stage (100 % exposure included) or cooling down, baked 0-30 minutes. The test also
   * checks that both branches are taken: situations where no check burns and ones where one does,
   * routine holds and decisions.
   */
  @Test
  void theScreenedDecisionIsTheDecisionOnTheFullHealth() {
    Random random = new Random(18);
    double[] badRatios = {0, 0.1, 1.0 / 3, 0.5, 0.8};
    List<Duration> lengths = List.of(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(1),
        Duration.ofHours(6), BAKE);
    int burning = 0;
    int decisions = 0;
    int routine = 0;
    for (int i = 0; i < 3_000; i++) {
      Counts windows = new Counts();
      for (String variant : List.of("new", "old")) {
        double bad = badRatios[random.nextInt(badRatios.length)];
        for (Duration w : lengths) {
          long calls = random.nextInt(200);
          windows.set(variant, w, calls, Math.round(calls * bad));
        }
      }
      RolloutState state = random.nextInt(4) == 0
          ? coolingDown(random.nextInt(3), 0.05, random.nextInt(3), Duration.ofMinutes(random.nextInt(30)),
              Duration.ofMinutes(random.nextInt(20) - 10))
          : ramping(random.nextInt(3), Duration.ofMinutes(random.nextInt(31)));
      RolloutReading reading = new RolloutReading();
      reading.read("checkout", PLAN, state, windows, -1, NOW, windows.evidence(PLAN, -1), null);
      Decision screened = RolloutJudge.decide(reading, null);
      assertThat(screened).as("situation %d", i).isEqualTo(RolloutJudge.decide(PLAN, reading.health(), NOW, null));
      burning += reading.anyBurning() ? 1 : 0;
      decisions += screened != null ? 1 : 0;
      routine += screened == null ? 1 : 0;
    }
    assertThat(burning).isBetween(300, 2_700);
    assertThat(decisions).isGreaterThan(300);
    assertThat(routine).isGreaterThan(300);
  }

  /** The shrink rule fires: 6 h burn 2 and 30 min burn 2 (> 1.5), LR (1.5^k (5/6)^(n−k)) far above 100. */
  private static Counts shrinkRuleFires() {
    return new Counts().set("new", Duration.ofHours(6), 100, 50).set("new", Duration.ofMinutes(30), 20, 10)
        // the rollback rule's long window burns 1.5 (< 2): it does not burn
        .set("new", Duration.ofHours(1), 40, 15);
  }

  // --- burn rates and the sequential test -----------------------------------------------------

  @Test
  void aRuleBurnsOnlyWhenBothWindowsExceedItsFactor() {
    // 50 of 100 bad is a burn of exactly (50 / 100) / 0.25 = 2: not above the factor
    Counts atFactor = new Counts().set("new", Duration.ofHours(1), 100, 50).set("new", Duration.ofMinutes(5), 10, 10);
    RuleCheck c = check(PLAN, atFactor, -1, ROLLBACK_RULE, "availability");
    assertThat(c.burnLong()).isEqualTo(2.0);
    assertThat(c.burnShort()).isEqualTo(4.0);
    assertThat(c.burning()).isFalse();

    Counts above = new Counts().set("new", Duration.ofHours(1), 100, 51).set("new", Duration.ofMinutes(5), 10, 10);
    assertThat(check(PLAN, above, -1, ROLLBACK_RULE, "availability").burning()).isTrue();

    // the short window exactly at the factor (2 of 4 bad) does not burn either
    Counts shortAtFactor = new Counts().set("new", Duration.ofHours(1), 100, 51).set("new", Duration.ofMinutes(5), 4, 2);
    assertThat(check(PLAN, shortAtFactor, -1, ROLLBACK_RULE, "availability").burning()).isFalse();
  }

  @Test
  void aBurnExactlyAtTheFactorDoesNotStopTheStageFromAdvancing() {
    Counts atFactor = new Counts().baked().set("new", Duration.ofHours(1), 100, 50)
        .set("new", Duration.ofMinutes(5), 10, 5);
    Decision d = decide(ramping(0, BAKE), atFactor);
    assertThat(d.action()).isEqualTo(DecisionAction.ADVANCE);
  }

  @Test
  void theSequentialTestNeedsItsDetectorOverTheDyadicThreshold() {
    // 20 calls (k = 4): threshold ln(2^5 × 5 × 6 / 0.005) = ln 192,000 = 12.165
    // 16 of 20 bad: R = 20 × 2^16 (2/3)^4 = 258,896 ≥ 192,000; 15 of 20: 20 × 2^15 (2/3)^5 = 86,304 < 192,000
    Counts sixteen = new Counts().baked().set("new", Duration.ofHours(1), 20, 16).set("new", Duration.ofMinutes(5), 4, 4);
    Counts fifteen = new Counts().baked().set("new", Duration.ofHours(1), 20, 15).set("new", Duration.ofMinutes(5), 4, 4);

    RuleCheck c16 = check(PLAN, sixteen, -1, ROLLBACK_RULE, "availability");
    assertThat(c16.logLikelihoodRatio()).isCloseTo(Math.log(20 * Math.pow(2, 16) * Math.pow(2.0 / 3, 4)), within(1e-9));
    assertThat(c16.testThreshold()).isCloseTo(Math.log(192_000), within(1e-9));
    assertThat(c16.significant()).isTrue();
    RuleCheck c15 = check(PLAN, fifteen, -1, ROLLBACK_RULE, "availability");
    assertThat(c15.logLikelihoodRatio()).isCloseTo(Math.log(20 * Math.pow(2, 15) * Math.pow(2.0 / 3, 5)), within(1e-9));
    assertThat(c15.burning()).isTrue();
    assertThat(c15.significant()).isFalse();

    Decision rollback = decide(ramping(0, BAKE), sixteen);
    assertThat(rollback.action()).isEqualTo(DecisionAction.ROLLBACK);
    // the deciding numbers: burns 0.8 / 0.25 and 1 / 0.25, ln R = ln 258,896, threshold ln 192,000
    assertThat(rollback.reason()).contains("(burn 3.20 and 4.00 > 2.00, ln R 12.46 ≥ 12.17)");
    assertThat(rollback.after().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(rollback.after().exposure()).isZero();
    assertThat(rollback.after().stageStartedAt()).isEqualTo(NOW);
    assertThat(rollback.applied()).isTrue();

    Decision hold = decide(ramping(0, BAKE), fifteen);
    assertThat(hold.action()).isEqualTo(DecisionAction.HOLD);
    assertThat(hold.reason()).startsWith("not advancing");
    assertThat(hold.after()).isEqualTo(hold.before());
  }

  @Test
  void noShrinkOrRollbackBeforeThePlansMinimumCandidateCalls() {
    // 19 of 19 bad: R = 19 × 2^19, far above the threshold for 16..31 calls, but 19 < 20 calls (the default)
    Counts nineteen = new Counts().baked().set("new", Duration.ofHours(1), 19, 19).set("new", Duration.ofMinutes(5), 4, 4);
    RuleCheck c = check(PLAN, nineteen, -1, ROLLBACK_RULE, "availability");
    assertThat(c.logLikelihoodRatio()).isGreaterThan(RolloutEvidence.logThreshold(19, 0.005));
    assertThat(c.testThreshold()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(decide(ramping(0, BAKE), nineteen).action()).isEqualTo(DecisionAction.HOLD);
    RolloutPlan fewer = plan().minCandidateCalls(19).build();
    assertThat(decide(fewer, ramping(0, BAKE), nineteen).action()).isEqualTo(DecisionAction.ROLLBACK);
    assertThatThrownBy(() -> plan().minCandidateCalls(0)).hasMessageContaining("minCandidateCalls must be at least 1");
  }

  @Test
  void evidenceExactlyAtTheThresholdIsSignificantAndFiresUnlessShared() {
    double threshold = Math.log(100);
    RuleCheck atThreshold = new RuleCheck(ROLLBACK_RULE, "availability", 0.25, 10, 8, 3.2, 4, 4, 4, 0, 0, 0, true,
        threshold, threshold, false);
    assertThat(atThreshold.significant()).isTrue();
    assertThat(atThreshold.fires()).isTrue();
    RuleCheck shared = new RuleCheck(ROLLBACK_RULE, "availability", 0.25, 10, 8, 3.2, 4, 4, 4, 60, 40, 2.67, true,
        threshold, threshold, true);
    assertThat(shared.significant()).isTrue();
    assertThat(shared.fires()).isFalse();
    assertThat(shared.describe()).endsWith("ln R 4.61 vs 4.61; shared with control");
    assertThat(atThreshold.describe()).endsWith("ln R 4.61 vs 4.61");
    RuleCheck notBurning = new RuleCheck(ROLLBACK_RULE, "availability", 0.25, 10, 8, 3.2, 4, 1, 1, 0, 0, 0, false,
        threshold + 1, threshold, false);
    assertThat(notBurning.significant()).isFalse();
  }

  @Test
  void aPlanWithARuleThatCouldNeverFireIsRefusedNamingTheRule() {
    // factor 8 × budget 0.25 = 2: no error ratio can burn faster than that
    BurnRateRule impossible = new BurnRateRule(Duration.ofHours(1), Duration.ofMinutes(5), 8, RuleAction.ROLLBACK);
    assertThatThrownBy(() -> plan().rules(List.of(impossible)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rule 0 (1h/5m x8.0 -> ROLLBACK) can never fire")
        .hasMessageContaining("availability budget");
    // the SRE Workbook's 3 d / 6 h × 1: the test's alternative equals its null
    BurnRateRule slowest = new BurnRateRule(Duration.ofHours(72), Duration.ofHours(6), 1, RuleAction.SHRINK);
    assertThatThrownBy(() -> RolloutPlan.builder("old", "new").rules(List.of(BurnRateRule.fastBurn(RuleAction.ROLLBACK),
        slowest)).build())
        .hasMessageContaining("rule 1 (72h/6h x1.0 -> SHRINK) can never fire: its factor 1.0 is not above 1");
    // a latency budget of 10 % cannot burn 14.4 times over, even when availability can
    assertThatThrownBy(() -> RolloutPlan.builder("old", "new")
        .slo(Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.9)).build())
        .hasMessageContaining("rule 0 (1h/5m x14.4 -> ROLLBACK) can never fire")
        .hasMessageContaining("latency budget");
    assertThat(RolloutPlan.builder("old", "new").rules(List.of(new BurnRateRule(Duration.ofHours(72),
        Duration.ofHours(6), 1.5, RuleAction.SHRINK))).build().rules()).hasSize(1);
  }

  @Test
  void windowsWithoutCallsBurnZero() {
    RuleCheck c = check(PLAN, new Counts(), -1, ROLLBACK_RULE, "availability");
    assertThat(c.burnLong()).isZero();
    assertThat(c.burnShort()).isZero();
    assertThat(c.controlBurnShort()).isZero();
    assertThat(c.logLikelihoodRatio()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(c.testThreshold()).isEqualTo(Double.POSITIVE_INFINITY);
  }

  // --- the control ----------------------------------------------------------------------------

  /** The rollback rule fires on the candidate: 60 of 100 bad over the hour, 12 of 20 over 5 minutes. */
  private static Counts candidateFails() {
    return new Counts().set("new", Duration.ofHours(1), 100, 60).set("new", Duration.ofMinutes(5), 20, 12);
  }

  @Test
  void aControlFailingAlikeIsASharedCauseFromFiftyCallsInTheShortWindow() {
    // the control at the candidate's 60 %: the candidate has 60 of the 90 bad calls, exactly its share of
    // the calls (100 of 150), so the two-arm test does not show it worse
    Decision shared = decide(ramping(1, Duration.ofMinutes(1)), candidateFails().set("old", Duration.ofMinutes(5), 50, 30));
    assertThat(shared.action()).isEqualTo(DecisionAction.HOLD);
    assertThat(shared.reason()).startsWith("shared regression: the control fails too (availability burn ");
    assertThat(shared.after()).isEqualTo(shared.before());
    assertThat(shared.applied()).isTrue();

    Decision tooFew = decide(ramping(1, Duration.ofMinutes(1)), candidateFails().set("old", Duration.ofMinutes(5), 49, 30));
    assertThat(tooFew.action()).isEqualTo(DecisionAction.ROLLBACK);
  }

  @Test
  void aHoldWhoseControlDoesNotBurnDoesNotSayTheControlFails() {
    // the rule's factor is 2 and the budget 25 %: 6 bad of 50 control calls burn 0.48 (the two-arm
    // test cannot yet tell the arms apart: a hold, but not "the control fails too"); 26 of 50 burn 2.08
    Decision notRuledOut = decide(ramping(1, Duration.ofMinutes(1)), candidateFails().set("old", Duration.ofMinutes(5), 50, 6));
    assertThat(notRuledOut.action()).isEqualTo(DecisionAction.HOLD);
    assertThat(notRuledOut.reason()).startsWith("shared regression not ruled out: the control burns less but its calls "
        + "cannot yet show the candidate worse (availability burn 0.48 over 50 control calls vs candidate 2.40 over the last 5m)");
    Decision failsToo = decide(ramping(1, Duration.ofMinutes(1)), candidateFails().set("old", Duration.ofMinutes(5), 50, 26));
    assertThat(failsToo.reason()).startsWith(
        "shared regression: the control fails too (availability burn 2.08 over 50 control calls vs candidate 2.40");
    Decision blamed = decide(ramping(1, Duration.ofMinutes(1)), candidateFails().set("old", Duration.ofMinutes(5), 50, 5));
    assertThat(blamed.action()).isEqualTo(DecisionAction.ROLLBACK);
  }

  @Test
  void aClearlyBetterControlLeavesTheBlameOnTheCandidate() {
    // all 60 bad calls are the candidate's, with 2/3 of the calls: against ρ = 64, each multiplies R by
    // (6400 / 6450) / (2/3) = 1.49, so R ≥ 60 × 1.49^60 / 5 ≈ 2.6e11, far above the threshold for 60 bad calls
    Decision d = decide(ramping(1, Duration.ofMinutes(1)), candidateFails().set("old", Duration.ofMinutes(5), 50, 0));
    assertThat(d.action()).isEqualTo(DecisionAction.ROLLBACK);
  }

  @Test
  void aControlFailingAlikeDoesNotMakeANoisyBurnASharedRegression() {
    // 7 of 10 bad burns but is not significant (10 calls are below the minimum of 20): not advancing, and
    // nothing is blamed on a dependency
    Counts noisy = new Counts().baked().set("new", Duration.ofHours(1), 10, 7).set("new", Duration.ofMinutes(5), 4, 4)
        .set("old", Duration.ofMinutes(5), 100, 100);
    Decision d = decide(ramping(0, BAKE), noisy);
    assertThat(d.reason()).startsWith("not advancing");
  }

  // --- shrinking ------------------------------------------------------------------------------

  @Test
  void aShrinkStepsBackOneStageAndCoolsDown() {
    Decision d = decide(ramping(1, Duration.ofMinutes(20)), shrinkRuleFires());
    assertThat(d.action()).isEqualTo(DecisionAction.SHRINK);
    RolloutState after = d.after();
    assertThat(after.status()).isEqualTo(RolloutStatus.COOLING_DOWN);
    assertThat(after.stage()).as("the stage to re-probe").isEqualTo(1);
    assertThat(after.exposure()).isEqualTo(0.10);
    assertThat(after.shrinks()).isEqualTo(1);
    assertThat(after.stageStartedAt()).isEqualTo(NOW);
    assertThat(after.until()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    assertThat(d.reason()).contains("50.00 % -> 10.00 %");
  }

  @Test
  void aShrinkStepsBackToThePreviousStageEvenWhenThatIsMoreThanHalfTheCurrentOne() {
    RolloutPlan close = plan().stages(List.of(new Stage(10, BAKE, 10), new Stage(15, BAKE, 10), new Stage(100, BAKE, 10)))
        .build();
    RolloutState at15 = ramping(0, BAKE).with(RolloutStatus.RAMPING, 1, 0.15, 0, NOW.minus(BAKE), null, null);
    Decision d = decide(close, at15, shrinkRuleFires());
    assertThat(d.action()).isEqualTo(DecisionAction.SHRINK);
    assertThat(d.after().exposure()).isEqualTo(0.10);
  }

  @Test
  void aShrinkAtTheFirstStageHalvesItsExposure() {
    Decision d = decide(ramping(0, Duration.ofMinutes(20)), shrinkRuleFires());
    assertThat(d.action()).isEqualTo(DecisionAction.SHRINK);
    assertThat(d.after().exposure()).isEqualTo(0.05);
    assertThat(d.after().stage()).isZero();
  }

  @Test
  void aShrinkWhileCoolingDownHalvesTheExposureAgainOnceTheShortWindowSawFreshTraffic() {
    // re-probing stage 1 from 10 %: the stage below is 10 % too, so half of the current exposure it is
    Decision d = decide(coolingDown(1, 0.10, 1, Duration.ofMinutes(30), Duration.ofMinutes(5)), shrinkRuleFires());
    assertThat(d.action()).isEqualTo(DecisionAction.SHRINK);
    assertThat(d.after().exposure()).isEqualTo(0.05);
    assertThat(d.after().shrinks()).isEqualTo(2);

    // within the shrink rule's 30-minute short window of the last shrink: wait for fresh traffic
    Decision tooSoon = decide(coolingDown(1, 0.10, 1, Duration.ofMinutes(30).minusSeconds(1), Duration.ofMinutes(5)),
        shrinkRuleFires());
    assertThat(tooSoon).isNull();
  }

  @Test
  void aShrinkBeyondThePlansMaximumRollsBack() {
    Decision last = decide(coolingDown(1, 0.10, 1, Duration.ofHours(1), Duration.ofMinutes(5)), shrinkRuleFires());
    assertThat(last.action()).isEqualTo(DecisionAction.SHRINK);
    Decision beyond = decide(coolingDown(1, 0.05, 2, Duration.ofHours(1), Duration.ofMinutes(5)), shrinkRuleFires());
    assertThat(beyond.action()).isEqualTo(DecisionAction.ROLLBACK);
    assertThat(beyond.after().exposure()).isZero();
    assertThat(beyond.reason()).contains("after 2 shrinks");
  }

  @Test
  void aRollbackRuleWhoseShortWindowBurnsHoldsBackAShrink() {
    // the rollback rule's 5 minutes burn 3 (> 2) while its hour does not yet: it is about to decide
    Counts alarming = shrinkRuleFires().set("new", Duration.ofMinutes(5), 4, 3);
    assertThat(decide(ramping(1, Duration.ofMinutes(5)), alarming)).isNull();
    // exactly at its factor (2 of 4 bad) it is not alarming
    Counts calm = shrinkRuleFires().set("new", Duration.ofMinutes(5), 4, 2);
    assertThat(decide(ramping(1, Duration.ofMinutes(5)), calm).action()).isEqualTo(DecisionAction.SHRINK);
  }

  @Test
  void aShrinkIsNotHeldBackByTheShrinkRulesOwnShortWindow() {
    // the shrink rule's 30 minutes burn 2.4, above the rollback rule's factor; the rollback rule's own 5 minutes are calm
    Counts c = shrinkRuleFires().set("new", Duration.ofMinutes(30), 20, 12).set("new", Duration.ofMinutes(5), 4, 0);
    assertThat(decide(ramping(1, Duration.ofMinutes(5)), c).action()).isEqualTo(DecisionAction.SHRINK);
  }

  // --- statuses -------------------------------------------------------------------------------

  @Test
  void aCoolDownEndsExactlyAtItsEndAndReprobesTheStage() {
    Counts healthy = new Counts().baked();
    assertThat(decide(coolingDown(1, 0.10, 1, Duration.ofMinutes(10), Duration.ofSeconds(1)), healthy)).isNull();
    Decision d = decide(coolingDown(1, 0.10, 1, Duration.ofMinutes(10), Duration.ZERO), healthy);
    assertThat(d.action()).isEqualTo(DecisionAction.REPROBE);
    assertThat(d.after().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(d.after().stage()).isEqualTo(1);
    assertThat(d.after().exposure()).isEqualTo(0.50);
    assertThat(d.after().shrinks()).isEqualTo(1);
    assertThat(d.after().stageStartedAt()).isEqualTo(NOW);
    assertThat(d.after().until()).isNull();
  }

  @Test
  void aWatchEndsExactlyAtItsEndAndFinishes() {
    RolloutState watching = ramping(2, Duration.ofHours(2)).with(RolloutStatus.WATCHING, 2, 1, 0,
        NOW.minus(Duration.ofHours(2)), NOW.plusSeconds(1), null);
    assertThat(decide(watching, new Counts())).isNull();
    RolloutState ended = watching.with(RolloutStatus.WATCHING, 2, 1, 0, watching.stageStartedAt(), NOW, null);
    Decision d = decide(ended, new Counts());
    assertThat(d.action()).isEqualTo(DecisionAction.FINISH);
    assertThat(d.after().status()).isEqualTo(RolloutStatus.COMPLETED);
    assertThat(d.after().exposure()).isEqualTo(1.0);
    assertThat(d.after().until()).isNull();
  }

  @Test
  void aPausedRolloutDoesNotAdvanceButStillRollsBack() {
    RolloutState paused = ramping(0, BAKE).with(RolloutStatus.PAUSED, 0, 0.10, 0, NOW.minus(BAKE), null,
        RolloutStatus.RAMPING);
    assertThat(decide(paused, new Counts().baked())).isNull();
    assertThat(decide(paused, candidateFails()).action()).isEqualTo(DecisionAction.ROLLBACK);
  }

  @Test
  void finishedRolloutsAreNotJudged() {
    RolloutState rolledBack = ramping(0, BAKE).with(RolloutStatus.ROLLED_BACK, 0, 0, 0, NOW, null, null);
    RolloutState completed = ramping(2, BAKE).with(RolloutStatus.COMPLETED, 2, 1, 0, NOW, null, null);
    assertThat(decide(rolledBack, candidateFails())).isNull();
    assertThat(decide(completed, candidateFails())).isNull();
  }

  @Test
  void aDryRunDecidesTheSameButDoesNotApply() {
    RolloutPlan dry = plan().mode(RolloutMode.DRY_RUN).build();
    Decision rollback = decide(dry, ramping(0, BAKE), candidateFails());
    assertThat(rollback.action()).isEqualTo(DecisionAction.ROLLBACK);
    assertThat(rollback.applied()).isFalse();
    Decision shared = decide(dry, ramping(0, BAKE), candidateFails().set("old", Duration.ofMinutes(5), 50, 30));
    assertThat(shared.action()).isEqualTo(DecisionAction.HOLD);
    assertThat(shared.applied()).isFalse();
  }

  // --- ramping --------------------------------------------------------------------------------

  @Test
  void aStageAdvancesOnceItBakedItsTimeAndSawItsSamples() {
    Counts healthy = new Counts().baked().set("new", BAKE.minusSeconds(1), 10, 0);
    assertThat(decide(ramping(0, BAKE.minusSeconds(1)), healthy)).as("one second short of the bake time").isNull();
    Decision d = decide(ramping(0, BAKE), healthy);
    assertThat(d.action()).isEqualTo(DecisionAction.ADVANCE);
    assertThat(d.after().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(d.after().stage()).isEqualTo(1);
    assertThat(d.after().exposure()).isEqualTo(0.50);
    assertThat(d.after().stageStartedAt()).isEqualTo(NOW);
    assertThat(d.reason()).contains("10.00 % -> 50.00 %");

    assertThat(decide(ramping(0, BAKE), new Counts().set("new", BAKE, 9, 0))).as("one sample short").isNull();
  }

  @Test
  void theLastStageCompletesAndIsWatched() {
    Decision d = decide(ramping(2, BAKE), new Counts().baked());
    assertThat(d.action()).isEqualTo(DecisionAction.COMPLETE);
    assertThat(d.after().status()).isEqualTo(RolloutStatus.WATCHING);
    assertThat(d.after().stage()).isEqualTo(2);
    assertThat(d.after().exposure()).isEqualTo(1.0);
    assertThat(d.after().until()).isEqualTo(NOW.plus(Duration.ofHours(1)));
  }

  /**
   * A recorder with one healthy call a second for ever, which like {@link dev.burnguard.internal.recorder.SliRecorder}
   * answers for windows from 1 s to 72 h only.
   */
  private static final RolloutWindows STEADY = (variant, window, out) -> {
    assertThat(window).isBetween(Duration.ofSeconds(1), Duration.ofHours(72));
    Arrays.fill(out, 0);
    out[RolloutWindows.CALLS] = window.toSeconds();
  };

  @Test
  void stageSamplesAreCountedOverTheStageSoFarWithinWhatTheRecorderKeeps() {
    Duration week = Duration.ofDays(7);
    long recorded = Duration.ofHours(72).toSeconds();
    RolloutPlan longStage = plan().stages(List.of(new Stage(10, week, recorded), new Stage(100, BAKE, 0))).build();
    assertThat(decide(longStage, ramping(0, week), STEADY).action()).isEqualTo(DecisionAction.ADVANCE);
    RolloutPlan tooMany = plan().stages(List.of(new Stage(10, week, recorded + 1), new Stage(100, BAKE, 0))).build();
    assertThat(decide(tooMany, ramping(0, week), STEADY)).isNull();

    // a stage without bake time, just begun, counts the last second
    RolloutPlan noBake = plan().stages(List.of(new Stage(10, Duration.ZERO, 1), new Stage(100, BAKE, 0))).build();
    assertThat(decide(noBake, ramping(0, Duration.ZERO), STEADY).action()).isEqualTo(DecisionAction.ADVANCE);
    RolloutPlan twoSamples = plan().stages(List.of(new Stage(10, Duration.ZERO, 2), new Stage(100, BAKE, 0))).build();
    assertThat(decide(twoSamples, ramping(0, Duration.ZERO), STEADY)).isNull();
  }

  // --- latency --------------------------------------------------------------------------------

  @Test
  void latencyIsJudgedOnTheRecordersCountForThePlansThreshold() {
    // latency budget 1 − 0.75 = 0.25: 60 of 100 slow burns 2.4, 12 of 20 too
    RolloutPlan tight = plan().slo(Slo.availability(0.75).withLatency(Duration.ofMillis(300), 0.75)).build();
    Counts slowAtSecondThreshold = new Counts().baked().slow("new", Duration.ofHours(1), 100, 1, 60)
        .slow("new", Duration.ofMinutes(5), 20, 1, 12);
    Decision d = decide(tight, ramping(0, BAKE), slowAtSecondThreshold, 1);
    assertThat(d.action()).isEqualTo(DecisionAction.ROLLBACK);
    assertThat(d.evidence()).anyMatch(c -> c.sli().equals("latency") && c.fires() && c.budget() == 0.25);
    // the count at the first threshold is another threshold's: nothing burns there
    assertThat(decide(tight, ramping(0, BAKE), slowAtSecondThreshold, 0).action())
        .isEqualTo(DecisionAction.ADVANCE);
    // a plan without a latency objective is not judged on latency, whatever the recorder counts
    assertThat(RolloutJudge.check(PLAN, slowAtSecondThreshold, 0, true, new RolloutEvidence(PLAN))).noneMatch(c -> c.sli().equals("latency"));
    // a threshold the recorder does not count (index -1) is not judged
    assertThat(RolloutJudge.check(tight, slowAtSecondThreshold, -1, true, new RolloutEvidence(tight))).noneMatch(c -> c.sli().equals("latency"));
    // the latency budget is the latency objective's, not the availability's
    RolloutPlan loose = plan().slo(Slo.availability(0.75).withLatency(Duration.ofMillis(300), 0.6)).build();
    assertThat(RolloutJudge.check(loose, slowAtSecondThreshold, 0, true, new RolloutEvidence(loose))).filteredOn(c -> c.sli().equals("latency"))
        .hasSize(2).allMatch(c -> c.budget() == 1 - 0.6);
  }
}
