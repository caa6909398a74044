package dev.burnguard.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.platform.engine.DiscoverySelectorIdentifier;
import org.junit.platform.engine.discovery.DirectorySelector;
import org.junit.platform.engine.discovery.DiscoverySelectorIdentifierParser;
import org.junit.platform.engine.discovery.DiscoverySelectors;

/**
 * Lets a suite select a directory of the shared conformance data, wherever it is on this machine:
 * {@code @Select("burnguard-conformance:flagd-evaluator/gherkin")} becomes a directory selector for
 * the absolute path (see {@link ConformanceKit}). A missing directory throws, which fails the
 * suite's discovery and with it the build. Registered through {@code META-INF/services}.
 */
public final class ConformanceSelectorParser implements DiscoverySelectorIdentifierParser {
  /** The selector prefix. */
  public static final String PREFIX = "burnguard-conformance";

  @Override
  public String getPrefix() {
    return PREFIX;
  }

  @Override
  public Optional<DirectorySelector> parse(DiscoverySelectorIdentifier identifier, Context context) {
    Path dir = ConformanceKit.resolve(identifier.getValue());
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(identifier + " is not a directory: " + dir);
    }
    return Optional.of(DiscoverySelectors.selectDirectory(dir.toFile()));
  }
}
