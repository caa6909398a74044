/**
 * The file formats of the rollout state store: rollout values as JSON, and the checksummed lines of
 * the decision journal. Internal, not for public use.
 */
package dev.burnguard.internal.store;
