package dev.burnguard.rollout;

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
