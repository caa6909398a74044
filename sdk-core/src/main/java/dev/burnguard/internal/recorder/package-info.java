/**
 * The provider's SLI recorder: the {@link dev.burnguard.outcome.Guard.OutcomeRecorder} that keeps each
 * flag variant's calls, failures and latency in sliding windows for the guardian and dashboards.
 * Internal, not for public use.
 */
package dev.burnguard.internal.recorder;
