package dev.burnguard.internal.store;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.burnguard.rollout.RolloutState;
import dev.burnguard.time.Clock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FileRolloutStore}'s state file, {@code state.json} (a {@link StateSnapshot}), and how
 * current it is. It is replaced atomically: written to {@code state.json.tmp} in the same directory,
 * forced, renamed over {@code state.json}, then the directory is forced. Rewritten every
 * {@code snapshotEvery} appends, at compaction, and until a failed write succeeds.
 *
 * <p>Design (concurrency): not thread-safe; the store calls it only under its lock, and the
 * sequence number, the append count and the last error are plain fields for that reason.
 */
final class StateFile {
  // the store's log category, so that log settings keep working as they did before the split
  private static final Logger LOG = LoggerFactory.getLogger(FileRolloutStore.class);

  private final StoreDirectory directory;
  private final Clock clock;
  private final int writeEvery;
  /** The journal sequence number the file on disk was written (or read) as of. */
  private long seq;
  private int appendsSince;
  /** Why the last write failed; null once one succeeds. */
  private String error;

  StateFile(StoreDirectory directory, Clock clock, int writeEvery) {
    this.directory = directory;
    this.clock = clock;
    this.writeEvery = writeEvery;
  }

  /** The file read at opening was written as of {@code seq} (0: there was none). */
  void restored(long seq) {
    this.seq = seq;
  }

  /** Deletes the temporary file of a replacement a crash interrupted; a read-only directory keeps it. */
  void deleteInterruptedReplacement() {
    try {
      Files.deleteIfExists(directory.resolve(FileRolloutStore.STATE_TEMP_FILE));
    } catch (IOException e) {
      // a read-only directory; the next replacement truncates it
    }
  }

  /** Replaces the file atomically with {@code states}, as of journal sequence number {@code lastSeq}. */
  void write(long lastSeq, List<RolloutState> states) throws IOException {
    states.sort(Comparator.comparing(RolloutState::flagKey));
    byte[] bytes = new StateSnapshot(lastSeq, Instant.ofEpochMilli(clock.wallMillis()), states).toBytes();
    Path temp = directory.resolve(FileRolloutStore.STATE_TEMP_FILE);
    try (FileChannel channel = directory.open(temp, CREATE, WRITE, TRUNCATE_EXISTING)) {
      StoreDirectory.writeFully(channel, ByteBuffer.wrap(bytes), 0);
      channel.force(true);
    }
    directory.replace(temp, directory.resolve(FileRolloutStore.STATE_FILE));
    directory.force();
    seq = lastSeq;
    appendsSince = 0;
    error = null;
  }

  /** Records a failed {@link #write}, logging it once per distinct error. */
  void failed(Exception e) {
    String message = "cannot write the state file in " + directory.path() + ": " + e;
    if (!message.equals(error)) {
      LOG.error("{}; the journal still records every decision, retrying on the next append or flush", message);
    }
    error = message;
  }

  /** Counts an append to the journal since the last write. */
  void appended() {
    appendsSince++;
  }

  /** Whether it is time to rewrite the file: {@code snapshotEvery} appends since, or a write failed. */
  boolean due() {
    return appendsSince >= writeEvery || error != null;
  }

  /** Whether the file on disk lacks any decision up to {@code lastSeq}, or its last write failed. */
  boolean behind(long lastSeq) {
    return seq != lastSeq || error != null;
  }

  /** Why the last write failed, or null. */
  String error() {
    return error;
  }
}
