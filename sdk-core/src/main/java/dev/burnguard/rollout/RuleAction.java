package dev.burnguard.rollout;

/** What a burn-rate rule does when it fires. */
public enum RuleAction {
  /** Step the candidate's exposure back one stage, cool down, then re-probe. */
  SHRINK,
  /** Candidate exposure 0, until a person resets the rollout. */
  ROLLBACK
}
