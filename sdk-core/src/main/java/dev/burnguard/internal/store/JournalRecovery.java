package dev.burnguard.internal.store;

import dev.burnguard.internal.store.FileRolloutStore.Recovery;
import dev.burnguard.rollout.RolloutState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link FileRolloutStore}'s directory at opening into its {@link RecentDecisions}: the
 * state file, then every journal segment still on disk. An entry whose sequence number is above the
 * state file's is replayed onto the state; every entry feeds the per-flag recent decisions. A line
 * whose checksum does not match is skipped with an error in the log; bytes after the last good line
 * of the last segment (a torn write) are reported, and left for the store to cut off. A damaged state
 * file is reported and the rollouts are restored from the journal alone, unless a compaction has
 * deleted its first entries. Changes nothing on disk.
 *
 * <p>Design (concurrency): one instance per opening, used once by the opening thread while it holds
 * the store's lock; not thread-safe.
 */
final class JournalRecovery {
  // the store's log category, so that log settings keep working as they did before the split
  private static final Logger LOG = LoggerFactory.getLogger(FileRolloutStore.class);

  /**
   * What opening found.
   *
   * @param recovery the counts, for tests and the log
   * @param lastSeq the highest sequence number in the state file or the journal (0: none)
   * @param lastSegment the newest journal segment, which appends continue; null when there is none
   * @param lastSegmentLength the bytes of {@code lastSegment} that hold good entries
   */
  record Result(Recovery recovery, long lastSeq, Path lastSegment, long lastSegmentLength) {}

  private record BadLine(int offset, String reason) {}

  private final Path directory;
  private final RecentDecisions memory;
  private long snapshotSeq;
  private boolean snapshotDamaged;
  private long firstRead;
  private long lastRead;
  private long read;
  private long replayed;
  private int damaged;
  private long truncated;
  private Path lastSegment;
  private long lastSegmentLength;

  private JournalRecovery(Path directory, RecentDecisions memory) {
    this.directory = directory;
    this.memory = memory;
  }

  /**
   * Reads the state file and the journal in {@code directory} into {@code memory}.
   *
   * @throws IOException when a file cannot be read, or the state file is missing or damaged and
   *     the journal no longer starts at its first entry
   */
  static Result read(Path directory, RecentDecisions memory) throws IOException {
    return new JournalRecovery(directory, memory).read();
  }

  private Result read() throws IOException {
    StateSnapshot snapshot = readStateFile();
    if (snapshot != null) {
      snapshotSeq = snapshot.seq();
      for (RolloutState s : snapshot.states()) {
        memory.restore(s);
      }
    }
    List<Path> segments = JournalSegments.list(directory);
    for (int i = 0; i < segments.size(); i++) {
      readSegment(segments.get(i), i == segments.size() - 1);
    }
    if (snapshot == null && firstRead > 1) {
      // Compaction deleted the decisions before the first one left: restoring from the rest would
      // silently restart (and re-expose) the rollouts that only they describe.
      throw new IOException(directory + ": " + (snapshotDamaged ? "the state file is damaged" : "the state file is missing")
          + " and the journal no longer holds every rollout's history (its oldest entry is number " + firstRead
          + "); restore " + FileRolloutStore.STATE_FILE + " from a backup, or delete the journal-*.jsonl files too "
          + "to start every rollout afresh");
    }
    Recovery recovery = new Recovery(snapshot != null, snapshotDamaged, snapshotSeq, segments.size(), read, replayed,
        damaged, truncated);
    LOG.info("{}: restored {} rollout(s) from the state file (seq {}) and {} journal entries", directory,
        memory.states().size(), snapshotSeq, replayed);
    return new Result(recovery, Math.max(snapshotSeq, lastRead), lastSegment, lastSegmentLength);
  }

  /** The state file, or null when it is missing or damaged (then {@link #snapshotDamaged}). */
  private StateSnapshot readStateFile() throws IOException {
    Path statePath = directory.resolve(FileRolloutStore.STATE_FILE);
    if (!Files.exists(statePath)) {
      return null;
    }
    try {
      return StateSnapshot.parse(Files.readAllBytes(statePath));
    } catch (IllegalArgumentException e) {
      snapshotDamaged = true;
      LOG.error("{}: the state file is damaged ({}); restoring every rollout from the journal alone", statePath,
          e.getMessage());
      return null;
    }
  }

  private void readSegment(Path file, boolean last) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    List<BadLine> badLines = new ArrayList<>();
    int validEnd = 0;
    int pos = 0;
    while (pos < bytes.length) {
      int newline = indexOf(bytes, (byte) '\n', pos);
      if (newline < 0) {
        break; // an unterminated line: torn
      }
      try {
        readEntry(JournalEntry.parse(bytes, pos, newline));
        validEnd = newline + 1;
      } catch (IllegalArgumentException e) {
        badLines.add(new BadLine(pos, e.getMessage()));
      }
      pos = newline + 1;
    }
    for (BadLine bad : badLines) {
      if (bad.offset() < validEnd) { // good entries follow: damage, not a torn write
        damaged++;
        LOG.error("{}: skipping a damaged journal line at offset {}: {}", file, bad.offset(), bad.reason());
      }
    }
    if (validEnd < bytes.length) {
      if (last) {
        truncated = bytes.length - validEnd;
        LOG.warn("{}: cutting off a torn journal tail at offset {} ({} bytes); it was never acknowledged", file,
            validEnd, truncated);
      } else {
        LOG.warn("{}: ignoring {} unreadable bytes at the end of an older journal segment, from offset {}", file,
            bytes.length - validEnd, validEnd);
      }
    }
    if (last) {
      lastSegment = file;
      lastSegmentLength = validEnd;
    }
  }

  /** Replays an entry newer than the state file, remembers an older one for the decision log. */
  private void readEntry(JournalEntry e) {
    if (e.seq() <= lastRead) {
      throw new IllegalArgumentException("sequence number " + e.seq() + " does not follow " + lastRead);
    }
    if (firstRead == 0) {
      firstRead = e.seq();
    }
    lastRead = e.seq();
    read++;
    if (e.seq() > snapshotSeq) {
      memory.record(e.decision());
      replayed++;
    } else {
      memory.remember(e.decision());
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
