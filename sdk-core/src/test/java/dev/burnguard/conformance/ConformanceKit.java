package dev.burnguard.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the shared conformance data ({@code ../shared/conformance} next to the repository root),
 * which the tests read in place and never copy into the project.
 *
 * <p>Looks first at the system property {@value #PROPERTY} (the build sets it), then walks up from
 * the working directory looking for {@code ../shared/conformance}. When neither finds it, it throws
 * naming every place it looked: a missing kit fails the build, it is never skipped.
 */
public final class ConformanceKit {
  /** The system property that names the conformance directory. */
  public static final String PROPERTY = "burnguard.conformance.dir";

  /** What a directory must contain to be the conformance data. */
  static final String MARKER = "flagd-evaluator/gherkin";

  private static volatile Path located;

  private ConformanceKit() {}

  /** The conformance directory, located once per JVM. */
  public static Path directory() {
    Path dir = located;
    if (dir == null) {
      dir = locate(System.getProperty(PROPERTY), Path.of(System.getProperty("user.dir")));
      located = dir;
    }
    return dir;
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
