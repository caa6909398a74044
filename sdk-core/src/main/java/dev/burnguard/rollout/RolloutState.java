package dev.burnguard.rollout;

import java.time.Instant;
import java.util.Objects;

/**
 * The state of one flag's rollout, as persisted: enough to restore exactly what the provider
 * serves after a restart. Immutable.
 *
 * @param flagKey the flag
 * @param planFingerprint the {@link RolloutPlan#fingerprint()} this state belongs to; a different
 *     plan starts a new rollout
 * @param status where the rollout stands
 * @param stage the index of the current stage in the plan
 * @param exposure the fraction of the candidate's eligible contexts that get it, in [0, 1]
 * @param shrinks how many times the rollout has shrunk
 * @param stageStartedAt when the current stage (or re-probe) began, for bake time
 * @param until when a cool-down or watch period ends; null otherwise
 * @param pausedStatus the status a paused rollout resumes to; null unless paused
 * @param version increases by one with every decision that changes the state
 */
public record RolloutState(String flagKey, String planFingerprint, RolloutStatus status, int stage, double exposure,
    int shrinks, Instant stageStartedAt, Instant until, RolloutStatus pausedStatus, long version) {
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

  RolloutState with(RolloutStatus newStatus, int newStage, double newExposure, int newShrinks, Instant newStageStart,
      Instant newUntil, RolloutStatus newPausedStatus) {
    return new RolloutState(flagKey, planFingerprint, newStatus, newStage, newExposure, newShrinks, newStageStart,
        newUntil, newPausedStatus, version + 1);
  }
}
