package dev.burnguard.internal.store;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.burnguard.internal.store.FileRolloutStore.DirectoryInUseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The lock on a {@link FileRolloutStore}'s directory: an OS file lock on its {@code lock} file, held
 * while the store is open so that two processes (or two stores in one JVM) never write the same
 * directory. The file holds the holder's process id ({@code pid 1234}) for tools that find the
 * directory held.
 *
 * <p>Design (concurrency): not thread-safe; the store calls it only under its lock. Exclusion
 * between processes is the OS lock's; the note in the file is best effort and only informative.
 */
final class StoreLock {
  private final StoreDirectory directory;
  private FileChannel channel;
  private FileLock lock;

  StoreLock(StoreDirectory directory) {
    this.directory = directory;
  }

  /**
   * Takes the lock, unless it is held already.
   *
   * @throws DirectoryInUseException when another process or another store in this JVM holds it
   * @throws IOException when the lock file cannot be opened (e.g. a read-only directory)
   */
  void acquire() throws IOException {
    if (lock != null) {
      return;
    }
    FileChannel opened = directory.open(directory.resolve(FileRolloutStore.LOCK_FILE), CREATE, WRITE);
    FileLock l;
    try {
      l = opened.tryLock();
    } catch (OverlappingFileLockException e) {
      StoreDirectory.closeQuietly(opened);
      throw new DirectoryInUseException(directory.path() + " is already open in this JVM");
    } catch (IOException | RuntimeException e) {
      StoreDirectory.closeQuietly(opened);
      throw e;
    }
    if (l == null) {
      StoreDirectory.closeQuietly(opened);
      throw new DirectoryInUseException(directory.path() + " is in use by another process");
    }
    channel = opened;
    lock = l;
    try { // who holds it, for tools that find it held (best effort: the lock itself is what counts)
      opened.truncate(0);
      opened.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
          .getBytes(StandardCharsets.US_ASCII)), 0);
    } catch (IOException | RuntimeException e) {
      // a read-only directory or an injected failure: the lock holds without the note
    }
  }

  /** Releases the lock if it is held; never throws. */
  void release() {
    try {
      if (lock != null) {
        lock.release();
      }
    } catch (IOException e) {
      // closing the channel releases it too
    }
    StoreDirectory.closeQuietly(channel);
    lock = null;
    channel = null;
  }

  /** See {@link FileRolloutStore#lockHolder}. */
  static Optional<String> holder(Path directory) {
    try {
      String note = Files.readString(directory.resolve(FileRolloutStore.LOCK_FILE), StandardCharsets.US_ASCII).trim();
      return note.isEmpty() ? Optional.empty() : Optional.of(note);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
