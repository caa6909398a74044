package dev.burnguard.internal.guardian;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.RuleAction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides what a rollout does next, as a pure function of its plan, its state, the recorded windows
 * and the time: the same inputs always give the same decision, and nothing is changed or published
 * here.
 *
 * <p><b>Burn rates.</b> For each rule and each SLI (availability: bad = errors; latency: bad = calls
 * slower than the SLO's threshold), the candidate's burn rate over a window is (bad / calls) /
 * budget. A rule is <i>burning</i> when both its long and its short window burn faster than its
 * factor (SRE Workbook multiwindow alerting): at a constant bad ratio e over windows full of
 * healthy traffic it starts burning after {@code long × factor × budget / e}.
 *
 * <p><b>Sequential test.</b> Burning is acted on only when it is also significant over the whole
 * rollout: the rule's Shiryaev–Roberts e-detector ({@link RolloutEvidence}), fed with every candidate
 * call since the rollout started (or was reset) in 10-second batches, must reach its dyadic
 * threshold, and the candidate must have had at least {@link RolloutPlan#minCandidateCalls()}
 * calls. While the candidate's bad ratio stays at or below the budget, the probability that any
 * rule's detector ever reaches its threshold, over all stages and however long the rollout lasts, is
 * at most α (see {@code docs/statistics.md}). A check reports ln R as its statistic and ln A as its
 * threshold (+∞ below the minimum candidate calls).
 *
 * <p><b>Shared causes.</b> When the control has at least {@value #MIN_CONTROL_CALLS} calls in the
 * rule's short window, the candidate is blamed only once the two-arm detector of the SLI (its bad
 * calls against the control's, with both arms' call counts) shows it worse than the control at
 * level α; until then the regression counts as shared (a dependency, not the candidate) and the
 * decision is HOLD with that reason. Without enough control traffic, and always at 100 % exposure
 * (where the control calls still in a short window predate the candidate taking all the traffic),
 * the candidate is judged alone.
 *
 * <p><b>Order.</b> A significant, unshared rollback rule rolls back; a shrink rule shrinks (or rolls
 * back once the plan's shrinks are used up), except on a paused rollout, whose exposure stays until a
 * person resumes it (a shrink would end the pause behind their back), except within the rule's short
 * window of the previous shrink, which must first see fresh traffic, and except while a rollback rule's short window burns:
 * then the faster rule is about to decide, and a shrink would only slow it down. Then a shared
 * regression holds, and so does a <i>sample-ratio mismatch</i> (the gates served the arms in one
 * proportion, the recorded outcomes show another, at level α: see {@link RolloutEvidence}); it holds
 * rather than shrinks because the missing calls' outcomes are unknown. Otherwise: a paused rollout holds; a cooled-down one
 * re-probes; a stage that has baked its time and seen its samples, with no rule burning, advances
 * (at the last stage: COMPLETE, then watched); a watch that ended healthy finishes.
 */
public final class RolloutJudge {
  /** Fewer control calls than this in the long window do not support a comparison. */
  static final long MIN_CONTROL_CALLS = 50;

  private RolloutJudge() {}

  /**
   * The decision for this moment, or null for a routine hold — baking, cooling down, watching,
   * paused, waiting for samples — which changes nothing and says nothing new. A HOLD decision is
   * returned only when it says something: a shared regression, or a burn without significant
   * evidence that stops the rollout from advancing.
   */
  static Decision decide(String flagKey, RolloutPlan plan, RolloutState state, RolloutWindows windows,
      int latencyIndex, Instant now, RolloutEvidence evidence) {
    RolloutReading reading = new RolloutReading();
    reading.read(flagKey, plan, state, windows, latencyIndex, now, evidence, null);
    return decide(reading, null); // as the guardian decides
  }

  /** The decision for this moment on {@code health} (see {@link #decide(String, RolloutPlan, RolloutState, RolloutWindows, int, Instant, RolloutEvidence)}). */
  static Decision decide(RolloutPlan plan, RolloutHealth health, Instant now) {
    return decide(plan, health, now, null);
  }

  /**
   * The decision for this moment on {@code health}, with {@code sampleRatioMismatch} the evidence's
   * words for a sample-ratio mismatch ({@link RolloutEvidence#sampleRatioMismatch}) or null: a
   * mismatch holds the rollout (no advance, re-probe or finish) unless a rule shrinks or rolls back.
   */
  static Decision decide(RolloutPlan plan, RolloutHealth health, Instant now, String sampleRatioMismatch) {
    if (!health.state().status().guarded()) {
      return null;
    }
    return decide(health.flagKey(), plan, health.state(), health.stage().samples(), now, health.checks(),
        sampleRatioMismatch);
  }

  /**
   * The rollout's health now: every variant window the rules read, with burn rates; every rule
   * checked on every SLI (none for a rollout no longer guarded); the stage's progress.
   */
  static RolloutHealth health(String flagKey, RolloutPlan plan, RolloutState state, RolloutWindows windows,
      int latencyIndex, Instant now, RolloutEvidence evidence, Decision latest) {
    RolloutReading reading = new RolloutReading();
    reading.read(flagKey, plan, state, windows, latencyIndex, now, evidence, latest);
    return reading.health();
  }

  /**
   * The decision for this moment on what the guardian read of a rollout (see {@link
   * #decide(RolloutPlan, RolloutHealth, Instant, String)}). While no rule check burns, the checks
   * change no decision (every rule action and every shared-cause hold needs a burning check): the
   * routine hold is then found without building them, and they are built only for a decision that
   * carries them as evidence.
   */
  static Decision decide(RolloutReading reading, String sampleRatioMismatch) {
    RolloutState state = reading.state();
    if (!state.status().guarded()) {
      return null;
    }
    if (!reading.anyBurning()) {
      Decision d = decide(reading.flagKey(), reading.plan(), state, reading.stageSamples(), reading.at(), List.of(),
          sampleRatioMismatch);
      if (d == null) {
        return null;
      }
    }
    return decide(reading.flagKey(), reading.plan(), state, reading.stageSamples(), reading.at(), reading.checks(),
        sampleRatioMismatch);
  }

  private static Decision decide(String flagKey, RolloutPlan plan, RolloutState state, long stageSamples,
      Instant now, List<RuleCheck> checks, String sampleRatioMismatch) {
    RolloutStatus status = state.status();
    RuleCheck rollback = null;
    RuleCheck shrink = null;
    RuleCheck shared = null;
    boolean burning = false;
    boolean rollbackAlarming = false;
    for (RuleCheck c : checks) {
      rollbackAlarming |= c.rule().action() == RuleAction.ROLLBACK && c.burnShort() > c.rule().factor();
    }
    for (RuleCheck c : checks) {
      burning |= c.burning();
      if (c.fires()) {
        if (c.rule().action() == RuleAction.ROLLBACK) {
          rollback = rollback == null ? c : rollback;
        } else if (shrink == null && status != RolloutStatus.PAUSED && !rollbackAlarming
            && !recentlyShrunk(state, c.rule(), now)) {
          shrink = c;
        }
      } else if (c.significant() && c.sharedCause() && shared == null) {
        shared = c;
      }
    }
    if (rollback != null) {
      return change(flagKey, plan, state, now, DecisionAction.ROLLBACK, rolledBack(plan, state, now),
          "rule " + rollback.rule() + " fired on " + rollback.sli() + " (burn " + fmt(rollback.burnLong()) + " and "
              + fmt(rollback.burnShort()) + " > " + fmt(rollback.rule().factor()) + ", ln R " + fmt(rollback.logLikelihoodRatio())
              + " ≥ " + fmt(rollback.testThreshold()) + ")", checks);
    }
    if (shrink != null) {
      if (state.shrinks() >= plan.maxShrinks()) {
        return change(flagKey, plan, state, now, DecisionAction.ROLLBACK, rolledBack(plan, state, now),
            "rule " + shrink.rule() + " fired on " + shrink.sli() + " after " + state.shrinks()
                + " shrinks, the plan's maximum (burn " + fmt(shrink.burnLong()) + ")", checks);
      }
      int reprobe = state.stage(); // the stage to re-probe after the cool-down
      double exposure = reprobe == 0 ? plan.stages().get(0).exposure() / 2 : plan.stages().get(reprobe - 1).exposure();
      if (status == RolloutStatus.COOLING_DOWN) {
        exposure = Math.min(exposure, state.exposure() / 2);
      }
      RolloutState next = state.with(RolloutStatus.COOLING_DOWN, reprobe, exposure, state.shrinks() + 1, now,
          now.plus(plan.coolDown()), null);
      return change(flagKey, plan, state, now, DecisionAction.SHRINK, next,
          "rule " + shrink.rule() + " fired on " + shrink.sli() + " (burn " + fmt(shrink.burnLong()) + " and "
              + fmt(shrink.burnShort()) + " > " + fmt(shrink.rule().factor()) + "); exposure " + pct(state.exposure())
              + " -> " + pct(exposure) + ", re-probe after " + plan.coolDown(), checks);
    }
    if (shared != null) {
      // say which of the two it is: a control burning as well, or one whose calls cannot yet tell
      boolean controlBurns = shared.controlBurnShort() > shared.rule().factor();
      return hold(flagKey, plan, state, now, (controlBurns
          ? "shared regression: the control fails too ("
          : "shared regression not ruled out: the control burns less but its calls cannot yet show the candidate worse (")
          + shared.sli() + " burn " + fmt(shared.controlBurnShort()) + " over " + shared.controlCallsShort()
          + " control calls vs candidate " + fmt(shared.burnShort())
          + " over the last " + BurnRateRule.compact(shared.rule().shortWindow())
          + ") and the two-arm test does not show the candidate worse; not blaming the candidate", checks);
    }
    if (sampleRatioMismatch != null && status != RolloutStatus.PAUSED) {
      // the recorded outcomes miss calls of one arm: what the rules see is not the whole story, so
      // the exposure does not grow; it does not shrink either, as the missing calls' outcomes are
      // unknown (the candidate's rules still shrink or roll back on what is recorded, above)
      return hold(flagKey, plan, state, now, sampleRatioMismatch, checks);
    }
    switch (status) {
      case PAUSED:
        return null;
      case COOLING_DOWN:
        if (!now.isBefore(state.until())) {
          Stage stage = plan.stages().get(state.stage());
          return change(flagKey, plan, state, now, DecisionAction.REPROBE,
              state.with(RolloutStatus.RAMPING, state.stage(), stage.exposure(), state.shrinks(), now, null, null),
              "cool-down over; re-probing stage " + state.stage() + " at " + pct(stage.exposure()), checks);
        }
        return null;
      case WATCHING:
        if (!now.isBefore(state.until())) {
          return change(flagKey, plan, state, now, DecisionAction.FINISH,
              state.with(RolloutStatus.COMPLETED, state.stage(), 1, state.shrinks(), state.stageStartedAt(), null, null),
              "watched healthy at 100 % for " + plan.watch(), checks);
        }
        return null;
      case RAMPING:
        return ramp(flagKey, plan, state, stageSamples, now, checks, burning);
      default:
        throw new IllegalStateException("unexpected status " + status);
    }
  }

  private static Decision ramp(String flagKey, RolloutPlan plan, RolloutState state, long samples,
      Instant now, List<RuleCheck> checks, boolean burning) {
    Stage stage = plan.stages().get(state.stage());
    if (shorterThan(state.stageStartedAt(), now, stage.bake()) || samples < stage.minSamples()) {
      return null; // a routine hold, found without allocating
    }
    Duration baked = Duration.between(state.stageStartedAt(), now);
    if (burning) {
      return hold(flagKey, plan, state, now, "not advancing: a rule burns without significant evidence yet", checks);
    }
    int last = plan.stages().size() - 1;
    if (state.stage() == last) {
      return change(flagKey, plan, state, now, DecisionAction.COMPLETE,
          state.with(RolloutStatus.WATCHING, last, 1, state.shrinks(), state.stageStartedAt(), now.plus(plan.watch()), null),
          "stage " + last + " baked healthy with " + samples + " candidate calls; watching for " + plan.watch(), checks);
    }
    Stage next = plan.stages().get(state.stage() + 1);
    return change(flagKey, plan, state, now, DecisionAction.ADVANCE,
        state.with(RolloutStatus.RAMPING, state.stage() + 1, next.exposure(), state.shrinks(), now, null, null),
        "stage " + state.stage() + " baked healthy for " + baked.toSeconds() + " s with " + samples
            + " candidate calls; exposure " + pct(state.exposure()) + " -> " + pct(next.exposure()), checks);
  }

  /** Whether less than {@code d} lies between {@code from} and {@code to}; {@code Duration.between(from, to) < d} without a Duration. */
  static boolean shorterThan(Instant from, Instant to, Duration d) {
    long seconds = to.getEpochSecond() - from.getEpochSecond();
    long nanos = to.getNano() - from.getNano();
    if (nanos < 0) {
      seconds--;
      nanos += 1_000_000_000L;
    }
    return seconds < d.getSeconds() || seconds == d.getSeconds() && nanos < d.getNano();
  }

  private static boolean recentlyShrunk(RolloutState state, BurnRateRule rule, Instant now) {
    return state.status() == RolloutStatus.COOLING_DOWN
        && Duration.between(state.stageStartedAt(), now).compareTo(rule.shortWindow()) < 0;
  }

  /**
   * The state after a rollback. A dry run is a full shadow: its "would roll back" leaves the rollout
   * where it stands, so that it keeps being judged (see {@link Guardian}).
   */
  private static RolloutState rolledBack(RolloutPlan plan, RolloutState state, Instant now) {
    if (plan.mode() == RolloutMode.DRY_RUN) {
      return state.with(state.status(), state.stage(), state.exposure(), state.shrinks(), state.stageStartedAt(),
          state.until(), state.pausedStatus());
    }
    return state.with(RolloutStatus.ROLLED_BACK, state.stage(), 0, state.shrinks(), now, null, null);
  }

  /**
   * Checks every rule against every SLI the plan has. With {@code complete} false, a rule whose long
   * window does not burn for any SLI is checked on that window alone — it cannot burn, whatever the
   * short window and the control say — so a healthy rollout costs one window read per rule; such a
   * check reports zero short-window and control counts and must not be shown as evidence.
   */
  static List<RuleCheck> check(RolloutPlan plan, RolloutWindows windows, int latencyIndex, boolean complete,
      RolloutEvidence evidence) {
    return check(plan, windows, latencyIndex, complete, evidence, true);
  }

  /**
   * @param controlServed false at full exposure: the gate serves the control to no one, so the
   *     control calls still in a short window are from before the candidate took all the traffic and
   *     say nothing about a shared cause now; the candidate is then judged alone
   */
  static List<RuleCheck> check(RolloutPlan plan, RolloutWindows windows, int latencyIndex, boolean complete,
      RolloutEvidence evidence, boolean controlServed) {
    List<RuleCheck> checks = new ArrayList<>();
    long[] candLong = new long[RolloutWindows.SIZE];
    long[] candShort = new long[RolloutWindows.SIZE];
    long[] ctrlShort = new long[RolloutWindows.SIZE];
    boolean latency = plan.slo().latencyThreshold().isPresent() && latencyIndex >= 0;
    int slis = latency ? 2 : 1;
    double threshold = evidence.logThreshold(plan, slis, plan.minCandidateCalls());
    for (int r = 0; r < plan.rules().size(); r++) {
      BurnRateRule rule = plan.rules().get(r);
      windows.counts(plan.candidate(), rule.longWindow(), candLong);
      boolean longBurns = BurnRate.of(candLong[RolloutWindows.ERRORS], candLong[RolloutWindows.CALLS],
          plan.slo().errorBudget()) > rule.factor()
          || latency && BurnRate.of(candLong[RolloutWindows.SLOW + latencyIndex], candLong[RolloutWindows.CALLS],
              plan.slo().latencyBudget()) > rule.factor();
      if (complete || longBurns) {
        windows.counts(plan.candidate(), rule.shortWindow(), candShort);
        windows.counts(plan.control(), rule.shortWindow(), ctrlShort);
      } else {
        java.util.Arrays.fill(candShort, 0);
        java.util.Arrays.fill(ctrlShort, 0);
      }
      checks.add(check(plan, rule, "availability", plan.slo().errorBudget(), candLong, candShort, ctrlShort,
          RolloutWindows.ERRORS, evidence.logStatistic(r, RolloutEvidence.AVAILABILITY), threshold,
          !controlServed || evidence.candidateWorseThanControl(plan, RolloutEvidence.AVAILABILITY, slis)));
      if (latency) {
        checks.add(check(plan, rule, "latency", plan.slo().latencyBudget(), candLong, candShort, ctrlShort,
            RolloutWindows.SLOW + latencyIndex, evidence.logStatistic(r, RolloutEvidence.LATENCY), threshold,
            !controlServed || evidence.candidateWorseThanControl(plan, RolloutEvidence.LATENCY, slis)));
      }
    }
    return checks;
  }

  /** Whether a rule burns: both its long and its short window burn faster than its factor. */
  static boolean burning(BurnRateRule rule, double burnLong, double burnShort) {
    return burnLong > rule.factor() && burnShort > rule.factor();
  }

  static RuleCheck check(RolloutPlan plan, BurnRateRule rule, String sli, double budget, long[] candLong,
      long[] candShort, long[] ctrlShort, int badIndex, double statistic, double threshold,
      boolean candidateWorse) {
    long candCallsLong = candLong[RolloutWindows.CALLS];
    long candCallsShort = candShort[RolloutWindows.CALLS];
    long ctrlCalls = ctrlShort[RolloutWindows.CALLS];
    long badLong = candLong[badIndex];
    long badShort = candShort[badIndex];
    long ctrlBad = ctrlShort[badIndex];
    double burnLong = BurnRate.of(badLong, candCallsLong, budget);
    double burnShort = BurnRate.of(badShort, candCallsShort, budget);
    double ctrlBurn = BurnRate.of(ctrlBad, ctrlCalls, budget);
    boolean burning = burning(rule, burnLong, burnShort);
    boolean sharedCause = ctrlCalls >= MIN_CONTROL_CALLS && !candidateWorse;
    return new RuleCheck(rule, sli, budget, candCallsLong, badLong, burnLong, candCallsShort, badShort, burnShort,
        ctrlCalls, ctrlBad, ctrlBurn, burning, statistic, threshold, sharedCause);
  }

  private static Decision hold(String flagKey, RolloutPlan plan, RolloutState state, Instant now, String reason,
      List<RuleCheck> checks) {
    return new Decision(flagKey, now, DecisionAction.HOLD, Decision.GUARDIAN, plan.mode() == RolloutMode.ENFORCE,
        reason, checks, state, state);
  }

  private static Decision change(String flagKey, RolloutPlan plan, RolloutState state, Instant now,
      DecisionAction action, RolloutState next, String reason, List<RuleCheck> checks) {
    return new Decision(flagKey, now, action, Decision.GUARDIAN, plan.mode() == RolloutMode.ENFORCE, reason, checks,
        state, next);
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  private static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.2f %%", fraction * 100);
  }
}
