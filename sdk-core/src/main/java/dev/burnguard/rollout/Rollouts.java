package dev.burnguard.rollout;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A provider's guarded rollouts, as {@code provider.rollouts()}: their states and recent decisions,
 * the manual controls, and decision listeners. Every manual control records a {@link Decision}
 * naming the {@code actor} (a person or tool, for the decision log) and returns it; it throws
 * {@link IllegalArgumentException} for a flag without a rollout and {@link IllegalStateException}
 * when the rollout's status does not allow the action. Thread-safe.
 */
public interface Rollouts {
  /** Every rollout's state, by flag key. */
  Map<String, RolloutState> states();

  /** The state of {@code flagKey}'s rollout, or empty when it has none. */
  Optional<RolloutState> state(String flagKey);

  /**
   * Every rollout's health as the guardian judged it at its last tick, by flag key: window counts
   * and burn rates, every rule check with the sequential statistic and threshold, the stage's
   * progress, the latest decision (see {@link RolloutHealth}). Empty before the first tick.
   */
  Map<String, RolloutHealth> health();

  /** {@code flagKey}'s entry of {@link #health()}, or empty when it has none. */
  default Optional<RolloutHealth> health(String flagKey) {
    return Optional.ofNullable(health().get(flagKey));
  }

  /** The rollout plans in force, by flag key: the flag file's and those given in code. */
  Map<String, RolloutPlan> plans();

  /**
   * Judges every rollout once now and applies what changes, as the provider's timer does every
   * guardian tick; for providers built with {@code guardianTicking(false)}: tests on a ManualClock
   * and tools that drive time themselves. Returns the decisions applied or published, in order.
   */
  List<Decision> tick();

  /** {@code flagKey}'s most recent decisions as kept by the rollout store, oldest first. */
  List<Decision> recentDecisions(String flagKey);

  /** Stops the rollout where it is until {@link #resume}. */
  Decision pause(String flagKey, String actor);

  /** Resumes a paused rollout to the status it was paused in. */
  Decision resume(String flagKey, String actor);

  /** Moves the rollout to its next stage now. */
  Decision promote(String flagKey, String actor);

  /** Sends all traffic back to the control variant. */
  Decision rollback(String flagKey, String actor);

  /** Restarts the rollout at its first stage, judging only evidence recorded from now on. */
  Decision reset(String flagKey, String actor);

  /**
   * Writes {@code flagKey}'s rollout report, for an incident review, to {@code out} (flushed, not
   * closed) in {@code format}: {@code "html"} (one self-contained page: inline SVG charts of the
   * exposure over time with the decisions marked, each variant's error and slow-call ratio per stage,
   * latency percentiles, burn rates against each rule's factor; no script, no external asset),
   * {@code "markdown"} or {@code "json"} — the same data in each: the plan, every decision kept with
   * its evidence and actor, calls and errors per variant per stage since the rollout started or was
   * reset, the estimated user impact (the candidate's failed calls above the control's error ratio)
   * and the share of the rollout traffic's error budget the candidate consumed. See the README's
   * "Rollout reports".
   *
   * @throws IllegalArgumentException for a flag without a rollout, or another format
   * @throws java.io.IOException when {@code out} fails
   */
  void report(String flagKey, String format, java.io.Writer out) throws java.io.IOException;

  /**
   * Lets {@code flagKey}'s rollout advance once past the error-budget policy (see {@link
   * ErrorBudgetPolicy}): records an OVERRIDE decision naming {@code actor} and {@code reason} in the
   * decision log; the rollout's next advance is then taken even while a threshold of the policy
   * holds the others, and says so in its reason. The override lapses when the rollout changes
   * otherwise first (a shrink, a pause…). It survives a restart (it is read back from the log).
   *
   * @param reason why, for the decision log (e.g. "hotfix for INC-4711, approved by the on-call")
   */
  Decision overrideBudgetPolicy(String flagKey, String actor, String reason);

  /**
   * Every declared service SLO's error budget now, by SLO name in declaration order: the journey's
   * exact calls and bad calls in the budget period, the allowed bad calls and the share spent.
   * Empty without declared SLOs.
   */
  Map<String, ErrorBudgetPolicy.Budget> errorBudgets();

  /**
   * Calls {@code listener} with every applied decision (and notable holds), after it is journaled,
   * until the returned registration is closed.
   */
  Registration onDecision(Consumer<Decision> listener);

  /** A listener registration; {@link #close()} removes the listener (idempotent, never throws). */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
