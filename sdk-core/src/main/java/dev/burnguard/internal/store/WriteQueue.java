package dev.burnguard.internal.store;

import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.time.Clock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FileRolloutStore}'s journal lines that are appended but not yet on disk, and the store's
 * health that follows from them. While the disk fails the lines wait here, at most
 * {@code maxPendingDecisions} of them: beyond that the oldest are dropped and counted in
 * {@link StoreHealth#droppedDecisions()}.
 *
 * <p>Design (concurrency): the queue, the drop count and the journal error are guarded by the
 * store's lock (every method but {@link #health()} is called only under it). The health is a
 * volatile immutable value, replaced under that lock by {@link #updateHealth} and read by any thread
 * without it.
 */
final class WriteQueue {
  // the store's log category, so that log settings keep working as they did before the split
  private static final Logger LOG = LoggerFactory.getLogger(FileRolloutStore.class);

  private final Path directory;
  private final int capacity;
  private final Clock clock;
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private long dropped;
  /** Why the last journal write failed; null once one succeeds. */
  private String journalError;
  private volatile StoreHealth health = StoreHealth.ok();

  WriteQueue(Path directory, int capacity, Clock clock) {
    this.directory = directory;
    this.capacity = capacity;
    this.clock = clock;
  }

  /**
   * Queues a journal line.
   *
   * @return true when the queue was full and its oldest line was dropped to make room
   */
  boolean add(byte[] line) {
    pending.addLast(line);
    if (pending.size() > capacity) {
      pending.removeFirst();
      dropped++;
      return true;
    }
    return false;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  int size() {
    return pending.size();
  }

  /** Every queued line, in order, in one buffer ready to write. */
  ByteBuffer lines() {
    int size = 0;
    for (byte[] line : pending) {
      size += line.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(size);
    for (byte[] line : pending) {
      buffer.put(line);
    }
    return buffer.flip();
  }

  /** The queued lines are on disk (or there were none and the journal is writable again). */
  void written() {
    pending.clear();
    journalError = null;
  }

  /** Records a failed journal write, logging it once per distinct error. */
  void failed(Exception e) {
    String error = "cannot write the decision journal in " + directory + ": " + e;
    if (!error.equals(journalError)) {
      LOG.error("{}; {} decision(s) kept in memory, retrying on the next append or flush", error, pending.size());
    }
    journalError = error;
  }

  /** Replaces the health after a write attempt; {@code stateFileError} is the state file's, or null. */
  void updateHealth(String stateFileError) {
    String error = journalError != null ? journalError : stateFileError;
    StoreHealth old = health;
    if (error == null) {
      if (!old.healthy() || old.droppedDecisions() != dropped) {
        if (!old.healthy()) {
          LOG.info("{}: the rollout store is writing again; every decision is on disk", directory);
        }
        health = new StoreHealth(true, null, null, 0, dropped);
      }
    } else {
      Instant since = old.healthy() ? Instant.ofEpochMilli(clock.wallMillis()) : old.unhealthySince();
      health = new StoreHealth(false, error, since, pending.size(), dropped);
    }
  }

  /** Any thread. */
  StoreHealth health() {
    return health;
  }
}
