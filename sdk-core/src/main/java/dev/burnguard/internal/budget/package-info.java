/**
 * The error-budget policy's engine: exact per-hour counts of each declared journey SLO
 * ({@link dev.burnguard.internal.budget.JourneyCounts}), kept in the state directory
 * ({@link dev.burnguard.internal.budget.BudgetFile}), and the policy that reviews every decision the
 * guardian's judge makes ({@link dev.burnguard.internal.budget.ErrorBudgets}). Internal, not for
 * public use.
 */
package dev.burnguard.internal.budget;
