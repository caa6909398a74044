package dev.burnguard.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file operations {@link FileRolloutStore} writes through: a seam for tests to inject the
 * failures of a full disk or a read-only directory (which running as root cannot produce with
 * permissions). Reading at open goes straight to {@link Files}.
 */
public interface StoreFiles {
  /** The real file system. */
  StoreFiles SYSTEM = new StoreFiles() {
    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
      return FileChannel.open(path, options);
    }

    @Override
    public void replace(Path source, Path target) throws IOException {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  };

  FileChannel open(Path path, OpenOption... options) throws IOException;

  /** Renames {@code source} to {@code target} atomically, replacing it. */
  void replace(Path source, Path target) throws IOException;
}
