package dev.burnguard.internal.store;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FileRolloutStore}'s decision journal on disk: the segment files
 * {@code journal-<seq>.jsonl}, named by the 19-digit sequence number their first entry has (or would
 * have), and the current one, which appends go to. Owns rotation: when the current segment is
 * {@linkplain #full() full} the store writes the state file and {@linkplain #rotate rotates}, which
 * starts a new segment and deletes all but the newest {@code archivedSegments} full ones.
 *
 * <p>Design (concurrency): not thread-safe; the store calls it only under its lock, which also
 * orders the appends. Only whole, forced entries count in {@link #length}: what a failed write
 * left past it is cut off when the segment is opened again.
 */
final class JournalSegments {
  // the store's log category, so that log settings keep working as they did before the split
  private static final Logger LOG = LoggerFactory.getLogger(FileRolloutStore.class);
  private static final Pattern SEGMENT = Pattern.compile("journal-\\d{19}\\.jsonl");

  private final StoreDirectory directory;
  private final long maxSegmentBytes;
  private final int archivedSegments;
  private Path segment;
  /** Bytes of the current segment that hold whole, forced entries; writes go here. */
  private long length;
  /** The current segment, open for writing; null until opened and after a failure. */
  private FileChannel channel;
  private boolean shortened;

  JournalSegments(StoreDirectory directory, long maxSegmentBytes, int archivedSegments) {
    this.directory = directory;
    this.maxSegmentBytes = maxSegmentBytes;
    this.archivedSegments = archivedSegments;
  }

  /** The segments in {@code directory}, oldest first. */
  static List<Path> list(Path directory) throws IOException {
    try (Stream<Path> s = Files.list(directory)) {
      return s.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .collect(Collectors.toList());
    }
  }

  /**
   * Continues the segment found at opening, whose first {@code length} bytes are good entries;
   * null when there was none (the first append starts one).
   */
  void resume(Path segment, long length) {
    this.segment = segment;
    this.length = length;
  }

  /**
   * Opens the current segment for appending, unless it is open, cutting off anything past the last
   * good entry; starts the segment for {@code nextSeq} when there is none. A segment shorter than
   * what was written to it is left for a new one, see {@link #takeShortened()}.
   */
  void open(long nextSeq) throws IOException {
    if (channel != null) {
      return;
    }
    if (segment == null) {
      segment = path(nextSeq);
    }
    boolean created = !Files.exists(segment);
    FileChannel opened = directory.open(segment, CREATE, WRITE);
    try {
      long size = opened.size();
      if (size > length) {
        opened.truncate(length);
        opened.force(true);
      } else if (size < length) {
        // Shortened behind our back: its lost entries are in memory. Save the states, start afresh.
        LOG.error("{} is {} bytes, shorter than the {} bytes written to it; starting a new journal segment",
            segment, size, length);
        StoreDirectory.closeQuietly(opened);
        segment = path(nextSeq);
        length = 0;
        shortened = true;
        created = !Files.exists(segment);
        opened = directory.open(segment, CREATE, WRITE, TRUNCATE_EXISTING);
      }
      if (created) {
        directory.force();
      }
    } catch (IOException | RuntimeException e) {
      StoreDirectory.closeQuietly(opened);
      throw e;
    }
    channel = opened;
  }

  /**
   * Whether {@link #open} found, since the last call, the segment shorter than what was written to
   * it (shortened behind the store's back) and started a new one; also when opening then failed.
   * The entries lost with the old segment are only in memory, so the state file must be written
   * before the journal resumes.
   */
  boolean takeShortened() {
    boolean was = shortened;
    shortened = false;
    return was;
  }

  /**
   * Writes {@code lines} (whole entries) at the end of the current segment, which must be
   * {@linkplain #open open}, and forces them to the device before returning.
   */
  void append(ByteBuffer lines) throws IOException {
    int size = lines.remaining();
    StoreDirectory.writeFully(channel, lines, length);
    channel.force(false); // fdatasync also writes the file's new size
    length += size;
  }

  /** Whether the current segment has reached {@code maxSegmentBytes}: time to rotate. */
  boolean full() {
    return length >= maxSegmentBytes;
  }

  /**
   * Starts a new segment for {@code nextSeq} and deletes the old ones beyond
   * {@code archivedSegments}; only after a state file that covers every entry written so far.
   */
  void rotate(long nextSeq) throws IOException {
    Path next = path(nextSeq);
    // No entry can be in a file with this name yet: every sequence number so far is below it.
    FileChannel opened = directory.open(next, CREATE, WRITE, TRUNCATE_EXISTING);
    directory.force();
    StoreDirectory.closeQuietly(channel);
    channel = opened;
    segment = next;
    length = 0;
    deleteOld();
  }

  /** Closes the current segment; the next {@link #open} reopens it and cuts it back to {@link #length}. */
  void close() {
    StoreDirectory.closeQuietly(channel);
    channel = null;
  }

  private Path path(long firstSeq) {
    return directory.resolve(String.format("journal-%019d.jsonl", firstSeq));
  }

  /** Deletes all but the current and the newest archived segments; what fails is retried next time. */
  private void deleteOld() {
    try {
      List<Path> segments = list(directory.path());
      for (int i = 0; i < segments.size() - (archivedSegments + 1); i++) {
        Files.deleteIfExists(segments.get(i));
      }
    } catch (IOException e) {
      LOG.warn("{}: cannot delete old journal segments ({}); will try again at the next compaction",
          directory.path(), e.toString());
    }
  }
}
