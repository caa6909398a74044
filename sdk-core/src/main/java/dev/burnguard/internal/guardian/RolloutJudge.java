package dev.burnguard.internal.guardian;

import dev.burnguard.rollout.BurnRateRule;
import dev.burnguard.rollout.Stage;
import dev.burnguard.rollout.DecisionAction;
import dev.burnguard.rollout.RuleCheck;
import dev.burnguard.rollout.RolloutStatus;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutMode;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RuleAction;

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
 * <p><b>Sequential test.</b> Burning is acted on only when it is also significant: over the calls of
 * the rule's long window (n calls, k bad) the log-likelihood ratio of H1 "bad ratio = p1 = factor ×
 * budget" against H0 "bad ratio = p0 = budget",
 * {@code LLR = k ln(p1/p0) + (n − k) ln((1 − p1)/(1 − p0))}, must reach {@code ln(1/α)}. The ratio
 * is computed from calls, not from looks: whether the guardian looks every second or every minute,
 * the evidence needed is the same. For a run of calls starting at a fixed point, the likelihood
 * ratio under any bad ratio ≤ p0 is a non-negative supermartingale with mean ≤ 1, so by Ville's
 * inequality the probability that it <i>ever</i> reaches 1/α is at most α, however often it is
 * examined. The window slides, so a long rollout examines several runs: the bound holds per run of
 * calls (per stage in practice, as bake times are of the order of the long window), and in a healthy
 * candidate the burn-rate condition must hold at the same time, which at realistic traffic is far
 * rarer than the test alone. With the defaults (α = 0.01, p0 = 0.001, p1 = 0.0144) an error adds
 * 2.67 to the LLR and a success subtracts 0.0136: one error never suffices (2.67 &lt; 4.61), two
 * errors within about 54 calls of each other do.
 *
 * <p><b>Shared causes.</b> The candidate and the control are compared over the rule's short window,
 * where both have recent traffic. When the control has at least {@value #MIN_CONTROL_CALLS} calls
 * there and is not clearly better — were its calls failing at the candidate's bad ratio times the
 * plan's shared-cause ratio, as few bad calls as it had would have probability ≥ α — the regression
 * is shared (a dependency, not the candidate) and the decision is HOLD with that reason. Without
 * enough control traffic (at 100 %, say) the candidate is judged alone.
 *
 * <p><b>Order.</b> A significant, unshared rollback rule rolls back; a shrink rule shrinks (or rolls
 * back once the plan's shrinks are used up), except on a paused rollout, whose exposure stays until a
 * person resumes it (a shrink would end the pause behind their back), except within the rule's short
 * window of the previous shrink, which must first see fresh traffic, and except while a rollback rule's short window burns:
 * then the faster rule is about to decide, and a shrink would only slow it down. Otherwise: a paused rollout holds; a cooled-down one
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
      int latencyIndex, Instant now) {
    if (!state.status().guarded()) {
      return null;
    }
    // the cheap checks settle routine holds; anything else is decided again on every window, so that
    // it weighs all the evidence and shows it
    Decision quick = decide(flagKey, plan, state, windows, latencyIndex, now, check(plan, windows, latencyIndex, false));
    return quick == null ? null
        : decide(flagKey, plan, state, windows, latencyIndex, now, check(plan, windows, latencyIndex, true));
  }

  private static Decision decide(String flagKey, RolloutPlan plan, RolloutState state, RolloutWindows windows,
      int latencyIndex, Instant now, List<RuleCheck> checks) {
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
      return change(flagKey, plan, state, now, DecisionAction.ROLLBACK, rolledBack(state, now),
          "rule " + rollback.rule() + " fired on " + rollback.sli() + " (burn " + fmt(rollback.burnLong()) + " and "
              + fmt(rollback.burnShort()) + " > " + fmt(rollback.rule().factor()) + ", LLR " + fmt(rollback.logLikelihoodRatio())
              + " ≥ " + fmt(rollback.testThreshold()) + ")", checks);
    }
    if (shrink != null) {
      if (state.shrinks() >= plan.maxShrinks()) {
        return change(flagKey, plan, state, now, DecisionAction.ROLLBACK, rolledBack(state, now),
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
      return hold(flagKey, plan, state, now, "shared regression: the control burns alike (" + shared.sli()
          + " burn " + fmt(shared.controlBurnShort()) + " vs candidate " + fmt(shared.burnShort())
          + " over the last " + BurnRateRule.compact(shared.rule().shortWindow()) + "); not blaming the candidate", checks);
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
        return ramp(flagKey, plan, state, windows, now, checks, burning);
      default:
        throw new IllegalStateException("unexpected status " + status);
    }
  }

  private static Decision ramp(String flagKey, RolloutPlan plan, RolloutState state, RolloutWindows windows,
      Instant now, List<RuleCheck> checks, boolean burning) {
    Stage stage = plan.stages().get(state.stage());
    Duration baked = Duration.between(state.stageStartedAt(), now);
    if (baked.compareTo(stage.bake()) < 0) {
      return null;
    }
    long samples = stageSamples(plan, state, windows, baked);
    if (samples < stage.minSamples()) {
      return null;
    }
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

  /** Candidate calls since the stage began (at most the longest window the recorder keeps). */
  private static long stageSamples(RolloutPlan plan, RolloutState state, RolloutWindows windows, Duration baked) {
    Duration window = baked.compareTo(Duration.ofHours(72)) > 0 ? Duration.ofHours(72)
        : baked.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : baked;
    long[] out = new long[RolloutWindows.SIZE];
    windows.counts(plan.candidate(), window, out);
    return out[RolloutWindows.CALLS];
  }

  private static boolean recentlyShrunk(RolloutState state, BurnRateRule rule, Instant now) {
    return state.status() == RolloutStatus.COOLING_DOWN
        && Duration.between(state.stageStartedAt(), now).compareTo(rule.shortWindow()) < 0;
  }

  private static RolloutState rolledBack(RolloutState state, Instant now) {
    return state.with(RolloutStatus.ROLLED_BACK, state.stage(), 0, state.shrinks(), now, null, null);
  }

  /** Checks every rule against every SLI the plan has. */
  /**
   * Checks every rule against every SLI the plan has. With {@code complete} false, a rule whose long
   * window does not burn for any SLI is checked on that window alone — it cannot burn, whatever the
   * short window and the control say — so a healthy rollout costs one window read per rule; such a
   * check reports zero short-window and control counts and must not be shown as evidence.
   */
  static List<RuleCheck> check(RolloutPlan plan, RolloutWindows windows, int latencyIndex, boolean complete) {
    List<RuleCheck> checks = new ArrayList<>();
    double threshold = Math.log(1 / plan.alpha());
    long[] candLong = new long[RolloutWindows.SIZE];
    long[] candShort = new long[RolloutWindows.SIZE];
    long[] ctrlShort = new long[RolloutWindows.SIZE];
    boolean latency = plan.slo().latencyThreshold().isPresent() && latencyIndex >= 0;
    for (BurnRateRule rule : plan.rules()) {
      windows.counts(plan.candidate(), rule.longWindow(), candLong);
      boolean longBurns = burn(candLong[RolloutWindows.ERRORS], candLong[RolloutWindows.CALLS],
          plan.slo().errorBudget()) > rule.factor()
          || latency && burn(candLong[RolloutWindows.SLOW + latencyIndex], candLong[RolloutWindows.CALLS],
              plan.slo().latencyBudget()) > rule.factor();
      if (complete || longBurns) {
        windows.counts(plan.candidate(), rule.shortWindow(), candShort);
        windows.counts(plan.control(), rule.shortWindow(), ctrlShort);
      } else {
        java.util.Arrays.fill(candShort, 0);
        java.util.Arrays.fill(ctrlShort, 0);
      }
      checks.add(check(plan, rule, "availability", plan.slo().errorBudget(), candLong, candShort, ctrlShort,
          RolloutWindows.ERRORS, threshold));
      if (latency) {
        checks.add(check(plan, rule, "latency", plan.slo().latencyBudget(), candLong, candShort, ctrlShort,
            RolloutWindows.SLOW + latencyIndex, threshold));
      }
    }
    return checks;
  }

  private static RuleCheck check(RolloutPlan plan, BurnRateRule rule, String sli, double budget, long[] candLong,
      long[] candShort, long[] ctrlShort, int badIndex, double threshold) {
    long candCallsLong = candLong[RolloutWindows.CALLS];
    long candCallsShort = candShort[RolloutWindows.CALLS];
    long ctrlCalls = ctrlShort[RolloutWindows.CALLS];
    long badLong = candLong[badIndex];
    long badShort = candShort[badIndex];
    long ctrlBad = ctrlShort[badIndex];
    double burnLong = burn(badLong, candCallsLong, budget);
    double burnShort = burn(badShort, candCallsShort, budget);
    double ctrlBurn = burn(ctrlBad, ctrlCalls, budget);
    boolean burning = burnLong > rule.factor() && burnShort > rule.factor();
    double p0 = budget;
    double p1 = Math.min(rule.factor() * budget, 0.999_999);
    long n = candCallsLong;
    double llr = badLong * Math.log(p1 / p0) + (n - badLong) * Math.log((1 - p1) / (1 - p0));
    boolean sharedCause = ctrlCalls >= MIN_CONTROL_CALLS
        && !controlClearlyBetter(badShort, candCallsShort, ctrlBad, ctrlCalls, plan.sharedCauseRatio(), plan.alpha());
    return new RuleCheck(rule, sli, budget, candCallsLong, badLong, burnLong, candCallsShort, badShort, burnShort,
        ctrlCalls, ctrlBad, ctrlBurn, burning, llr, threshold, sharedCause);
  }

  /**
   * Whether the control is clearly better than the candidate over the same (short) window: if the
   * control's calls failed at the candidate's bad ratio times the shared-cause ratio, seeing as few
   * bad calls as it did would have probability below α (binomial lower tail).
   */
  static boolean controlClearlyBetter(long candBad, long candCalls, long ctrlBad, long ctrlCalls, double sharedRatio,
      double alpha) {
    if (candCalls == 0 || ctrlCalls == 0) {
      return false;
    }
    double p = (double) candBad / candCalls * sharedRatio;
    return p > 0 && binomialLowerTail(ctrlBad, ctrlCalls, Math.min(p, 1)) < alpha;
  }

  /** P(X ≤ k) for X ~ Binomial(n, p): exact below 1,000 successes, normal approximation above. */
  static double binomialLowerTail(long k, long n, double p) {
    if (k >= n || p <= 0) {
      return 1;
    }
    if (p >= 1) {
      return 0;
    }
    if (k > 1000) {
      double mean = n * p;
      double sd = Math.sqrt(n * p * (1 - p));
      return 0.5 * erfc(-(k + 0.5 - mean) / (sd * Math.sqrt(2)));
    }
    // sum the terms from i = 0 to k, each from the previous, in log space for large n
    double logTerm = n * Math.log1p(-p); // i = 0
    double sum = Math.exp(logTerm);
    for (long i = 1; i <= k; i++) {
      logTerm += Math.log((double) (n - i + 1) / i) + Math.log(p / (1 - p));
      sum += Math.exp(logTerm);
    }
    return Math.min(1, sum);
  }

  /** The complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
  private static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }

  private static double burn(long bad, long calls, double budget) {
    return calls == 0 ? 0 : (double) bad / calls / budget;
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
