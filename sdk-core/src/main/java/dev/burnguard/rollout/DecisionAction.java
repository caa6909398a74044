package dev.burnguard.rollout;

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
