/**
 * The exposure gate: decides, per evaluation context and in a few nanoseconds, whether a guarded
 * flag serves its candidate at the rollout's current exposure (a stable hash of the targeting key
 * against the exposure). Built by the guardian, applied by the compiled flag. Internal, not for
 * public use.
 */
package dev.burnguard.internal.gate;
