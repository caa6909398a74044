package dev.burnguard.flag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.conformance.ConformanceKit;
import dev.burnguard.flag.Flag.FlagState;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.rollout.RolloutPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON Schema shipped for the flag file, {@value #RESOURCE}, is kept consistent with the parser
 * by hand; these tests catch where the two drift apart, without a schema-validator dependency.
 */
class FlagsSchemaTest {
  static final String RESOURCE = "dev/burnguard/flags.schema.json";
  private static final Path PROJECT = Path.of(System.getProperty("user.dir")).resolve("..").normalize();

  private static Map<?, ?> schema;
  private static SchemaSubsetValidator validator;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = FlagSet.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      assertThat(in).as("the schema ships in burnguard-core as " + RESOURCE).isNotNull();
      schema = (Map<?, ?>) JsonReader.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    validator = new SchemaSubsetValidator(schema);
  }

  private static Map<?, ?> at(String pointer) {
    Object node = schema;
    for (String segment : pointer.split("/")) {
      node = ((Map<?, ?>) node).get(segment);
    }
    return (Map<?, ?>) node;
  }

  private static Set<String> properties(String pointer) {
    return keys(at(pointer).get("properties"));
  }

  private static Set<String> keys(Object object) {
    return ((Map<?, ?>) object).keySet().stream().map(String.class::cast).collect(Collectors.toSet());
  }

  @Test
  void isADraft2020_12Schema() {
    assertThat(schema.get("$schema")).isEqualTo("https://json-schema.org/draft/2020-12/schema");
  }

  @Test
  void namesExactlyTheMembersTheParserAccepts() {
    assertThat(keys(schema.get("properties"))).containsExactlyInAnyOrderElementsOf(FlagSetParser.ROOT_KEYS);
    assertThat(properties("$defs/flag")).containsExactlyInAnyOrderElementsOf(FlagSetParser.FLAG_KEYS);
    assertThat(properties("$defs/rollout")).containsExactlyInAnyOrderElementsOf(RolloutPlanParser.ROLLOUT_KEYS);
    assertThat(properties("$defs/stage")).containsExactlyInAnyOrderElementsOf(RolloutPlanParser.STAGE_KEYS);
    assertThat(properties("$defs/slo")).containsExactlyInAnyOrderElementsOf(RolloutPlanParser.SLO_KEYS);
    assertThat(properties("$defs/slo/properties/latency")).containsExactlyInAnyOrderElementsOf(RolloutPlanParser.LATENCY_KEYS);
    assertThat(properties("$defs/rule")).containsExactlyInAnyOrderElementsOf(RolloutPlanParser.RULE_KEYS);
    assertThat(properties("$defs/serviceSlo")).containsExactlyInAnyOrderElementsOf(ErrorBudgetParser.SLO_KEYS);
    assertThat(properties("$defs/serviceSlo/properties/latency"))
        .containsExactlyInAnyOrderElementsOf(RolloutPlanParser.LATENCY_KEYS);
    assertThat(properties("$defs/errorBudgetPolicy")).containsExactlyInAnyOrderElementsOf(ErrorBudgetParser.POLICY_KEYS);
    assertThat(properties("$defs/budgetThreshold")).containsExactlyInAnyOrderElementsOf(ErrorBudgetParser.THRESHOLD_KEYS);
  }

  @Test
  void theReadmesErrorBudgetExampleConformsAndParses() throws Exception {
    String readme = Files.readString(PROJECT.resolve("README.md"));
    int section = readme.indexOf("## Error-budget policy");
    assertThat(section).as("README section").isPositive();
    int start = readme.indexOf("```json\n", section) + "```json\n".length();
    String example = readme.substring(start, readme.indexOf("```", start));
    assertThat(validator.validate(JsonReader.read(example))).isEmpty();
    FlagSet set = FlagSet.parse(example, "README.md");
    assertThat(set.errorBudgetPolicy()).isPresent();
    assertThat(set.errorBudgetPolicy().orElseThrow().thresholds()).hasSize(2);
  }

  /** SLO and policy declarations the parser rejects for a reason the schema can express: the schema rejects them too. */
  @ParameterizedTest
  @ValueSource(strings = {
      "\"slos\": {}",
      "\"slos\": {\"c\": {\"availability\": 99.9, \"period\": \"28d\"}}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"period\": \"28d\"}}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9}}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 0.999, \"period\": \"28d\"}}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"monthly\"}}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"latency\": {\"threshold\": \"1s\"}, \"period\": \"28d\"}}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"28d\", \"x\": 1}}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"28d\"}},"
          + " \"errorBudgetPolicy\": {}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"28d\"}},"
          + " \"errorBudgetPolicy\": {\"thresholds\": [{\"spent\": 75, \"action\": \"pause\"}]}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"28d\"}},"
          + " \"errorBudgetPolicy\": {\"thresholds\": [{\"spent\": 0, \"action\": \"hold\"}]}",
      "\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"28d\"}},"
          + " \"errorBudgetPolicy\": {\"flags\": [], \"thresholds\": [{\"spent\": 75, \"action\": \"hold\"}]}"})
  void theSchemaRejectsWhatTheParserRejectsInSlos(String topLevel) {
    String json = "{\"flags\": {}, " + topLevel + "}";
    assertThatThrownBy(() -> FlagSet.parse(json, "test")).isInstanceOf(InvalidFlagSetException.class);
    assertThat(validator.validate(JsonReader.read(json))).isNotEmpty();
  }

  @Test
  void namesExactlyTheWordsTheParserAccepts() {
    assertThat(at("$defs/rollout/properties/mode").get("enum")).isEqualTo(List.copyOf(RolloutPlanParser.MODES.keySet()));
    assertThat(at("$defs/rule/properties/action").get("enum")).isEqualTo(List.copyOf(RolloutPlanParser.ACTIONS.keySet()));
    assertThat(at("$defs/flag/properties/state").get("enum"))
        .isEqualTo(Arrays.stream(FlagState.values()).map(Enum::name).collect(Collectors.toList()));
    assertThat(at("$defs/duration").get("pattern")).isEqualTo(RolloutPlanParser.DURATION_PATTERN);
  }

  @Test
  void itsDefaultsAreTheModelsDefaults() throws Exception {
    Map<String, Object> rollout = new LinkedHashMap<>();
    rollout.put("control", "old");
    rollout.put("candidate", "new");
    ((Map<?, ?>) at("$defs/rollout").get("properties")).forEach((name, member) -> {
      Object value = ((Map<?, ?>) member).get("default");
      if (value != null) {
        rollout.put((String) name, value);
      }
    });
    rollout.put("slo", Map.of("availability", at("$defs/slo/properties/availability").get("default")));
    assertThat(rollout).containsKeys("mode", "stages", "rules", "alpha", "maxShrinks", "coolDown", "watch", "sharedCauseRatio");
    FlagSet set = FlagSet.fromJson(Map.of("flags", Map.of("f", Map.of("state", "ENABLED",
        "variants", Map.of("old", false, "new", true), "rollout", rollout))), "schema defaults", FlagSetOptions.defaults());
    assertThat(set.rollouts().get("f")).isEqualTo(RolloutPlan.builder("old", "new").build());
    // and a stage's own defaults
    assertThat(at("$defs/stage/properties/bake").get("default")).isEqualTo("15m");
    assertThat(at("$defs/stage/properties/minSamples").get("default")).isEqualTo(500L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"300ms", "15s", "5m", "1h", "2d", "1h30m", "1d2h3m4s5ms", "0s", "PT5M", "P2D", "PT0.5S",
      "P1DT1H", "5 min", "5M", "1h30", "30m1h", "1.5h", "-5m", "PT-5M", "pt5m", "PT", "P", "P1DT", "", "1hh", "m5"})
  void durationPatternAcceptsWhatTheParserAccepts(String duration) {
    String json = "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1, \"b\": 2},"
        + " \"rollout\": {\"control\": \"a\", \"candidate\": \"b\", \"watch\": \"" + duration + "\"}}}}";
    boolean parserAccepts;
    try {
      FlagSet.parse(json, "test");
      parserAccepts = true;
    } catch (InvalidFlagSetException e) {
      parserAccepts = false;
    }
    boolean schemaAccepts = Pattern.compile((String) at("$defs/duration").get("pattern")).matcher(duration).find();
    assertThat(schemaAccepts).as("schema accepts " + duration).isEqualTo(parserAccepts);
    assertThat(validator.validate(JsonReader.read(json)).isEmpty()).isEqualTo(parserAccepts);
  }

  @Test
  void theSampleAppsFlagFileConforms() throws IOException {
    Path file = PROJECT.resolve("sample-app/src/main/resources/dev/burnguard/sample/default-flags.json");
    assertThat(validator.validate(JsonReader.read(Files.readString(file)))).isEmpty();
  }

  @Test
  void flagdsTestKitFlagFileConforms() throws IOException {
    ConformanceKit.assumePresent();
    Path file = ConformanceKit.resolve("flagd-evaluator/flags/testkit-flags.json");
    assertThat(validator.validate(JsonReader.read(Files.readString(file)))).isEmpty();
  }

  @Test
  void theReadmesRolloutExampleConformsAndParses() throws Exception {
    String readme = Files.readString(PROJECT.resolve("README.md"));
    int section = readme.indexOf("## Guarded rollouts in the flag file");
    assertThat(section).as("README section").isPositive();
    int start = readme.indexOf("```json\n", section) + "```json\n".length();
    String example = readme.substring(start, readme.indexOf("```", start));
    assertThat(validator.validate(JsonReader.read(example))).isEmpty();
    FlagSet set = FlagSet.parse(example, "README.md");
    assertThat(set.rollouts()).isNotEmpty();
    // the members the README says are shown at their defaults are
    RolloutPlan shown = set.rollouts().values().iterator().next();
    RolloutPlan defaults = RolloutPlan.builder(shown.control(), shown.candidate()).build();
    assertThat(readme.substring(section, start)).contains("the values shown for `mode`, `slo.availability`, `rules`, `alpha`,"
        + " `maxShrinks`, `coolDown` and\n`watch` are the defaults");
    assertThat(List.of(shown.mode(), shown.slo().availability(), shown.rules(), shown.alpha(), shown.maxShrinks(),
        shown.coolDown(), shown.watch(), shown.minCandidateCalls())).isEqualTo(List.of(defaults.mode(),
        defaults.slo().availability(), defaults.rules(), defaults.alpha(), defaults.maxShrinks(), defaults.coolDown(),
        defaults.watch(), defaults.minCandidateCalls()));
    // every member of a rollout is shown in the example
    Map<?, ?> flags = (Map<?, ?>) ((Map<?, ?>) JsonReader.read(example)).get("flags");
    set.rollouts().keySet().forEach(key -> assertThat(keys(((Map<?, ?>) flags.get(key)).get("rollout")))
        .containsExactlyInAnyOrderElementsOf(RolloutPlanParser.ROLLOUT_KEYS));
  }

  /** Files the parser rejects for a reason the schema can express: the schema rejects them too. */
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"control\": \"old\", \"candidate\": \"new\", \"stage\": []}",
      "{\"control\": \"old\"}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"mode\": \"Enforce\"}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"stages\": []}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"stages\": [{\"exposure\": 0}, {\"exposure\": 100}]}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"stages\": [{\"exposure\": 100, \"minSamples\": 1.5}]}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"stages\": [{\"exposure\": 100, \"bakeTime\": \"1m\"}]}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"slo\": {\"availability\": 0.999}}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"slo\": {\"availability\": 100}}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"slo\": {\"latency\": {\"threshold\": \"300ms\"}}}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"rules\": [{\"long\": \"1h\", \"short\": \"5m\", \"factor\": 2}]}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"rules\": [{\"long\": \"1h\", \"short\": \"5m\", \"factor\": 0,"
          + " \"action\": \"shrink\"}]}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"alpha\": 0.5}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"maxShrinks\": -1}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"sharedCauseRatio\": 1.5}",
      "{\"control\": \"old\", \"candidate\": \"new\", \"coolDown\": \"10 minutes\"}",
      "[]"})
  void theSchemaRejectsWhatTheParserRejects(String rollout) {
    String json = "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false, \"new\": true},"
        + " \"rollout\": " + rollout + "}}}";
    assertThatThrownBy(() -> FlagSet.parse(json, "test")).isInstanceOf(InvalidFlagSetException.class);
    assertThat(validator.validate(JsonReader.read(json))).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"flags\": {\"f\": {\"state\": \"ON\", \"variants\": {\"a\": 1}}}}",
      "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1, \"b\": \"x\"}}}}",
      "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {}}}}",
      "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": null}}}}",
      "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1}, \"defaultvariant\": \"a\"}}}",
      "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1}, \"metadata\": {\"m\": [1]}}}}",
      "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1}, \"targeting\": \"a\"}}}",
      "{\"flags\": {\"\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1}}}}",
      "{\"flags\": {}, \"flag\": {}}",
      "{\"flag\": {}}"})
  void theSchemaRejectsWhatTheParserRejectsInPlainFlagd(String json) {
    assertThatThrownBy(() -> FlagSet.parse(json, "test")).isInstanceOf(InvalidFlagSetException.class);
    assertThat(validator.validate(JsonReader.read(json))).isNotEmpty();
  }

  @Test
  void theCheckerRefusesKeywordsItDoesNotUnderstand() {
    assertThatThrownBy(() -> new SchemaSubsetValidator(Map.of("type", "object", "properties",
        Map.of("a", Map.of("oneOf", List.of())))))
        .hasMessageContaining("#/properties/a: keyword oneOf is not supported");
  }
}
