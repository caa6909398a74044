package dev.burnguard.rollout;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the guardian (or a person) decided about one rollout at one moment, with its evidence.
 * Immutable; decisions are journaled, logged, published as events and shown on dashboards.
 *
 * @param flagKey the flag
 * @param at when, by the guardian's clock
 * @param action what the decision does
 * @param actor {@code "guardian"}, or who acted for a manual decision (e.g. {@code "person:alice"})
 * @param applied false for a decision of a dry-run rollout, which is recorded but changes nothing
 * @param reason why, in one sentence with the deciding numbers
 * @param evidence the rule checks the decision was made on (empty for manual decisions)
 * @param before the state before the decision; null for the START of a flag's first rollout
 * @param after the state after it (equal to {@code before} for HOLD). A dry-run rollout moves
 *     through its states like an enforced one, so its timing is the same, but its gate keeps serving
 *     the flag as it is
 */
public record Decision(String flagKey, Instant at, DecisionAction action, String actor, boolean applied,
    String reason, List<RuleCheck> evidence, @Nullable RolloutState before, RolloutState after) {
  /** The actor of automatic decisions. */
  public static final String GUARDIAN = "guardian";

  public Decision {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(reason, "reason");
    evidence = List.copyOf(evidence);
    Objects.requireNonNull(after, "after");
  }

  /** Whether the decision changed (or, in dry-run, would have changed) the rollout. */
  public boolean changes() {
    return action != DecisionAction.HOLD;
  }

  /**
   * The decision in one line, for logs and audit trails, with the numbers it was made on:
   * {@code <flag>: [would ]<ACTION> by <actor> at exposure <after>% (<status after>, stage <n>): <reason>},
   * where the exposure is the state after the decision in percent with two decimals, {@code n} the
   * stage index after it (0 for the first stage) and {@code would } marks a dry-run decision; then,
   * for each rule check of the {@linkplain #evidence() evidence}, {@code " | "} and that check's
   * {@link RuleCheck#describe()} (burn rates, bad/total counts of both windows, the control's
   * burn, the sequential test's statistic and threshold). For example, a manual rollback:
   * {@code new-checkout: ROLLBACK by person:alice at exposure 0.00% (ROLLED_BACK, stage 1): rollback requested by person:alice}.
   *
   * @return one line (no line break, unless the reason holds one)
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(flagKey).append(": ").append(applied ? "" : "would ").append(action).append(" by ").append(actor)
        .append(" at exposure ").append(String.format(java.util.Locale.ROOT, "%.2f%%", after.exposure() * 100))
        .append(" (").append(after.status()).append(", stage ").append(after.stage()).append("): ").append(reason);
    for (RuleCheck c : evidence) {
      sb.append(" | ").append(c.describe());
    }
    return sb.toString();
  }

  /** What a decision does to a rollout. */
  public enum DecisionAction {
    /** A new rollout begins at its first stage. */
    START,
    /** The stage baked healthy: move to the next one. */
    ADVANCE,
    /** Nothing changes: not enough evidence yet, or a regression shared with the control. */
    HOLD,
    /** A shrink rule fired: step back one stage and cool down. */
    SHRINK,
    /** A cool-down ended: re-probe the stage the rollout stepped back from. */
    REPROBE,
    /** A rollback rule fired (or a person asked): candidate exposure 0 until reset. */
    ROLLBACK,
    /** The last stage baked healthy: at 100 %, watched until the watch period ends. */
    COMPLETE,
    /** The watch period at 100 % ended healthy: the rollout is done. */
    FINISH,
    /** A person paused the rollout. */
    PAUSE,
    /** A person resumed a paused rollout. */
    RESUME,
    /** A person moved the rollout to its next stage now. */
    PROMOTE,
    /** A person reset a rollout: it starts again from its first stage, judged on new evidence only. */
    RESET,
    /**
     * The rollout plan changed without changing the candidate (bake, watch, stages, SLO, rules,
     * mode…), disappeared from the flags, or came back: the rollout continues where it stands under
     * the plan in force; a rolled-back rollout stays rolled back.
     */
    PLAN_CHANGED,
    /**
     * A person let the rollout's next advance past the error-budget policy (see {@link
     * ErrorBudgetPolicy}); nothing else changes.
     */
    OVERRIDE
  }

  /**
   * One burn-rate rule checked against one SLI at one moment, with every number the check used: the
   * evidence a decision carries.
   *
   * @param rule the rule
   * @param sli {@code "availability"} (bad = errors) or {@code "latency"} (bad = slow calls)
   * @param budget the SLI's budget: the fraction of calls that may be bad (e.g. 0.001)
   * @param candidateCallsLong candidate calls in the long window
   * @param candidateBadLong bad candidate calls in the long window
   * @param burnLong the candidate's burn rate over the long window: (bad / calls) / budget
   * @param candidateCallsShort candidate calls in the short window
   * @param candidateBadShort bad candidate calls in the short window
   * @param burnShort the candidate's burn rate over the short window
   * @param controlCallsShort control calls in the short window
   * @param controlBadShort bad control calls in the short window
   * @param controlBurnShort the control's burn rate over the short window
   * @param burning whether both windows burn faster than the rule's factor
   * @param logLikelihoodRatio the sequential test's statistic, ln R: R is the rule's
   *     Shiryaev–Roberts e-detector over every candidate call since the rollout started or was reset,
   *     a sum over possible change points of the likelihood ratio of "bad ratio = factor × budget"
   *     against "bad ratio = budget" since that point (−∞ before any call); see {@code
   *     docs/statistics.md}
   * @param testThreshold ln A: the statistic must reach it for the burn to count as evidence; it grows
   *     with the candidate calls so far (the dyadic threshold that keeps the whole rollout's false
   *     shrinks and rollbacks at α), and is +∞ below the plan's {@link RolloutPlan#minCandidateCalls()}
   * @param sharedCause whether the control has enough calls in the short window to compare and the
   *     two-arm test (candidate's bad calls against the control's, both arms' call counts) does not yet
   *     show the candidate worse than the control, which points at a shared dependency
   */
  public record RuleCheck(BurnRateRule rule, String sli, double budget,
      long candidateCallsLong, long candidateBadLong, double burnLong,
      long candidateCallsShort, long candidateBadShort, double burnShort,
      long controlCallsShort, long controlBadShort, double controlBurnShort,
      boolean burning, double logLikelihoodRatio, double testThreshold, boolean sharedCause) {

    /** Whether the evidence is significant: burning in both windows and past the sequential test. */
    public boolean significant() {
      return burning && logLikelihoodRatio >= testThreshold;
    }

    /** Whether this check calls for the rule's action: significant and not shared with the control. */
    public boolean fires() {
      return significant() && !sharedCause;
    }

    /** One line with the numbers, for logs. */
    public String describe() {
      return String.format(java.util.Locale.ROOT,
          "%s %s: burn %.2f over %s (%d/%d bad) and %.2f over %s (%d/%d bad) vs factor %.2f; "
              + "control burn %.2f over the short window (%d/%d bad); ln R %.2f vs %.2f%s",
          sli, rule, burnLong, rule.longWindow(), candidateBadLong, candidateCallsLong, burnShort, rule.shortWindow(),
          candidateBadShort, candidateCallsShort, rule.factor(), controlBurnShort, controlBadShort, controlCallsShort,
          logLikelihoodRatio, testThreshold, sharedCause ? "; shared with control" : "");
    }
  }
}
