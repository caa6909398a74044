package dev.burnguard.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.platform.engine.DiscoverySelectorIdentifier;
import org.junit.platform.engine.discovery.DirectorySelector;
import org.junit.platform.engine.discovery.DiscoverySelectorIdentifierParser;
import org.junit.platform.engine.discovery.DiscoverySelectors;

/**
 * Lets a suite select a directory of the shared conformance data, wherever it is on this machine:
 * {@code @Select("burnguard-conformance:flagd-evaluator/gherkin")} becomes a directory selector for
 * the absolute path (see {@link ConformanceKit}). When the kit is missing it prints
 * {@link ConformanceKit#SKIPPED} once and selects an empty directory, so the suite runs no scenario;
 * when the kit is required ({@link ConformanceKit#REQUIRED_VARIABLE}) or present but lacking the
 * directory, it throws, which fails the suite's discovery and with it the build. Registered through
 * {@code META-INF/services}.
 */
public final class ConformanceSelectorParser implements DiscoverySelectorIdentifierParser {
  /** The selector prefix. */
  public static final String PREFIX = "burnguard-conformance";

  @Override
  public String getPrefix() {
    return PREFIX;
  }

  private static final AtomicBoolean SAID_SKIPPED = new AtomicBoolean();

  @Override
  public Optional<DirectorySelector> parse(DiscoverySelectorIdentifier identifier, Context context) {
    if (ConformanceKit.find().isEmpty()) {
      if (SAID_SKIPPED.compareAndSet(false, true)) {
        System.out.println(ConformanceKit.SKIPPED);
      }
      return Optional.of(DiscoverySelectors.selectDirectory(emptyDirectory().toFile()));
    }
    Path dir = ConformanceKit.resolve(identifier.getValue());
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(identifier + " is not a directory: " + dir);
    }
    return Optional.of(DiscoverySelectors.selectDirectory(dir.toFile()));
  }

  private static Path emptyDirectory() {
    try {
      Path empty = Files.createTempDirectory("burnguard-no-conformance-kit");
      empty.toFile().deleteOnExit();
      return empty;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an empty directory to select instead of the missing kit", e);
    }
  }
}
