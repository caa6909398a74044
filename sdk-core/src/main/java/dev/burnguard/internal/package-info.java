/**
 * The seam through which Burnguard's own tests and tools reach a provider's engines
 * ({@link dev.burnguard.internal.ProviderInternals}: its guardian and SLI recorder), above the
 * engine packages themselves: {@code internal.resolve} and {@code internal.eval} (compile and
 * evaluate flags), {@code internal.gate} (exposure), {@code internal.recorder} and
 * {@code internal.sli} (outcomes), {@code internal.guardian} and {@code internal.budget} (judge and
 * decide), {@code internal.store} (persist), {@code internal.report} and {@code internal.json}.
 * Internal, not for public use.
 */
package dev.burnguard.internal;
