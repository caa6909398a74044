/**
 * Guarded rollouts: the {@link dev.burnguard.rollout.RolloutPlan} a flag's candidate follows, the
 * rollout's persisted {@link dev.burnguard.rollout.RolloutState}, and the
 * {@link dev.burnguard.rollout.Decision}s that move it, each with its evidence.
 */
package dev.burnguard.rollout;
