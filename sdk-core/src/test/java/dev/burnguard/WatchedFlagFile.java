package dev.burnguard;

import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.source.FileFlagSource;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A flag file that a test rewrites, providers that poll it every 20 ms, and the provider events an
 * isolated OpenFeature API reports, each as {@code "EVENT"} or {@code "EVENT [changed keys]"}.
 */
final class WatchedFlagFile implements AutoCloseable {
  final Path file;
  final OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
  final List<String> events = new CopyOnWriteArrayList<>();
  private final Path dir;

  WatchedFlagFile(Path dir) {
    this.dir = dir;
    this.file = dir.resolve("flags.json");
    for (ProviderEvent e : ProviderEvent.values()) {
      api.on(e, details -> events.add(describe(e, details)));
    }
  }

  private static String describe(ProviderEvent event, EventDetails details) {
    return event + (details.getFlagsChanged() == null || details.getFlagsChanged().isEmpty() ? ""
        : " " + details.getFlagsChanged());
  }

  /** A provider on the file, with the default size limit and a 20 ms poll. */
  BurnguardProvider provider() {
    return provider(InvalidFlagPolicy.ISOLATE_FLAG);
  }

  /** As {@link #provider()}, with {@code policy} for invalid flags. */
  BurnguardProvider provider(InvalidFlagPolicy policy) {
    return BurnguardProvider.builder()
        .source(FileFlagSource.builder(file).pollInterval(Duration.ofMillis(20)).build())
        .initTimeout(Duration.ofSeconds(5))
        .invalidFlagPolicy(policy)
        .build();
  }

  /** Replaces the file's content in one atomic move, as a careful deployment does. */
  void write(String json) throws IOException {
    Path tmp = dir.resolve("flags.tmp");
    Files.writeString(tmp, json);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    api.shutdown();
  }
}
