/**
 * The rollout stores behind the {@link dev.burnguard.rollout.RolloutStore} SPI: the in-memory store,
 * the crash-safe file store (state file, decision journal, lock), the ring of recent decisions they
 * share, and their file formats (rollout values as JSON, the checksummed journal lines). Internal,
 * not for public use.
 */
package dev.burnguard.internal.store;
