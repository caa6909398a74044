/**
 * Outcome capture: the {@link dev.burnguard.outcome.Guard} that wraps a risky code path, the
 * {@link dev.burnguard.outcome.Guard.OutcomeRecorder} SPI that records how each flag variant's calls end,
 * and the read-only windows and latency distribution the guardian and dashboards read.
 */
@NullMarked
package dev.burnguard.outcome;

import org.jspecify.annotations.NullMarked;
