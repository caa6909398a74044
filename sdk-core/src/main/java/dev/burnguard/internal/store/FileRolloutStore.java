package dev.burnguard.internal.store;


import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.burnguard.internal.store.JournalEntry;
import dev.burnguard.internal.store.StateSnapshot;
import dev.burnguard.time.Clock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
 * <p>Design (concurrency): one lock serializes {@code append}, {@code flush}, {@code close} and
 * everything they touch — the sequence numbers, the queue, the open channel and the files — so the
 * journal's order is the order of appends. Readers never take it: {@link #load()} reads a
 * concurrent map that each append updates, per flag, before it writes, and
 * {@link #health()} reads a volatile immutable value replaced after each write. A reader can
 * therefore see a decision that is still being forced to disk, which is the "in memory is
 * authoritative" rule above.
 */
public final class FileRolloutStore implements RolloutStore {
  /** The state file's name. */
  public static final String STATE_FILE = "state.json";
  public static final String STATE_TEMP_FILE = "state.json.tmp";
  public static final String LOCK_FILE = "lock";
  private static final Pattern SEGMENT = Pattern.compile("journal-\\d{19}\\.jsonl");

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

  private record BadLine(int offset, String reason) {}

  /** Thrown by {@link Builder#open()} when another process or store holds the directory's lock. */
  public static final class DirectoryInUseException extends IOException {
    DirectoryInUseException(String message) {
      super(message);
    }
  }

  private final Path directory;
  private final long maxSegmentBytes;
  private final int archivedSegments;
  private final int snapshotEvery;
  private final int maxPending;
  private final Clock clock;
  private final StoreFiles files;
  private final RecentDecisions memory;
  private volatile StoreHealth health = StoreHealth.ok();
  private volatile Recovery recovery;

  private final Object lock = new Object();
  // everything below is guarded by lock
  private FileChannel lockChannel;
  private FileLock fileLock;
  private Path segment;
  /** Bytes of the current segment that hold whole, forced entries; writes go here. */
  private long segmentLength;
  private FileChannel journal;
  private long lastSeq;
  private long snapshotSeq;
  private int appendsSinceSnapshot;
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  /** Journal lines were dropped from the queue: the state file must be written before the journal resumes. */
  private boolean snapshotFirst;
  private long dropped;
  private String journalError;
  private String snapshotError;
  private boolean directorySyncFailed;
  private boolean closed;
  /** Opened with {@link Builder#readOnly()}: reads what is on disk, never locks, writes or repairs. */
  private final boolean readOnly;

  private FileRolloutStore(Builder b) {
    this.readOnly = b.readOnly;
    this.directory = b.directory;
    this.maxSegmentBytes = b.maxSegmentBytes;
    this.archivedSegments = b.archivedSegments;
    this.snapshotEvery = b.snapshotEvery;
    this.maxPending = b.maxPendingDecisions;
    this.clock = b.clock;
    this.files = b.files;
    this.memory = new RecentDecisions(b.recentDecisionsPerFlag);
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
    return health;
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
      pending.addLast(line);
      if (pending.size() > maxPending) {
        pending.removeFirst();
        dropped++;
        snapshotFirst = true;
      }
      appendsSinceSnapshot++;
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
        snapshotFirst = true;
        return false;
      }
      try {
        writeSnapshot();
      } catch (IOException | RuntimeException e) {
        snapshotFailed(e);
      }
      updateHealth();
      return snapshotError == null;
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
        return pending.isEmpty();
      }
      if (!writePending()) {
        return false;
      }
      if (snapshotSeq != lastSeq || snapshotError != null) {
        try {
          writeSnapshot();
        } catch (IOException | RuntimeException e) {
          snapshotFailed(e);
        }
        updateHealth();
      }
      return snapshotError == null;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      flush();
      if (!pending.isEmpty()) {
        LOG.error("{}: closing with {} decision(s) that could not be written; they are lost", directory,
            pending.size());
      }
      closeQuietly(journal);
      journal = null;
      releaseLock();
      closed = true;
    }
  }

  // ------------------------------------------------------------------ opening

  private void recover() throws IOException {
    if (readOnly) {
      read();
      return;
    }
    try {
      lockDirectory();
    } catch (DirectoryInUseException e) {
      throw e;
    } catch (IOException e) {
      journalFailed(e); // a read-only directory: read it, report unhealthy, retry on append
    }
    try {
      Files.deleteIfExists(directory.resolve(STATE_TEMP_FILE)); // a replacement a crash interrupted
    } catch (IOException e) {
      // a read-only directory; the next replacement truncates it
    }
    read();
    try {
      openJournal(); // cuts off a torn tail now
      if (recovery.snapshotDamaged()) {
        writeSnapshot();
      }
    } catch (IOException | RuntimeException e) {
      journalFailed(e);
    }
    updateHealth();
  }

  /** Reads the state file and the journal into memory; changes nothing on disk. */
  private void read() throws IOException {
    StateSnapshot snapshot = null;
    boolean snapshotDamaged = false;
    Path statePath = directory.resolve(STATE_FILE);
    if (Files.exists(statePath)) {
      try {
        snapshot = StateSnapshot.parse(Files.readAllBytes(statePath));
      } catch (IllegalArgumentException e) {
        snapshotDamaged = true;
        LOG.error("{}: the state file is damaged ({}); restoring every rollout from the journal alone", statePath,
            e.getMessage());
      }
    }
    if (snapshot != null) {
      snapshotSeq = snapshot.seq();
      for (RolloutState s : snapshot.states()) {
        memory.restore(s);
      }
    }
    List<Path> segments = listSegments();
    long firstRead = 0;
    long lastRead = 0;
    long read = 0;
    long replayed = 0;
    int damaged = 0;
    long truncated = 0;
    for (int i = 0; i < segments.size(); i++) {
      Path file = segments.get(i);
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
          JournalEntry e = JournalEntry.parse(bytes, pos, newline);
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
      boolean last = i == segments.size() - 1;
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
        segment = file;
        segmentLength = validEnd;
      }
    }
    if (snapshot == null && firstRead > 1) {
      // Compaction deleted the decisions before the first one left: restoring from the rest would
      // silently restart (and re-expose) the rollouts that only they describe.
      throw new IOException(directory + ": " + (snapshotDamaged ? "the state file is damaged" : "the state file is missing")
          + " and the journal no longer holds every rollout's history (its oldest entry is number " + firstRead
          + "); restore " + STATE_FILE + " from a backup, or delete the journal-*.jsonl files too to start every "
          + "rollout afresh");
    }
    lastSeq = Math.max(snapshotSeq, lastRead);
    recovery = new Recovery(snapshot != null, snapshotDamaged, snapshotSeq, segments.size(), read, replayed, damaged,
        truncated);
    LOG.info("{}: restored {} rollout(s) from the state file (seq {}) and {} journal entries", directory,
        memory.states().size(), snapshotSeq, replayed);
  }

  private List<Path> listSegments() throws IOException {
    try (Stream<Path> s = Files.list(directory)) {
      return s.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .collect(Collectors.toList());
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

  // ------------------------------------------------------------------ writing (all under lock)

  /** Writes the queue; true when it is on disk. Never throws for an I/O failure. */
  private boolean writePending() {
    try {
      openJournal();
      if (snapshotFirst) {
        writeSnapshot();
        snapshotFirst = false;
      }
      if (!pending.isEmpty()) {
        int size = 0;
        for (byte[] line : pending) {
          size += line.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (byte[] line : pending) {
          buffer.put(line);
        }
        buffer.flip();
        writeFully(journal, buffer, segmentLength);
        journal.force(false); // fdatasync also writes the file's new size
        segmentLength += size;
        pending.clear();
      }
      journalError = null;
    } catch (IOException | RuntimeException e) {
      journalFailed(e);
      updateHealth();
      return false;
    }
    compactIfDue();
    updateHealth();
    return true;
  }

  private void lockDirectory() throws IOException {
    if (fileLock != null) {
      return;
    }
    FileChannel channel = files.open(directory.resolve(LOCK_FILE), CREATE, WRITE);
    FileLock l;
    try {
      l = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new DirectoryInUseException(directory + " is already open in this JVM");
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
    if (l == null) {
      closeQuietly(channel);
      throw new DirectoryInUseException(directory + " is in use by another process");
    }
    lockChannel = channel;
    fileLock = l;
    try { // who holds it, for tools that find it held (best effort: the lock itself is what counts)
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
    } catch (IOException | RuntimeException e) {
      // a read-only directory or an injected failure: the lock holds without the note
    }
  }

  /**
   * Who holds {@code directory}'s lock as its lock file says ({@code "pid 1234"}), or empty when
   * the file is missing or empty. The note stays after its holder exits: whether the lock is held
   * is for the OS lock to say (a store that {@link Builder#open() opens} fails while it is).
   */
  public static java.util.Optional<String> lockHolder(Path directory) {
    try {
      String note = Files.readString(directory.resolve(LOCK_FILE), java.nio.charset.StandardCharsets.US_ASCII).trim();
      return note.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(note);
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  private void releaseLock() {
    try {
      if (fileLock != null) {
        fileLock.release();
      }
    } catch (IOException e) {
      // closing the channel releases it too
    }
    closeQuietly(lockChannel);
    fileLock = null;
    lockChannel = null;
  }

  /** Opens the current segment for appending, cutting off anything past the last good entry. */
  private void openJournal() throws IOException {
    lockDirectory();
    if (journal != null) {
      return;
    }
    if (segment == null) {
      segment = segmentPath(lastSeq + 1);
    }
    boolean created = !Files.exists(segment);
    FileChannel channel = files.open(segment, CREATE, WRITE);
    try {
      long size = channel.size();
      if (size > segmentLength) {
        channel.truncate(segmentLength);
        channel.force(true);
      } else if (size < segmentLength) {
        // Shortened behind our back: its lost entries are in memory. Save the states, start afresh.
        LOG.error("{} is {} bytes, shorter than the {} bytes written to it; starting a new journal segment",
            segment, size, segmentLength);
        closeQuietly(channel);
        segment = segmentPath(lastSeq + 1);
        segmentLength = 0;
        snapshotFirst = true;
        created = !Files.exists(segment);
        channel = files.open(segment, CREATE, WRITE, TRUNCATE_EXISTING);
      }
      if (created) {
        forceDirectory();
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
    journal = channel;
  }

  private Path segmentPath(long firstSeq) {
    return directory.resolve(String.format("journal-%019d.jsonl", firstSeq));
  }

  private void compactIfDue() {
    boolean rotate = segmentLength >= maxSegmentBytes;
    if (!rotate && appendsSinceSnapshot < snapshotEvery && snapshotError == null) {
      return;
    }
    try {
      writeSnapshot();
      if (rotate) {
        startSegment();
      }
    } catch (IOException | RuntimeException e) {
      snapshotFailed(e);
    }
  }

  /** Starts a new segment; only after a snapshot that covers every entry written so far. */
  private void startSegment() throws IOException {
    Path next = segmentPath(lastSeq + 1);
    // No entry can be in a file with this name yet: every sequence number so far is below it.
    FileChannel channel = files.open(next, CREATE, WRITE, TRUNCATE_EXISTING);
    forceDirectory();
    closeQuietly(journal);
    journal = channel;
    segment = next;
    segmentLength = 0;
    deleteOldSegments();
  }

  /** Deletes all but the current and the newest archived segments; what fails is retried next time. */
  private void deleteOldSegments() {
    try {
      List<Path> segments = listSegments();
      for (int i = 0; i < segments.size() - (archivedSegments + 1); i++) {
        Files.deleteIfExists(segments.get(i));
      }
    } catch (IOException e) {
      LOG.warn("{}: cannot delete old journal segments ({}); will try again at the next compaction", directory,
          e.toString());
    }
  }

  /** Replaces the state file atomically with every current state, as of {@link #lastSeq}. */
  private void writeSnapshot() throws IOException {
    List<RolloutState> states = memory.states();
    states.sort(Comparator.comparing(RolloutState::flagKey));
    byte[] bytes = new StateSnapshot(lastSeq, Instant.ofEpochMilli(clock.wallMillis()), states).toBytes();
    Path temp = directory.resolve(STATE_TEMP_FILE);
    try (FileChannel channel = files.open(temp, CREATE, WRITE, TRUNCATE_EXISTING)) {
      writeFully(channel, ByteBuffer.wrap(bytes), 0);
      channel.force(true);
    }
    files.replace(temp, directory.resolve(STATE_FILE));
    forceDirectory();
    snapshotSeq = lastSeq;
    appendsSinceSnapshot = 0;
    if (snapshotError != null) {
      snapshotError = null;
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  /** Makes a rename or a new file durable; not every platform can open a directory to force it. */
  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      if (!directorySyncFailed) {
        directorySyncFailed = true;
        LOG.debug("{}: cannot force the directory ({}); renames rely on the file system's ordering", directory,
            e.toString());
      }
    }
  }

  private void journalFailed(Exception e) {
    closeQuietly(journal);
    journal = null; // reopened, and cut back to segmentLength, by the next attempt
    String error = "cannot write the decision journal in " + directory + ": " + e;
    if (!error.equals(journalError)) {
      LOG.error("{}; {} decision(s) kept in memory, retrying on the next append or flush", error, pending.size());
    }
    journalError = error;
  }

  private void snapshotFailed(Exception e) {
    String error = "cannot write the state file in " + directory + ": " + e;
    if (!error.equals(snapshotError)) {
      LOG.error("{}; the journal still records every decision, retrying on the next append or flush", error);
    }
    snapshotError = error;
  }

  private void updateHealth() {
    String error = journalError != null ? journalError : snapshotError;
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

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to do with it
      }
    }
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
          closeQuietly(store.journal);
          store.releaseLock();
          throw e;
        }
      }
      return store;
    }
  }
}
