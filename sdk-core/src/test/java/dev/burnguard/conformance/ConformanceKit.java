package dev.burnguard.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the shared conformance data ({@code ../shared/conformance} next to the repository root),
 * which the tests read in place and never copy into the project.
 *
 * <p>Looks first at the system property {@value #PROPERTY} (the build sets it), then walks up from
 * the working directory looking for {@code ../shared/conformance}. When neither finds it, the
 * conformance tests are skipped with one line saying so ({@link #SKIPPED}) — a fresh clone has no
 * kit beside it — unless the environment variable {@value #REQUIRED_VARIABLE} is {@code true}
 * (CI sets it), which makes a missing kit fail the build naming every place it looked.
 */
public final class ConformanceKit {
  /** The system property that names the conformance directory. */
  public static final String PROPERTY = "burnguard.conformance.dir";

  /** The environment variable that, set to {@code true}, makes a missing kit a failure. */
  public static final String REQUIRED_VARIABLE = "BURNGUARD_CONFORMANCE_REQUIRED";

  /** The line printed once when the conformance suites are skipped. */
  static final String SKIPPED = "SKIPPED: the flagd conformance suites (flagd-testbed's 125 evaluator scenarios"
      + " and the schema check of its flag file) - no conformance data at ../shared/conformance beside the"
      + " repository; to run them, put the kit there or pass -D" + PROPERTY + "=/path/to/conformance"
      + " (" + REQUIRED_VARIABLE + "=true makes its absence a failure)";

  /** What a directory must contain to be the conformance data. */
  static final String MARKER = "flagd-evaluator/gherkin";

  private static volatile Path located;

  private ConformanceKit() {}

  /** The conformance directory, located once per JVM; throws naming where it looked if there is none. */
  public static Path directory() {
    Path dir = located;
    if (dir == null) {
      dir = locate(System.getProperty(PROPERTY), Path.of(System.getProperty("user.dir")));
      located = dir;
    }
    return dir;
  }

  /** The conformance directory, or empty when it is missing and not {@linkplain #required() required}. */
  public static Optional<Path> find() {
    try {
      return Optional.of(directory());
    } catch (IllegalStateException missing) {
      if (required()) {
        throw new IllegalStateException(missing.getMessage() + " (" + REQUIRED_VARIABLE + " is true)", missing);
      }
      return Optional.empty();
    }
  }

  /** Whether the environment makes a missing kit a failure ({@value #REQUIRED_VARIABLE}=true). */
  public static boolean required() {
    return Boolean.parseBoolean(System.getenv(REQUIRED_VARIABLE));
  }

  /**
   * For a Jupiter test that reads the kit: aborts it (skipped) when the kit is missing and not
   * required, fails it when required.
   */
  public static void assumePresent() {
    Assumptions.assumeTrue(find().isPresent(), SKIPPED);
  }

  /** A path inside the conformance directory, which must exist. */
  public static Path resolve(String relative) {
    Path p = directory().resolve(relative).normalize();
    if (!Files.exists(p)) {
      throw new IllegalStateException("the conformance data has no " + relative + " (looked at " + p + ")");
    }
    return p;
  }

  /**
   * Locates the conformance directory from the property value (may be null) and, failing that, the
   * ancestors of {@code start}.
   *
   * @throws IllegalStateException listing every candidate tried
   */
  static Path locate(String property, Path start) {
    List<Path> tried = new ArrayList<>();
    if (property != null && !property.isBlank()) {
      Path candidate = Path.of(property).toAbsolutePath().normalize();
      if (isKit(candidate)) {
        return candidate;
      }
      tried.add(candidate);
    }
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("../shared/conformance").normalize();
      if (isKit(candidate)) {
        return candidate;
      }
      tried.add(candidate);
    }
    throw new IllegalStateException("conformance data not found: no directory with " + MARKER
        + " at -D" + PROPERTY + "=" + property + " nor at ../shared/conformance above " + start
        + "; tried " + tried + ". Check out the shared conformance data next to the repository.");
  }

  private static boolean isKit(Path candidate) {
    return Files.isDirectory(candidate.resolve(MARKER));
  }
}
