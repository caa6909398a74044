/**
 * The rollout stores behind the {@link dev.burnguard.rollout.RolloutStore} SPI: the in-memory store,
 * the crash-safe file store, the ring of recent decisions they share, and their file formats (rollout
 * values as JSON, the checksummed journal lines, the state file). The file store
 * ({@link dev.burnguard.internal.store.FileRolloutStore}) orders the writes; its parts each own one
 * file or job: the directory lock, the recovery at opening, the queue of lines not yet on disk and
 * the health, the journal segments with their rotation, and the atomic state file. Internal, not for
 * public use.
 */
package dev.burnguard.internal.store;
