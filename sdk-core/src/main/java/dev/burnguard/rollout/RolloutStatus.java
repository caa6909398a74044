package dev.burnguard.rollout;

/** Where a guarded rollout stands. */
public enum RolloutStatus {
  /** Moving through the stages as each one bakes healthy. */
  RAMPING,
  /** Stepped back after a shrink; re-probes the stage it left when the cool-down ends. */
  COOLING_DOWN,
  /** Held by a person: exposure stays, decisions other than rollback wait for resume. */
  PAUSED,
  /** At 100 % and still watched: a burn can still roll it back until the watch period ends. */
  WATCHING,
  /** Done: the candidate is fully out and no longer watched. */
  COMPLETED,
  /** The candidate is withdrawn (exposure 0) until a person resets the rollout. Survives restarts. */
  ROLLED_BACK;

  /** Whether the guardian still judges this rollout. */
  public boolean guarded() {
    return this == RAMPING || this == COOLING_DOWN || this == PAUSED || this == WATCHING;
  }
}
