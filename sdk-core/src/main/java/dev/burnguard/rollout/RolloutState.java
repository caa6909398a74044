package dev.burnguard.rollout;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state of one flag's rollout, as persisted: enough to restore exactly what the provider
 * serves after a restart. Immutable.
 *
 * @param flagKey the flag
 * @param planFingerprint the {@link RolloutPlan#fingerprint()} of the plan in force; a plan with
 *     another candidate (or control) starts a new rollout, any other change applies in place
 * @param status where the rollout stands
 * @param stage the index of the current stage in the plan
 * @param exposure the <b>fraction</b> of the candidate's eligible contexts that get it, in [0, 1]
 *     (0.05 for a stage the file writes as {@code "exposure": 5})
 * @param shrinks how many times the rollout has shrunk
 * @param stageStartedAt when the current stage (or re-probe) began, for bake time
 * @param until when a cool-down or watch period ends; null otherwise
 * @param pausedStatus the status a paused rollout resumes to; null unless paused
 * @param version increases by one with every decision that changes the state
 * @param evidenceSince when a person last reset (or restarted) the rollout: the guardian judges
 *     only outcomes recorded after this moment; null when every recorded outcome counts
 * @param planRemovedAt when the flag's rollout plan disappeared from the flags (the state is kept
 *     for the guardian's retention in case it returns); null while the plan is in force
 */
public record RolloutState(String flagKey, String planFingerprint, RolloutStatus status, int stage, double exposure,
    int shrinks, Instant stageStartedAt, @Nullable Instant until, @Nullable RolloutStatus pausedStatus, long version,
    @Nullable Instant evidenceSince, @Nullable Instant planRemovedAt) {
  /** A state whose every recorded outcome counts and whose plan is in force. */
  public RolloutState(String flagKey, String planFingerprint, RolloutStatus status, int stage, double exposure,
      int shrinks, Instant stageStartedAt, @Nullable Instant until, @Nullable RolloutStatus pausedStatus, long version) {
    this(flagKey, planFingerprint, status, stage, exposure, shrinks, stageStartedAt, until, pausedStatus, version,
        null, null);
  }

  public RolloutState {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(planFingerprint, "planFingerprint");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(stageStartedAt, "stageStartedAt");
    if (!(exposure >= 0 && exposure <= 1)) {
      throw new IllegalArgumentException("exposure must be in [0, 1], got " + exposure);
    }
  }

  /** A new rollout of {@code plan} at its first stage, started at {@code now}. */
  public static RolloutState start(String flagKey, RolloutPlan plan, Instant now) {
    return new RolloutState(flagKey, plan.fingerprint(), RolloutStatus.RAMPING, 0,
        plan.stages().get(0).exposure(), 0, now, null, null, 0);
  }

  public RolloutState with(RolloutStatus newStatus, int newStage, double newExposure, int newShrinks, Instant newStageStart,
      Instant newUntil, RolloutStatus newPausedStatus) {
    return new RolloutState(flagKey, planFingerprint, newStatus, newStage, newExposure, newShrinks, newStageStart,
        newUntil, newPausedStatus, version + 1, evidenceSince, planRemovedAt);
  }

  /** This state under another plan fingerprint, stage, exposure and end of cool-down or watch (a plan edited in place). */
  public RolloutState withPlan(String newFingerprint, int newStage, double newExposure, Instant newUntil) {
    return new RolloutState(flagKey, newFingerprint, status, newStage, newExposure, shrinks, stageStartedAt, newUntil,
        pausedStatus, version + 1, evidenceSince, null);
  }

  /** This state with its plan gone since {@code removedAt} (null: back in force). */
  public RolloutState withPlanRemovedAt(Instant removedAt) {
    return new RolloutState(flagKey, planFingerprint, status, stage, exposure, shrinks, stageStartedAt, until,
        pausedStatus, version + 1, evidenceSince, removedAt);
  }

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
}
