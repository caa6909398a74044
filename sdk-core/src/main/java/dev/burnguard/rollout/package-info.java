/**
 * The guarded-rollout model and the store SPI: the {@link dev.burnguard.rollout.RolloutPlan} a
 * flag's candidate follows (stages, SLOs, burn-rate rules), the rollout's persisted
 * {@link dev.burnguard.rollout.RolloutState}, the {@link dev.burnguard.rollout.Decision}s that move
 * it with their evidence, and the {@link dev.burnguard.rollout.RolloutStore} users may implement.
 * The engine that makes the decisions lives in {@code internal.guardian}; this package depends on
 * nothing above it.
 *
 * <p><b>Percentages and fractions.</b> The flag file writes every share as a percentage ({@code
 * "exposure": 5}, {@code "availability": 99.9}, {@code "spent": 75}). In code, a {@code double}
 * whose name ends in {@code Percent} is a percentage from 0 to 100 ({@link
 * dev.burnguard.rollout.RolloutPlan.Stage#exposurePercent()}, {@link
 * dev.burnguard.rollout.ErrorBudgetPolicy.Threshold#spentPercent()}); every other share is a
 * fraction from 0 to 1: exposures read back ({@link dev.burnguard.rollout.RolloutPlan.Stage#exposure()},
 * {@link dev.burnguard.rollout.RolloutState#exposure()}, the {@code burnguard.rollout.exposure}
 * metadata), objectives and budgets ({@code Slo.availability(0.999)} is the file's {@code 99.9}),
 * the share of an error budget spent, ratios and quantiles.
 */
@NullMarked
package dev.burnguard.rollout;

import org.jspecify.annotations.NullMarked;
