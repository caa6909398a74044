package dev.burnguard.internal.store;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import dev.burnguard.time.Clock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link RolloutStore}: a directory with an append-only decision journal and a
 * state file, written so that a crash at any point loses no acknowledged decision and never leaves
 * a torn state file.
 *
 * <p><b>Files.</b>
 * <ul>
 *   <li>{@code journal-<seq>.jsonl}: the journal, in segments named by the 19-digit sequence number
 *       their first entry has (or would have). One decision per line, as
 *       {@code {"seq":17,"decision":{…},"crc32c":"…"}}: a store-wide sequence number (1, 2, 3… in
 *       append order), the decision with every field including its evidence and the states before
 *       and after it, and a CRC-32C of the bytes before {@code ,"crc32c"}. Lines are ASCII (other
 *       characters are {@code \}{@code u} escapes) and end with {@code '\n'}.</li>
 *   <li>{@code state.json}: the current state of every rollout as of one sequence number,
 *       {@code {"format":1,"seq":N,"savedAt":"…","states":[…],"crc32c":"…"}}. Replaced atomically:
 *       written to {@code state.json.tmp} in the same directory, forced, renamed over
 *       {@code state.json} with {@code ATOMIC_MOVE}, then the directory is forced.</li>
 *   <li>{@code lock}: held with an OS file lock while the store is open, so that two processes
 *       never write the same directory; it holds the holder's process id ({@code pid 1234}), which
 *       {@link #lockHolder} reads for tools that must name who holds the directory.</li>
 * </ul>
 * Instants and durations are ISO-8601 strings, enums their names, doubles {@link Double#toString}
 * (exact), NaN and infinities the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
 *
 * <p><b>Appending.</b> {@link #append} writes the decision's line at the end of the current segment
 * and forces it to the device ({@link FileChannel#force}, fdatasync on Linux) before it returns
 * true. Every {@link Builder#snapshotEvery} appends the state file is rewritten.
 *
 * <p><b>Opening.</b> {@link #open} reads the state file, then every journal segment still on disk:
 * an entry whose sequence number is above the state file's is replayed onto the state (so a crash
 * between a journal append and the state file's replacement loses nothing), and every entry feeds
 * the per-flag recent decisions that {@link #load()} returns. A line whose checksum does not match
 * is skipped with an error in the log; bytes after the last good line of the last segment — a write
 * torn by a crash, which was never acknowledged — are cut off with a warning naming the file and
 * offset. A state file that does not parse (which atomic replacement rules out short of disk
 * damage) is reported as an error and the rollouts are restored from the journal alone, then the
 * state file is rewritten — provided the journal still starts at its first entry; after a
 * compaction it does not, and opening fails rather than silently restart the rollouts that only the
 * deleted segments described.
 *
 * <p><b>Compaction.</b> When the current segment reaches {@link Builder#maxSegmentBytes}, the state
 * file is rewritten and a new segment is started; the newest {@link Builder#archivedSegments} full
 * segments are kept for the decision log and older ones are deleted (their decisions are all in the
 * state file). So opening reads at most {@code archivedSegments + 1} segments, and the decision log
 * shows each flag's decisions from those segments, up to {@link Builder#recentDecisionsPerFlag}.
 *
 * <p><b>When the disk fails</b> (full, read-only, gone): {@code append} does not throw. It returns
 * false, keeps the decision queued in memory and {@link #health()} reports the error; every later
 * {@code append} or {@link #flush()} retries, first cutting off whatever a failed write left, and
 * once a write succeeds the queue is on disk and the store is healthy again. Meanwhile the
 * in-memory state is authoritative: {@link #load()} returns it and the guardian acts on it, but a
 * crash before recovery loses the queued decisions. The queue holds at most
 * {@link Builder#maxPendingDecisions}; beyond that the oldest journal lines are dropped (counted in
 * {@link StoreHealth#droppedDecisions()}) and, on recovery, the state file is written before the
 * journal resumes, so states stay exact and only log lines are lost. A directory that is read-only
 * when the store opens is read normally and reported unhealthy until it becomes writable.
 *
 * <p><b>Limits.</b> Durability is what {@code fsync} gives on the file system: a crash of the
 * process is always covered; power loss is covered where the device honours flushes (not on macOS,
 * where Java's force does not issue {@code F_FULLFSYNC}). Forcing the directory after a rename is
 * skipped on platforms that cannot open a directory (Windows). Decisions that only ever lived in
 * segments that were deleted are not in the decision log. One fsync per append: the guardian should
 * append decisions that change something, not every tick's HOLD.
 *
 * <p><b>Parts.</b> This class is the SPI implementation and decides the order of writes; the files
 * are handled by package-private parts: {@link StoreLock} (the directory's lock),
 * {@link JournalRecovery} (reading everything at opening), {@link WriteQueue} (the lines not yet on
 * disk, and the health), {@link JournalSegments} (the journal's segment files, appending, rotation
 * and deleting old segments), {@link StateFile} (the atomic state file and how current it is), and
 * {@link StoreDirectory} (the file operations they share).
 *
 * <p>Design (concurrency): one lock serializes {@code append}, {@code flush}, {@code close} and
 * everything they touch — the sequence numbers, the queue, the open channel and the files, which is
 * to say every part above, none of which is thread-safe on its own — so the journal's order is the
 * order of appends. Readers never take it: {@link #load()} reads a concurrent map that each append
 * updates, per flag, before it writes, and {@link #health()} reads a volatile immutable value
 * ({@link WriteQueue#health()}) replaced after each write. A reader can therefore see a decision
 * that is still being forced to disk, which is the "in memory is authoritative" rule above.
 */
public final class FileRolloutStore implements RolloutStore {
  /** The state file's name. */
  public static final String STATE_FILE = "state.json";
  public static final String STATE_TEMP_FILE = "state.json.tmp";
  public static final String LOCK_FILE = "lock";

  /** Default {@link Builder#recentDecisionsPerFlag}. */
  public static final int DEFAULT_RECENT_DECISIONS = 100;
  /** Default {@link Builder#maxSegmentBytes}: 8 MiB. */
  public static final long DEFAULT_MAX_SEGMENT_BYTES = 8L * 1024 * 1024;
  /** Default {@link Builder#archivedSegments}. */
  public static final int DEFAULT_ARCHIVED_SEGMENTS = 1;
  /** Default {@link Builder#snapshotEvery}. */
  public static final int DEFAULT_SNAPSHOT_EVERY = 1000;
  /** Default {@link Builder#maxPendingDecisions}. */
  public static final int DEFAULT_MAX_PENDING_DECISIONS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(FileRolloutStore.class);

  /** What opening found, for tests and the log. */
  public record Recovery(boolean snapshotRead, boolean snapshotDamaged, long snapshotSeq, int segmentsRead,
      long entriesRead, long entriesReplayed, int damagedLines, long truncatedBytes) {}

  /** Thrown by {@link Builder#open()} when another process or store holds the directory's lock. */
  public static final class DirectoryInUseException extends IOException {
    DirectoryInUseException(String message) {
      super(message);
    }
  }

  private final Path directory;
  private final RecentDecisions memory;
  private volatile Recovery recovery;

  private final Object lock = new Object();
  // everything below is guarded by lock, and so is the state inside the parts (not thread-safe on
  // their own); only the queue's health is read without it
  private final StoreLock directoryLock;
  private final JournalSegments journal;
  private final StateFile stateFile;
  private final WriteQueue queue;
  private long lastSeq;
  /** Journal lines were lost or dropped from the queue: the state file must be written before the journal resumes. */
  private boolean stateFileFirst;
  private boolean closed;
  /** Opened with {@link Builder#readOnly()}: reads what is on disk, never locks, writes or repairs. */
  private final boolean readOnly;

  private FileRolloutStore(Builder b) {
    this.readOnly = b.readOnly;
    this.directory = b.directory;
    this.memory = new RecentDecisions(b.recentDecisionsPerFlag);
    StoreDirectory dir = new StoreDirectory(b.directory, b.files);
    this.directoryLock = new StoreLock(dir);
    this.journal = new JournalSegments(dir, b.maxSegmentBytes, b.archivedSegments);
    this.stateFile = new StateFile(dir, b.clock, b.snapshotEvery);
    this.queue = new WriteQueue(b.directory, b.maxPendingDecisions, b.clock);
  }

  /**
   * Opens (creating if needed) the store in {@code directory} with the defaults.
   *
   * @throws IOException when the directory cannot be created or its files cannot be read — never
   *     start from nothing when the state exists but is unreadable, that would re-expose users to
   *     rolled-back candidates — or when another process has it open
   */
  public static FileRolloutStore open(Path directory) throws IOException {
    return builder(directory).open();
  }

  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The store's directory. */
  public Path directory() {
    return directory;
  }

  public Recovery recovery() {
    return recovery;
  }

  @Override
  public StoredRollouts load() {
    return memory.contents();
  }

  @Override
  public StoreHealth health() {
    return queue.health();
  }

  @Override
  public boolean append(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    RecentDecisions.check(decision);
    requireWritable();
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the rollout store in " + directory + " is closed");
      }
      long seq = lastSeq + 1;
      byte[] line = new JournalEntry(seq, decision).toLine();
      lastSeq = seq;
      memory.record(decision);
      if (queue.add(line)) {
        stateFileFirst = true;
      }
      stateFile.appended();
      return writePending();
    }
  }

  @Override
  public Appended compareAndAppend(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    synchronized (lock) {
      RolloutState stored = memory.state(decision.flagKey());
      if (!Appended.expected(stored, decision)) {
        RecentDecisions.check(decision);
        return Appended.conflict(stored);
      }
      return append(decision) ? Appended.DURABLE : Appended.QUEUED;
    }
  }

  /**
   * Drops the flag's state from memory and rewrites the state file without it, so that no journal
   * entry is replayed onto it again (they all precede the new state file); the flag's decisions stay
   * in the journal segments for the decision log until compaction deletes them.
   */
  @Override
  public boolean forget(String flagKey) {
    Objects.requireNonNull(flagKey, "flagKey");
    requireWritable();
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the rollout store in " + directory + " is closed");
      }
      memory.forget(flagKey);
      if (!writePending()) {
        stateFileFirst = true;
        return false;
      }
      try {
        writeStateFile();
      } catch (IOException | RuntimeException e) {
        stateFile.failed(e);
      }
      queue.updateHealth(stateFile.error());
      return stateFile.error() == null;
    }
  }

  private void requireWritable() {
    if (readOnly) {
      throw new IllegalStateException("the rollout store in " + directory + " was opened read-only");
    }
  }

  @Override
  public boolean flush() {
    synchronized (lock) {
      if (closed || readOnly) {
        return queue.isEmpty();
      }
      if (!writePending()) {
        return false;
      }
      if (stateFile.behind(lastSeq)) {
        try {
          writeStateFile();
        } catch (IOException | RuntimeException e) {
          stateFile.failed(e);
        }
        queue.updateHealth(stateFile.error());
      }
      return stateFile.error() == null;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      flush();
      if (!queue.isEmpty()) {
        LOG.error("{}: closing with {} decision(s) that could not be written; they are lost", directory,
            queue.size());
      }
      journal.close();
      directoryLock.release();
      closed = true;
    }
  }

  /**
   * Who holds {@code directory}'s lock as its lock file says ({@code "pid 1234"}), or empty when
   * the file is missing or empty. The note stays after its holder exits: whether the lock is held
   * is for the OS lock to say (a store that {@link Builder#open() opens} fails while it is).
   */
  public static java.util.Optional<String> lockHolder(Path directory) {
    return StoreLock.holder(directory);
  }

  // ------------------------------------------------------------------ opening (under lock)

  private void recover() throws IOException {
    if (readOnly) {
      read();
      return;
    }
    try {
      directoryLock.acquire();
    } catch (DirectoryInUseException e) {
      throw e;
    } catch (IOException e) {
      journalFailed(e); // a read-only directory: read it, report unhealthy, retry on append
    }
    stateFile.deleteInterruptedReplacement();
    read();
    try {
      openJournal(); // cuts off a torn tail now
      if (recovery.snapshotDamaged()) {
        writeStateFile();
      }
    } catch (IOException | RuntimeException e) {
      journalFailed(e);
    }
    queue.updateHealth(stateFile.error());
  }

  /** Reads the state file and the journal into memory; changes nothing on disk. */
  private void read() throws IOException {
    JournalRecovery.Result found = JournalRecovery.read(directory, memory);
    stateFile.restored(found.recovery().snapshotSeq());
    journal.resume(found.lastSegment(), found.lastSegmentLength());
    lastSeq = found.lastSeq();
    recovery = found.recovery();
  }

  // ------------------------------------------------------------------ writing (all under lock)

  /** Writes the queue; true when it is on disk. Never throws for an I/O failure. */
  private boolean writePending() {
    try {
      openJournal();
      if (stateFileFirst) {
        writeStateFile();
        stateFileFirst = false;
      }
      if (!queue.isEmpty()) {
        journal.append(queue.lines());
      }
      queue.written();
    } catch (IOException | RuntimeException e) {
      journalFailed(e);
      queue.updateHealth(stateFile.error());
      return false;
    }
    compactIfDue();
    queue.updateHealth(stateFile.error());
    return true;
  }

  /** Takes the directory's lock if it is not held, and opens the current segment, cutting off a torn tail. */
  private void openJournal() throws IOException {
    directoryLock.acquire();
    try {
      journal.open(lastSeq + 1);
    } finally {
      if (journal.takeShortened()) {
        stateFileFirst = true;
      }
    }
  }

  /**
   * Rewrites the state file every {@link Builder#snapshotEvery} appends or after it failed; when the
   * current segment is full, also rotates the journal (the new state file covers every entry so far).
   */
  private void compactIfDue() {
    boolean rotate = journal.full();
    if (!rotate && !stateFile.due()) {
      return;
    }
    try {
      writeStateFile();
      if (rotate) {
        journal.rotate(lastSeq + 1);
      }
    } catch (IOException | RuntimeException e) {
      stateFile.failed(e);
    }
  }

  /** Replaces the state file atomically with every current state, as of {@link #lastSeq}. */
  private void writeStateFile() throws IOException {
    stateFile.write(lastSeq, memory.states());
  }

  private void journalFailed(Exception e) {
    journal.close(); // reopened, and cut back to the last whole entry, by the next attempt
    queue.failed(e);
  }

  /** Builds and opens a {@link FileRolloutStore}. */
  public static final class Builder {
    private final Path directory;
    private int recentDecisionsPerFlag = DEFAULT_RECENT_DECISIONS;
    private long maxSegmentBytes = DEFAULT_MAX_SEGMENT_BYTES;
    private int archivedSegments = DEFAULT_ARCHIVED_SEGMENTS;
    private int snapshotEvery = DEFAULT_SNAPSHOT_EVERY;
    private int maxPendingDecisions = DEFAULT_MAX_PENDING_DECISIONS;
    private Clock clock = Clock.system();
    private StoreFiles files = StoreFiles.SYSTEM;
    private boolean readOnly;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
    }

    /** How many decisions per flag {@link RolloutStore#load()} returns (≥ 0); default 100. */
    public Builder recentDecisionsPerFlag(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("recentDecisionsPerFlag must not be negative, got " + n);
      }
      this.recentDecisionsPerFlag = n;
      return this;
    }

    /** The journal segment size that triggers compaction (≥ 1 KiB); default 8 MiB. */
    public Builder maxSegmentBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxSegmentBytes must be at least 1024, got " + bytes);
      }
      this.maxSegmentBytes = bytes;
      return this;
    }

    /** How many full journal segments compaction keeps for the decision log (≥ 0); default 1. */
    public Builder archivedSegments(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("archivedSegments must not be negative, got " + n);
      }
      this.archivedSegments = n;
      return this;
    }

    /** The state file is rewritten after this many appends (≥ 1), and at compaction; default 1000. */
    public Builder snapshotEvery(int appends) {
      if (appends < 1) {
        throw new IllegalArgumentException("snapshotEvery must be at least 1, got " + appends);
      }
      this.snapshotEvery = appends;
      return this;
    }

    /** How many unwritten decisions the journal queue holds while the disk fails (≥ 1); default 10 000. */
    public Builder maxPendingDecisions(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxPendingDecisions must be at least 1, got " + n);
      }
      this.maxPendingDecisions = n;
      return this;
    }

    /** The clock for the state file's {@code savedAt} and {@link StoreHealth#unhealthySince()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder files(StoreFiles files) {
      this.files = Objects.requireNonNull(files, "files");
      return this;
    }

    /**
     * Opens the store for reading only, for tools that look at a directory a running service may
     * hold: no lock is taken, nothing on disk is created, repaired or written (a torn journal tail
     * — possibly a line being written right now — is left out, not cut off), and {@code append} and
     * {@code forget} throw {@link IllegalStateException}. What it loads is the directory as of
     * opening; the directory must exist.
     */
    public Builder readOnly() {
      this.readOnly = true;
      return this;
    }

    /**
     * Opens the store: creates the directory if needed, takes its lock, reads the state file and
     * journal and cuts off a torn journal tail.
     *
     * @throws IOException when the directory cannot be created or read, or another process (or
     *     another store in this JVM) has it open; a directory that is merely read-only opens, and
     *     the store reports itself unhealthy
     */
    public FileRolloutStore open() throws IOException {
      if (readOnly) {
        if (!Files.isDirectory(directory)) {
          throw new java.nio.file.NoSuchFileException(directory.toString(), null, "no such state directory");
        }
      } else {
        Files.createDirectories(directory);
      }
      FileRolloutStore store = new FileRolloutStore(this);
      synchronized (store.lock) {
        try {
          store.recover();
        } catch (IOException | RuntimeException e) {
          store.journal.close();
          store.directoryLock.release();
          throw e;
        }
      }
      return store;
    }
  }
}
