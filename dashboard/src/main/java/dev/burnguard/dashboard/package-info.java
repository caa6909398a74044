/**
 * The live rollout dashboard: a page and its HTTP API ({@link dev.burnguard.dashboard.DashboardServer})
 * over any provider's or store's guarded rollouts, used by the sample app and by
 * {@code burnguard dashboard}.
 */
package dev.burnguard.dashboard;
