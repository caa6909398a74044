package dev.burnguard.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public top-level types of the published jars (core, otel and redis, outside {@code internal}) are
 * exactly the ones listed, with a reason each, in {@code docs/api.md}.
 */
class PublicApiTest {
  private static final List<Path> PUBLISHED_SOURCES = List.of(Path.of("../sdk-core/src/main/java"), Path.of("src/main/java"),
      Path.of("../sdk-redis/src/main/java"));
  private static final Path API_DOC = Path.of("../docs/api.md");
  private static final Pattern PUBLIC_TYPE = Pattern.compile(
      "^public\\s+(?:(?:final|abstract|sealed|non-sealed|static)\\s+)*(?:class|interface|record|enum|@interface)\\s+(\\w+)",
      Pattern.MULTILINE);
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  /** A table row of docs/api.md: {@code | `dev.burnguard.x.Type` | why |}. */
  private static final Pattern DOC_ROW = Pattern.compile("^\\|\\s*`(dev\\.burnguard[\\w.]*)`[ \\t]*\\|[ \\t]*[^|\\s]", Pattern.MULTILINE);

  @Test
  void docsApiListsExactlyThePublicTypes() throws IOException {
    Set<String> inSources = publicTypes(PUBLISHED_SOURCES);
    Set<String> inDoc = documented(Files.readString(API_DOC));

    assertThat(inSources).as("public types found in the sources").hasSizeGreaterThan(10);
    assertThat(inDoc).as("types listed in docs/api.md (add or remove rows there)").isEqualTo(inSources);
    assertThat(inSources).as("issue 13's bound on the public API").hasSizeLessThanOrEqualTo(24);
  }

  @Test
  void theDocReaderNeedsAReasonOnEveryRow() {
    String doc = """
        | type | why |
        |---|---|
        | `dev.burnguard.A` | the reason |
        | `dev.burnguard.x.B` |  |
        """;

    assertThat(documented(doc)).containsExactly("dev.burnguard.A");
  }

  static Set<String> documented(String doc) {
    Set<String> types = new TreeSet<>();
    Matcher row = DOC_ROW.matcher(doc);
    while (row.find()) {
      types.add(row.group(1));
    }
    return types;
  }

  static Set<String> publicTypes(List<Path> roots) throws IOException {
    Set<String> types = new TreeSet<>();
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
          String source = Files.readString(file);
          Matcher pkg = PACKAGE.matcher(source);
          Matcher type = PUBLIC_TYPE.matcher(source);
          if (pkg.find() && !pkg.group(1).contains(".internal") && type.find()) {
            types.add(pkg.group(1) + "." + type.group(1));
          }
        }
      }
    }
    return types;
  }
}
