package dev.burnguard.source;

import dev.burnguard.source.FlagSource.FlagSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A flag file in flagd's format, with hot reload: the file's modification time, size and identity
 * are checked every {@link Builder#pollInterval poll interval} (default 500 ms, so a change is
 * picked up within a second), and the content is re-read and delivered when they change and the
 * content differs. Polling works on every file system, including network mounts and container
 * volumes where file-change notifications are unreliable.
 *
 * <p>A missing, unreadable or oversized file (over {@link Builder#maxBytes}, default 16 MiB:
 * refused by its size, without reading it), a directory, device or pipe in its place, or bytes that
 * are not UTF-8 are reported as failures once per distinct problem; the provider keeps its last
 * good flags and recovers as soon as the file is fixed.
 *
 * <p>Concurrency: all reads happen on one daemon thread owned by this source (the first one on the
 * caller of {@link #start}); {@link #close} stops it. The sink is called from that thread only.
 */
public final class FileFlagSource implements FlagSource {
  /** Default time between checks of the file. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
  /** Default largest file accepted. */
  public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
  /** The largest {@link Builder#maxBytes} accepted, 256 MiB: the file is held whole in memory. */
  public static final long MAX_MAX_BYTES = SourceSettings.MAX_BYTES_CAP;

  private final Path path;
  private final Duration pollInterval;
  private final long maxBytes;
  private final ScheduledExecutorService executor;

  // confined to the polling thread (and the caller of start, before the thread runs)
  private FlagSink sink;
  private FileStamp lastStamp;
  private String lastContent;
  private String lastFailure;

  private record FileStamp(long modifiedNanos, long size, Object fileKey) {}

  private FileFlagSource(Builder b) {
    this.path = b.path;
    this.pollInterval = b.pollInterval;
    this.maxBytes = b.maxBytes;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "burnguard-file-source");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder(Path path) {
    return new Builder(path);
  }

  @Override
  public String describe() {
    return path.toString();
  }

  public Duration pollInterval() {
    return pollInterval;
  }

  @Override
  public synchronized void start(FlagSink sink) {
    if (this.sink != null) {
      throw new IllegalStateException("file source " + path + " was already started");
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    check();
    long millis = pollInterval.toMillis();
    executor.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Reads the file if it changed; never throws, so the schedule is never cancelled. */
  private synchronized void check() {
    try {
      BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
      if (attrs.isDirectory()) {
        fail("is a directory, not a flag file", null);
        return;
      }
      if (!attrs.isRegularFile()) {
        fail("is not a regular file (a device, pipe or socket), not a flag file", null);
        return;
      }
      FileStamp stamp = new FileStamp(attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), attrs.size(), attrs.fileKey());
      if (stamp.equals(lastStamp)) {
        return;
      }
      byte[] bytes;
      try (SeekableByteChannel channel = Files.newByteChannel(path)) {
        long size = channel.size(); // of the file opened, which may have replaced the one above
        if (size > maxBytes) {
          fail("is " + size + " bytes, more than the limit of " + maxBytes + " bytes (FileFlagSource.Builder.maxBytes)",
              null);
          return;
        }
        bytes = readAtMost(channel, (int) size);
      }
      String content = decode(bytes);
      lastStamp = stamp;
      lastFailure = null;
      if (!content.equals(lastContent)) {
        lastContent = content;
        sink.content(content, path.toString());
      }
    } catch (NoSuchFileException e) {
      fail("file not found", e);
    } catch (AccessDeniedException e) {
      fail("permission denied", e);
    } catch (CharacterCodingException e) {
      fail("is not valid UTF-8 text", e);
    } catch (IOException | RuntimeException e) {
      fail("cannot be read: " + e, e);
    }
  }

  /** Reads up to {@code size} bytes: what grows behind the check is left for the next poll, never read into memory. */
  private static byte[] readAtMost(SeekableByteChannel channel, int size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(size);
    while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
      // until the buffer is full or the file ends (it may have been shortened since its size was read)
    }
    return buffer.hasRemaining() ? Arrays.copyOf(buffer.array(), buffer.position()) : buffer.array();
  }

  private static String decode(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
  }

  private void fail(String reason, Throwable cause) {
    lastStamp = null;
    lastContent = null;
    if (!reason.equals(lastFailure)) {
      lastFailure = reason;
      sink.failed(path.toString(), reason, cause);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Builds a {@link FileFlagSource}. */
  public static final class Builder {
    private final Path path;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private long maxBytes = DEFAULT_MAX_BYTES;

    private Builder(Path path) {
      this.path = Objects.requireNonNull(path, "path");
    }

    /** Time between checks of the file; at least 10 ms. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = SourceSettings.pollInterval(interval);
      return this;
    }

    /**
     * The largest file accepted, in bytes (default 16 MiB, at most {@value FileFlagSource#MAX_MAX_BYTES},
     * 256 MiB; a larger setting is refused with its value in the message); a larger file is reported
     * as a failure naming its size and this limit, and is not read.
     */
    public Builder maxBytes(long maxBytes) {
      this.maxBytes = SourceSettings.maxBytes(maxBytes);
      return this;
    }

    public FileFlagSource build() {
      return new FileFlagSource(this);
    }
  }
}
