package dev.burnguard.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FileRolloutStore}'s directory and the file operations its parts share: opening files
 * through the {@link StoreFiles} seam, forcing the directory after a rename or a new file, writing a
 * buffer whole.
 *
 * <p>Design (concurrency): not thread-safe; the store calls it only under its lock (the one-time
 * "cannot force the directory" flag is the only state).
 */
final class StoreDirectory {
  // the store's log category, so that log settings keep working as they did before the split
  private static final Logger LOG = LoggerFactory.getLogger(FileRolloutStore.class);

  private final Path path;
  private final StoreFiles files;
  private boolean syncFailed;

  StoreDirectory(Path path, StoreFiles files) {
    this.path = path;
    this.files = files;
  }

  Path path() {
    return path;
  }

  Path resolve(String name) {
    return path.resolve(name);
  }

  FileChannel open(Path file, OpenOption... options) throws IOException {
    return files.open(file, options);
  }

  /** Renames {@code source} to {@code target} atomically, replacing it. */
  void replace(Path source, Path target) throws IOException {
    files.replace(source, target);
  }

  /** Makes a rename or a new file durable; not every platform can open a directory to force it. */
  void force() {
    try (FileChannel dir = FileChannel.open(path, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      if (!syncFailed) {
        syncFailed = true;
        LOG.debug("{}: cannot force the directory ({}); renames rely on the file system's ordering", path,
            e.toString());
      }
    }
  }

  static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to do with it
      }
    }
  }
}
