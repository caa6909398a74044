/**
 * Rollout reports for incident reviews: one data model ({@link dev.burnguard.internal.report.RolloutReport})
 * rendered as a self-contained HTML page with inline SVG charts, as Markdown and as JSON. Reached
 * through {@code Rollouts.report(...)} and the command-line tool. Internal, not for public use.
 */
package dev.burnguard.internal.report;
