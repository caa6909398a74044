package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run as a user runs it: a separate JVM with the app's classpath, its output and exit code. */
class SampleAppCliTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SampleApp.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    // the outputs are small; read both after exit (a generous bound: the process must end by itself)
    boolean exited = p.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly(); // never leave a server behind a failed test
    }
    assertThat(exited).as("the app exits by itself").isTrue();
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void helpPrintsEveryOptionAndExitsZero() throws Exception {
    for (String flag : new String[] {"--help", "-h"}) {
      Run r = run(flag);
      assertThat(r.exit()).as(flag).isZero();
      assertThat(r.out()).startsWith("usage: java -jar burnguard-sample-app.jar");
      for (String option : new String[] {"--demo", "--port", "--bind", "--host-name", "--data-dir", "--rate", "--users",
          "--admin-token", "--redis", "--instance-id", "--once", "--help"}) {
        assertThat(r.out()).as(option).contains("  " + option);
      }
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  void anUnknownOptionExitsNonZeroWithAMessage() throws Exception {
    Run r = run("--colour", "red");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown option --colour (--help lists the options)").contains("usage:");
    assertThat(r.out()).isEmpty();
    Run missing = run("--port");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("--port needs a value");
  }

  @Test
  void aMalformedRedisUriExitsNonZeroWithoutItsPassword() throws Exception {
    Run r = run("--redis", "redis://:s3cret@localhost:99999");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("malformed Redis URI redis://***@localhost:99999").doesNotContain("s3cret");
    Run id = run("--redis", "redis://127.0.0.1:6379", "--instance-id", "a b");
    assertThat(id.exit()).isEqualTo(2);
    assertThat(id.err()).contains("--instance-id must be 1 to 100 characters");
  }

  @Test
  void aBadFlagFilesErrorIsPrintedOnce() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.writeString(data.resolve("flags.json"),
        // malformed JSON refuses the whole file (one invalid flag would load as flagd loads it, PARSE_ERROR)
        "{\"flags\": {\"x\": {\"state\": \"ENABLED\" \"variants\": {\"a\": true}, \"defaultVariant\": \"a\"}}}");
    Run r = run("--data-dir", data.toString(), "--port", "0", "--rate", "0");
    String all = r.out() + r.err();
    assertThat(r.exit()).isEqualTo(1);
    Matcher problem = Pattern.compile("expected ',' or '}' in object").matcher(all);
    int count = 0;
    while (problem.find()) {
      count++;
    }
    assertThat(count).as("times the problem is printed in:\n" + all).isEqualTo(1);
    assertThat(all).contains("$.flags.x")
        .contains("Burnguard sample app: not started: no valid flags in").doesNotContain("\tat ");
  }
}
