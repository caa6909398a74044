package dev.burnguard.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the README compiles against this module's test classpath (the
 * core SDK, this module, OpenTelemetry's API and SDK), so that the README's code cannot rot.
 *
 * <p>Each block becomes the body of a method {@code void snippet() throws Exception} in a class of
 * its own that imports {@link #DEFAULT_IMPORTS}. A block that needs more says so in an HTML comment
 * just before it, invisible on GitHub, starting {@code <!-- snippet}: its lines that start with
 * {@code import} are added to the imports, every other line becomes a member of the class (the
 * variables and types the snippet uses without declaring them), for example:
 *
 * <pre>
 * &lt;!-- snippet
 * import io.opentelemetry.api.OpenTelemetry;
 * BurnguardProvider provider;
 * --&gt;
 * </pre>
 *
 * This module is where the test lives because it is the one whose test classpath holds every
 * library a snippet shows.
 */
class ReadmeSnippetsTest {
  static final List<String> DEFAULT_IMPORTS = List.of(
      "dev.burnguard.*", "dev.burnguard.flag.*", "dev.burnguard.source.*", "dev.burnguard.rollout.*",
      "dev.burnguard.outcome.*", "dev.burnguard.testing.*", "dev.burnguard.otel.*",
      "dev.openfeature.sdk.*", "java.nio.file.*", "java.time.Duration", "java.util.*");

  private static final Path README = Path.of(System.getProperty("user.dir")).resolve("../README.md").normalize();

  /** A java block of the README: where it starts, its code, and what its header comment adds. */
  record Snippet(int line, String code, List<String> imports, List<String> members) {
    String className() {
      return "ReadmeLine" + line;
    }

    String source() {
      StringBuilder s = new StringBuilder();
      DEFAULT_IMPORTS.forEach(i -> s.append("import ").append(i).append(";\n"));
      imports.forEach(i -> s.append(i).append('\n'));
      s.append("@SuppressWarnings(\"unused\")\nclass ").append(className()).append(" {\n");
      members.forEach(m -> s.append("  ").append(m).append('\n'));
      s.append("  void snippet() throws Exception {\n").append(code).append("\n  }\n}\n");
      return s.toString();
    }
  }

  /** The README's java blocks, each with the header comment just before it, if any. */
  static List<Snippet> snippets(List<String> lines) {
    List<Snippet> snippets = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).strip().equals("```java")) {
        continue;
      }
      int start = i + 1;
      int end = start;
      while (end < lines.size() && !lines.get(end).strip().equals("```")) {
        end++;
      }
      assertThat(end).as("the java block at README line %d is closed", i + 1).isLessThan(lines.size());
      List<String> imports = new ArrayList<>();
      List<String> members = new ArrayList<>();
      int before = i - 1;
      while (before >= 0 && lines.get(before).isBlank()) {
        before--;
      }
      if (before >= 0 && lines.get(before).strip().equals("-->")) {
        int open = before - 1;
        while (open >= 0 && !lines.get(open).strip().startsWith("<!--")) {
          open--;
        }
        assertThat(open).as("the comment before README line %d is opened", i + 1).isNotNegative();
        if (lines.get(open).strip().startsWith("<!-- snippet")) {
          for (String header : lines.subList(open + 1, before)) {
            if (header.isBlank()) {
              continue;
            }
            (header.strip().startsWith("import ") ? imports : members).add(header.strip());
          }
        }
      }
      snippets.add(new Snippet(start + 1, String.join("\n", lines.subList(start, end)), imports, members));
      i = end;
    }
    return snippets;
  }

  @Test
  void everyJavaSnippetInTheReadmeCompiles(@TempDir Path classes) throws Exception {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    List<Snippet> snippets = snippets(lines);
    long blocks = lines.stream().filter(l -> l.strip().equals("```java")).count();
    assertThat(snippets).as("java blocks in %s", README).hasSize((int) blocks).hasSizeGreaterThanOrEqualTo(5);

    List<String> errors = compile(snippets, classes);
    assertThat(errors).as("README snippets that do not compile").isEmpty();
    System.out.printf("ReadmeSnippetsTest: %d java snippets of README.md compile%n", snippets.size());
  }

  @Test
  void aSnippetThatDoesNotCompileIsReportedWithItsReadmeLine(@TempDir Path classes) {
    List<Snippet> snippets = snippets(List.of("text", "```java", "FlagSet flags = FlagSet.nope();", "```"));
    assertThat(snippets).hasSize(1);
    assertThat(compile(snippets, classes)).singleElement().asString()
        .contains("README.md line 3").contains("nope");
  }

  @Test
  void theHeaderCommentAddsImportsAndMembers(@TempDir Path classes) {
    List<Snippet> snippets = snippets(List.of("<!-- snippet", "import java.math.BigDecimal;",
        "BurnguardProvider provider;", "-->", "", "```java", "BigDecimal d = BigDecimal.ONE;",
        "provider.flagSet();", "```"));
    assertThat(snippets).singleElement().satisfies(s -> {
      assertThat(s.imports()).containsExactly("import java.math.BigDecimal;");
      assertThat(s.members()).containsExactly("BurnguardProvider provider;");
    });
    assertThat(compile(snippets, classes)).isEmpty();
  }

  /** Compiles the snippets; returns each error with the README line it is on. */
  private static List<String> compile(List<Snippet> snippets, Path classes) {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertThat(compiler).as("a JDK's compiler").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<JavaFileObject> sources = snippets.stream().map(ReadmeSnippetsTest::source).collect(Collectors.toList());
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> options = List.of("-classpath", classpath, "-d", classes.toString(), "-proc:none",
        "--release", "17");
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      compiler.getTask(null, files, diagnostics, options, null, sources).call();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      String name = d.getSource() == null ? "" : d.getSource().getName();
      Snippet snippet = snippets.stream().filter(s -> name.endsWith(s.className() + ".java")).findFirst().orElse(null);
      String where = snippet == null ? name : "README.md line " + (snippet.line() + codeLine(snippet, d.getLineNumber()));
      errors.add(where + ": " + d.getMessage(Locale.ROOT));
    }
    return errors;
  }

  /** The line of the snippet's code (0 for its first) that line {@code sourceLine} of its class is. */
  private static long codeLine(Snippet s, long sourceLine) {
    long header = DEFAULT_IMPORTS.size() + s.imports().size() + 2 + s.members().size() + 1;
    return Math.max(0, sourceLine - header - 1);
  }

  private static JavaFileObject source(Snippet s) {
    return new SimpleJavaFileObject(URI.create("string:///" + s.className() + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return s.source();
      }
    };
  }
}
