package dev.burnguard.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.burnguard.flag.FlagSet;
import dev.burnguard.source.FlagSource.FlagSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFlagSourceTest {
  /** Reloads run on background threads; a busy CI machine may take longer than Awaitility's default 10 s. */
  @org.junit.jupiter.api.BeforeAll
  static void allowForABusyMachine() {
    org.awaitility.Awaitility.setDefaultTimeout(java.time.Duration.ofSeconds(30));
  }

  @TempDir Path dir;

  private final RecordingSink sink = new RecordingSink();
  private FileFlagSource source;

  /** What a source delivered, in order: "content:<json>" or "failed:<reason>". */
  static final class RecordingSink implements FlagSink {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void content(String json, String origin) {
      events.add("content:" + json);
    }

    @Override
    public void flags(FlagSet flags) {
      events.add("flags:" + flags.origin());
    }

    @Override
    public void failed(String origin, String reason, Throwable cause) {
      events.add("failed:" + reason);
    }
  }

  private Path start(String initial) throws IOException {
    Path file = dir.resolve("flags.json");
    if (initial != null) {
      Files.writeString(file, initial);
    }
    source = FileFlagSource.builder(file).pollInterval(Duration.ofMillis(20)).maxBytes(1024).build();
    source.start(sink);
    return file;
  }

  /** Replaces the file atomically, as editors and config management do. */
  private void replace(Path file, byte[] content) throws IOException {
    Path tmp = dir.resolve("flags.json.tmp");
    Files.write(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  @Test
  void deliversTheFileOnStartBeforeReturning() throws IOException {
    start("v1");
    assertThat(sink.events).containsExactly("content:v1");
  }

  @Test
  void deliversEachChangeOnce() throws IOException {
    Path file = start("v1");
    replace(file, "v22".getBytes(StandardCharsets.UTF_8));
    await().until(() -> sink.events.size() == 2);
    // written in place (truncate, then write): a poll between the two may see the torn file, which the
    // source delivers (or reports as failed) as it found it; the finished content must still arrive
    // exactly once, last
    Files.writeString(file, "v333");
    await().until(() -> sink.events.get(sink.events.size() - 1).equals("content:v333"));
    assertThat(sink.events).startsWith("content:v1", "content:v22").endsWith("content:v333");
    assertThat(sink.events).filteredOn(e -> !e.equals("content:") && !e.startsWith("failed:")).containsExactly("content:v1", "content:v22", "content:v333");
  }

  @Test
  void touchingTheFileWithoutChangingItDeliversNothing() throws Exception {
    Path file = start("v1");
    replace(file, "v1".getBytes(StandardCharsets.UTF_8));
    replace(file, "v2".getBytes(StandardCharsets.UTF_8));
    await().until(() -> sink.events.size() >= 2);
    assertThat(sink.events).containsExactly("content:v1", "content:v2");
  }

  @Test
  void missingFileFailsOnceAndRecoversWhenCreated() throws IOException {
    Path file = start(null);
    assertThat(sink.events).containsExactly("failed:file not found");
    Files.writeString(file, "v1");
    await().until(() -> sink.events.size() == 2);
    assertThat(sink.events).containsExactly("failed:file not found", "content:v1");
  }

  @Test
  void deletedFileFailsAndTheSameContentIsDeliveredAgainWhenItReturns() throws IOException {
    Path file = start("v1");
    Files.delete(file);
    await().until(() -> sink.events.size() == 2);
    Files.writeString(file, "v1");
    await().until(() -> sink.events.size() == 3);
    assertThat(sink.events).containsExactly("content:v1", "failed:file not found", "content:v1");
  }

  @Test
  void directoryInPlaceOfTheFileFails() throws IOException {
    Path file = start("v1");
    Files.delete(file);
    Files.createDirectory(file);
    await().until(() -> sink.events.contains("failed:is a directory, not a flag file"));
  }

  @Test
  void bytesThatAreNotUtf8Fail() throws IOException {
    Path file = start("v1");
    replace(file, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
    await().until(() -> sink.events.contains("failed:is not valid UTF-8 text"));
  }

  @Test
  void oversizedFileFailsWithoutBeingRead() throws IOException {
    Path file = start("v1");
    replace(file, new byte[2048]);
    await().until(() -> sink.events.size() == 2);
    assertThat(sink.events.get(1))
        .isEqualTo("failed:is 2048 bytes, more than the limit of 1024 bytes (FileFlagSource.Builder.maxBytes)");
  }

  /** A device has no size to check: reading /dev/zero "until the end" would fill the heap. */
  @Test
  void aDeviceInPlaceOfTheFileIsRefusedWithoutBeingRead() throws IOException {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(zero), "needs /dev/zero (Linux, macOS)");
    Path file = start("v1");
    Files.delete(file);
    Files.createSymbolicLink(file, zero);
    await().until(() -> sink.events.size() == 2);
    assertThat(sink.events.get(1)).isEqualTo("failed:is not a regular file (a device, pipe or socket), not a flag file");
  }

  @Test
  void pollIntervalIsValidated() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> FileFlagSource.builder(dir).pollInterval(Duration.ofMillis(1)))
        .hasMessageContaining("PT0.001S");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileFlagSource.builder(dir).maxBytes(1L << 31))
        .hasMessage("maxBytes must be at most 268435456 (256 MiB), got 2147483648");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileFlagSource.builder(dir).maxBytes(268_435_457L))
        .hasMessage("maxBytes must be at most 268435456 (256 MiB), got 268435457");
    FileFlagSource.builder(dir).maxBytes(268_435_456L); // the cap itself is accepted
  }
}
