/**
 * Outcome capture: recording how each flag variant's calls end, the windows the guard judges them
 * by, and the {@link dev.burnguard.outcome.Guard} that wraps a risky code path.
 */
package dev.burnguard.outcome;
