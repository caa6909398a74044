/**
 * The guarded-rollout model and the store SPI: the {@link dev.burnguard.rollout.RolloutPlan} a
 * flag's candidate follows (stages, SLOs, burn-rate rules), the rollout's persisted
 * {@link dev.burnguard.rollout.RolloutState}, the {@link dev.burnguard.rollout.Decision}s that move
 * it with their evidence, and the {@link dev.burnguard.rollout.RolloutStore} users may implement.
 * The engine that makes the decisions lives in {@code internal.guardian}; this package depends on
 * nothing above it.
 */
package dev.burnguard.rollout;
