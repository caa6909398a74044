package dev.burnguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.json.JsonReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, item 3: {@code validate} and {@code simulate} on good and bad input, with their exit codes. */
class ValidateAndSimulateTest {
  static final String GOOD = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false},"
      + " \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"stages\": ["
      + "{\"exposure\": 50, \"bake\": \"2m\", \"minSamples\": 20}, {\"exposure\": 100, \"bake\": \"2m\", \"minSamples\": 20}],"
      + " \"watch\": \"1m\"}}, \"plain\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
      + " \"defaultVariant\": \"on\"}}}";

  @TempDir Path dir;

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void validateAcceptsAGoodFileAndReportsEveryProblemWithItsJsonPath() throws Exception {
    Path good = write("good.json", GOOD);
    Cli ok = Cli.run("validate", good.toString());
    assertThat(ok.code).as(ok.toString()).isZero();
    assertThat(ok.out).contains("good.json: valid (2 flags, rollouts: [checkout])");

    Path bad = write("bad.json", GOOD.replace("\"exposure\": 50", "\"exposure\": 150")
        .replace("\"defaultVariant\": \"on\"", "\"defaultVariant\": \"maybe\""));
    Cli invalid = Cli.run("validate", good.toString(), bad.toString());
    assertThat(invalid.code).as(invalid.toString()).isEqualTo(1);
    assertThat(invalid.out).contains("good.json: valid").contains("bad.json: $.flags.checkout.rollout.stages[0].exposure")
        .contains("150").contains("bad.json: $.flags.plain.defaultVariant");

    Cli json = Cli.run("validate", "--format", "json", good.toString(), bad.toString());
    assertThat(json.code).isEqualTo(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> parsed = (Map<String, Object>) JsonReader.read(json.out.trim());
    assertThat(parsed.get("valid")).isEqualTo(false);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> files = (List<Map<String, Object>>) parsed.get("files");
    assertThat(files).extracting(f -> f.get("valid")).containsExactly(true, false);
    assertThat(files.get(1).get("problems").toString()).contains("$.flags.checkout.rollout.stages[0].exposure");
  }

  @Test
  void validateSaysWhatIsWrongWithBadJsonAMissingFileAndNoArguments() throws Exception {
    Cli notJson = Cli.run("validate", write("broken.json", "{\"flags\": {").toString());
    assertThat(notJson.code).as(notJson.toString()).isEqualTo(1);
    assertThat(notJson.out).contains("broken.json: $");

    Cli missing = Cli.run("validate", dir.resolve("nope.json").toString());
    assertThat(missing.code).as(missing.toString()).isEqualTo(3);
    assertThat(missing.out).contains("nope.json: $: no such file");

    Cli none = Cli.run("validate");
    assertThat(none.code).isEqualTo(2);
    assertThat(none.err).contains("Missing required parameter").contains("FILE");

    Cli help = Cli.run("pause", "--help");
    assertThat(help.code).as(help.toString()).isZero();
    assertThat(help.out).contains("Usage: burnguard pause").contains("--state-dir=DIR").contains("--flags=FILE");
    Cli top = Cli.run("--help");
    assertThat(top.code).isZero();
    assertThat(top.out).contains("Exit codes:").contains("validate").contains("report");

    Cli unknown = Cli.run("validat", "x.json");
    assertThat(unknown.code).isEqualTo(2);
    assertThat(unknown.err).contains("validat");
  }

  /**
   * The file's plan on 20 req/s for 2 seeds: a candidate failing 20 % of its calls is rolled back in
   * both runs, a healthy one (0.05 %, like the control) in neither.
   */
  @Test
  void simulateReportsTimeToRollbackAndTheFalseRollbackRateOfThePlanInTheFile() throws Exception {
    Path file = write("flags.json", GOOD);
    Cli text = Cli.run("simulate", file.toString(), "--flag", "checkout", "--rps", "20", "--error-rate", "0.2",
        "--seeds", "2");
    assertThat(text.code).as(text.toString()).isZero();
    assertThat(text.out).contains("stages 50 % for 2m, 100 % for 2m").contains("rolled back in 2 of 2 runs: after ")
        .contains("false shrink or rollback in 0 of 2 runs: 0 %");

    Cli json = Cli.run("simulate", file.toString(), "--flag", "checkout", "--rps", "20", "--error-rate", "0.2",
        "--seeds", "2", "--latency", "40ms,900ms", "--format", "json");
    assertThat(json.code).as(json.toString()).isZero();
    @SuppressWarnings("unchecked")
    Map<String, Object> parsed = (Map<String, Object>) JsonReader.read(json.out.trim());
    assertThat(((Map<?, ?>) parsed.get("rollback")).get("runs")).isEqualTo(2L);
    assertThat(((Map<?, ?>) parsed.get("falseShrinkOrRollback")).get("shrankOrRolledBack")).isEqualTo(0L);
    assertThat(parsed.get("duration")).isEqualTo("PT5M"); // the bakes (2 × 2 min) and the watch (1 min)
  }

  /** The README's simulate figures are for its complete example: the test resource must be that example. */
  @Test
  void theReadmePlanResourceIsTheReadmesCompleteExample() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    int start = readme.indexOf("```json\n{\n  \"flags\": {\n    \"new-checkout\"");
    assertThat(start).isPositive();
    String example = readme.substring(start + "```json\n".length(), readme.indexOf("```", start + 7));
    assertThat(Files.readString(Path.of("src/test/resources/readme-plan.json"))).isEqualTo(example);
    Cli ok = Cli.run("validate", "src/test/resources/readme-plan.json");
    assertThat(ok.code).as(ok.toString()).isZero();
  }

  @Test
  void simulateRefusesUnknownFlagsBadFilesAndBadArguments() throws Exception {
    Path file = write("flags.json", GOOD);
    Cli unknown = Cli.run("simulate", file.toString(), "--flag", "nope", "--rps", "20", "--error-rate", "0.2");
    assertThat(unknown.code).isEqualTo(3);
    assertThat(unknown.err).contains("no flag \"nope\"").contains("[checkout, plain]");
    Cli noPlan = Cli.run("simulate", file.toString(), "--flag", "plain", "--rps", "20", "--error-rate", "0.2");
    assertThat(noPlan.code).isEqualTo(3);
    assertThat(noPlan.err).contains("\"plain\" has no \"rollout\" plan");
    Cli missing = Cli.run("simulate", dir.resolve("none.json").toString(), "--flag", "checkout", "--rps", "20",
        "--error-rate", "0.2");
    assertThat(missing.code).isEqualTo(3);
    assertThat(missing.err).contains("none.json: no such file");
    Cli broken = Cli.run("simulate", write("broken.json", "[1,").toString(), "--flag", "checkout", "--rps", "20",
        "--error-rate", "0.2");
    assertThat(broken.code).isEqualTo(1);
    assertThat(broken.err).contains("invalid flag file").contains("broken.json");
    assertThat(Cli.run("simulate", file.toString(), "--flag", "checkout", "--rps", "-1", "--error-rate", "0.2").err)
        .contains("--rps must be above 0");
    Cli badRate = Cli.run("simulate", file.toString(), "--flag", "checkout", "--rps", "1", "--error-rate", "2");
    assertThat(badRate.code).isEqualTo(2);
    assertThat(badRate.err).contains("--error-rate must be in [0, 1], got 2.0");
    Cli badLatency = Cli.run("simulate", file.toString(), "--flag", "checkout", "--rps", "1", "--error-rate", "0.1",
        "--latency", "fast");
    assertThat(badLatency.code).isEqualTo(2);
    assertThat(badLatency.err).contains("--latency takes MEDIAN,P99");
    Cli noFlag = Cli.run("simulate", file.toString(), "--rps", "1", "--error-rate", "0.1");
    assertThat(noFlag.code).isEqualTo(2);
    assertThat(noFlag.err).contains("--flag");
  }
}
