package dev.burnguard.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

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
    String reason, List<RuleCheck> evidence, RolloutState before, RolloutState after) {
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
}
