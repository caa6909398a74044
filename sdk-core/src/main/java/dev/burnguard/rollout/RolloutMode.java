package dev.burnguard.rollout;

/** Whether a rollout's decisions change exposure. */
public enum RolloutMode {
  /** Decisions are applied: exposure advances, shrinks and rolls back. */
  ENFORCE,
  /** Decisions are made, recorded and reported ("would roll back"), but exposure never changes. */
  DRY_RUN
}
