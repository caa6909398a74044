package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.burnguard.source.FileFlagSource;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What goes wrong with a flag file on disk, end to end through the provider and the OpenFeature
 * SDK: each fault on a reload makes the provider STALE with the file and the problem in
 * {@link BurnguardProvider#lastLoadFailure()} while the last good flags stay in force, and the fixed
 * file brings READY and CONFIGURATION_CHANGED; on the first load the same fault is an ERROR, and
 * the fixed file brings READY. The source polls every 20 ms on its own thread; the test waits for
 * events with Awaitility.
 */
class FlagFileFaultTest {
  @BeforeAll
  static void allowForABusyMachine() {
    org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }

  private static final String V1 = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\"},"
      + "\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"hello\", \"b\": \"hi\"}, \"defaultVariant\": \"a\"}}}";
  private static final String V2 = V1.replace("\"defaultVariant\": \"old\"", "\"defaultVariant\": \"new\"");

  /** A fault put on the flag file, the words the failure must contain, and what undoes it before the fix is written. */
  enum Fault {
    DELETED("file not found") {
      @Override
      void inject(Path file, String next) throws IOException {
        Files.delete(file);
      }
    },
    /** The writer of {@code next} has written half of it, in place, when the file is polled. */
    TRUNCATED_MID_WRITE("malformed JSON") {
      @Override
      void inject(Path file, String next) throws IOException {
        byte[] bytes = next.getBytes(StandardCharsets.UTF_8);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
      }
    },
    REPLACED_BY_A_DIRECTORY("is a directory, not a flag file") {
      @Override
      void inject(Path file, String next) throws IOException {
        Files.delete(file);
        Files.createDirectory(file);
      }

      @Override
      void repair(Path file) throws IOException {
        Files.delete(file);
      }
    },
    PERMISSION_REMOVED("permission denied") {
      @Override
      void inject(Path file, String next) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "permissions do not stop this user (root) from reading a file");
      }

      @Override
      void repair(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      }
    },
    GARBAGE_BYTES("is not valid UTF-8 text") {
      @Override
      void inject(Path file, String next) throws IOException {
        byte[] garbage = new byte[4096];
        new Random(8).nextBytes(garbage);
        garbage[0] = (byte) 0xFF; // never valid in UTF-8, whatever the seed gives
        Files.write(file, garbage);
      }
    },
    /** Sparse, so it costs no disk; the default limit is 16 MiB. */
    HUNDRED_MEGABYTES("is 104857600 bytes, more than the limit of 16777216 bytes (FileFlagSource.Builder.maxBytes)") {
      @Override
      void inject(Path file, String next) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
          f.setLength(100L * 1024 * 1024);
        }
      }
    };

    final String message;

    Fault(String message) {
      this.message = message;
    }

    /** Breaks {@code file}, which holds good flags; {@code next} is what its writer was about to write. */
    abstract void inject(Path file, String next) throws IOException;

    /** Undoes what writing the file in place cannot. */
    void repair(Path file) throws IOException {}
  }

  @TempDir Path dir;
  private WatchedFlagFile flags;
  private Path file;
  private OpenFeatureAPI api;
  private List<String> events;

  @BeforeEach
  void setUp() {
    flags = new WatchedFlagFile(dir);
    file = flags.file;
    api = flags.api;
    events = flags.events;
  }

  @AfterEach
  void tearDown() {
    flags.close();
  }

  /** The fix is written in place, as a writer that was interrupted would finish it. */
  private void fix(Fault fault, String json) throws IOException {
    fault.repair(file);
    Files.writeString(file, json);
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void onAReloadTheProviderGoesStaleKeepsTheLastGoodFlagsAndRecoversWhenTheFileIsFixed(Fault fault)
      throws IOException {
    flags.write(V1);
    BurnguardProvider provider = flags.provider();
    api.setProviderAndWait(provider);
    Client client = api.getClient();

    fault.inject(file, V2);
    await().until(() -> events.contains("PROVIDER_STALE"));
    assertThat(provider.lastLoadFailure().orElseThrow().message()).contains(file.toString(), fault.message);
    assertThat(client.getProviderState()).isEqualTo(ProviderState.STALE);
    assertThat(client.getBooleanValue("checkout", true)).isFalse();
    assertThat(client.getStringValue("banner", "x")).isEqualTo("hello");

    fix(fault, V2);
    await().until(() -> events.size() == 4);
    assertThat(events.subList(0, 2)).containsExactly("PROVIDER_READY", "PROVIDER_STALE");
    // the SDK runs event handlers on a pool: events emitted together may arrive in either order
    assertThat(events.subList(2, 4)).containsExactlyInAnyOrder("PROVIDER_READY",
        "PROVIDER_CONFIGURATION_CHANGED [checkout]");
    assertThat(provider.lastLoadFailure()).isEmpty();
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(client.getBooleanValue("checkout", false)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void onTheFirstLoadTheProviderIsInErrorAndTheFixedFileMakesItReady(Fault fault) throws IOException {
    flags.write(V1);
    fault.inject(file, V1);
    BurnguardProvider provider = flags.provider();
    assertThatThrownBy(() -> api.setProviderAndWait(provider))
        .hasMessageContaining(file.toString())
        .hasMessageContaining(fault.message);
    Client client = api.getClient();
    assertThat(client.getProviderState()).isEqualTo(ProviderState.ERROR);
    assertThat(client.getBooleanDetails("checkout", true).getErrorCode()).isEqualTo(ErrorCode.PROVIDER_NOT_READY);

    fix(fault, V1);
    await().until(() -> client.getProviderState() == ProviderState.READY);
    assertThat(events).containsExactly("PROVIDER_ERROR", "PROVIDER_READY");
    assertThat(provider.lastLoadFailure()).isEmpty();
    assertThat(client.getBooleanValue("checkout", true)).isFalse();
  }
}
