package dev.burnguard.rollout;

import dev.burnguard.internal.store.StoreFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The real file system, with failures switched on and off by the test: a full disk or a read-only
 * file system (every open, write, force and truncate fails, optionally after writing half of what
 * was asked), a failing {@code force} alone, or a failing rename. Running as root, as CI does, permissions cannot make
 * writes fail; this can. Thread-safe: the switches are volatile.
 */
final class FaultyFiles implements StoreFiles {
  volatile String diskFull;        // the failure message while the disk is full or read-only, null otherwise
  volatile boolean writeHalfFirst; // while full, a write first writes half of its bytes, then fails
  volatile boolean failForce;      // force fails (and only force)
  volatile boolean failRename;     // renaming the state file into place fails
  final AtomicInteger failures = new AtomicInteger();

  void fillDisk() {
    diskFull = "No space left on device";
  }

  /** The state directory's file system is mounted read-only (or the directory's permissions removed). */
  void makeReadOnly() {
    diskFull = "Read-only file system";
  }

  /** Space is freed, or the file system writable again. */
  void freeDisk() {
    diskFull = null;
  }

  private IOException failure(String what) {
    failures.incrementAndGet();
    return new IOException(what + ": " + diskFull);
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    if (diskFull != null) {
      throw failure("open " + path.getFileName());
    }
    return new Channel(FileChannel.open(path, options));
  }

  @Override
  public void replace(Path source, Path target) throws IOException {
    if (diskFull != null || failRename) {
      failures.incrementAndGet();
      throw new IOException("rename " + source.getFileName() + ": Input/output error");
    }
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Copies every file of {@code dir} into {@code image}: what a crash right now would leave on disk. */
  static Path crashImage(Path dir, Path image) {
    try {
      Files.createDirectories(image);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.copy(f, image.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final class Channel extends FileChannel {
    private final FileChannel delegate;

    Channel(FileChannel delegate) {
      this.delegate = delegate;
    }

    private int writeOrFail(ByteBuffer src, long position) throws IOException {
      if (diskFull != null) {
        if (writeHalfFirst && src.remaining() > 1) {
          ByteBuffer half = src.duplicate();
          half.limit(half.position() + src.remaining() / 2);
          delegate.write(half, position);
        }
        throw failure("write");
      }
      return delegate.write(src, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return writeOrFail(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      int n = writeOrFail(src, delegate.position());
      delegate.position(delegate.position() + n);
      return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        n += write(srcs[i]);
      }
      return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (diskFull != null) {
        throw failure("fsync");
      }
      if (failForce) {
        failures.incrementAndGet();
        throw new IOException("fsync: Input/output error");
      }
      delegate.force(metaData);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (diskFull != null) {
        throw failure("truncate");
      }
      delegate.truncate(size);
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      throw new UnsupportedOperationException("not used by the store");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("not used by the store");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }
}
