package dev.burnguard.flag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolloutPlanParsingTest {
  private static final String ORIGIN = "/etc/flags/prod.json";
  private static final String R = "$.flags.checkout.rollout";

  /** A file with flag "checkout" (variants old, new, newer) whose rollout member is {@code rollout}. */
  private static String checkout(String rollout) {
    return "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false, \"new\": true, \"newer\": true},"
        + " \"defaultVariant\": \"old\", \"rollout\": " + rollout + "}}}";
  }

  /** A rollout of new in place of old, with {@code members} added. */
  private static String plan(String members) {
    return "{\"control\": \"old\", \"candidate\": \"new\"" + (members.isEmpty() ? "" : ", " + members) + "}";
  }

  private static RolloutPlan parsed(String rollout) throws InvalidFlagSetException {
    return FlagSet.parse(checkout(rollout), ORIGIN).flag("checkout").orElseThrow().rollout().orElseThrow();
  }

  private static List<FlagProblem> problems(String json) {
    try {
      FlagSet.parse(json, ORIGIN);
    } catch (InvalidFlagSetException e) {
      assertThat(e.getMessage()).contains(ORIGIN);
      assertThat(e.problems()).allSatisfy(p -> assertThat(p.origin()).isEqualTo(ORIGIN));
      return e.problems();
    }
    throw new AssertionError("expected the flag definition to be rejected: " + json);
  }

  private static FlagProblem onlyProblem(String rollout) {
    List<FlagProblem> problems = problems(checkout(rollout));
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  // --- reading a plan -------------------------------------------------------------------------

  @Test
  void fullPlanIsReadIntoTheModelWithExactValues() throws Exception {
    RolloutPlan plan = parsed("""
        {"control": "old", "candidate": "new", "mode": "dry-run",
         "stages": [{"exposure": 2, "bake": "30s", "minSamples": 100},
                    {"exposure": 12.5, "bake": "PT1H", "minSamples": 1000},
                    {"exposure": 100, "bake": "1h30m"}],
         "slo": {"availability": 99.95, "latency": {"threshold": "250ms", "objective": 99}},
         "rules": [{"long": "30m", "short": "150s", "factor": 20, "action": "rollback"},
                   {"long": "3d", "short": "6h", "factor": 1.5, "action": "shrink"}],
         "alpha": 0.05, "maxShrinks": 1, "coolDown": "2d", "watch": "45m", "sharedCauseRatio": 0.5}
        """);
    assertThat(plan.control()).isEqualTo("old");
    assertThat(plan.candidate()).isEqualTo("new");
    assertThat(plan.mode()).isEqualTo(RolloutMode.DRY_RUN);
    assertThat(plan.stages()).containsExactly(
        new Stage(2, Duration.ofSeconds(30), 100),
        new Stage(12.5, Duration.ofHours(1), 1000),
        new Stage(100, Duration.ofMinutes(90), 500));
    assertThat(plan.slo().availability()).isEqualTo(0.9995);
    assertThat(plan.slo().latencyThreshold()).contains(Duration.ofMillis(250));
    assertThat(plan.slo().latencyObjective()).isEqualTo(0.99);
    assertThat(plan.rules()).containsExactly(
        new BurnRateRule(Duration.ofMinutes(30), Duration.ofSeconds(150), 20, RuleAction.ROLLBACK),
        new BurnRateRule(Duration.ofDays(3), Duration.ofHours(6), 1.5, RuleAction.SHRINK));
    assertThat(plan.alpha()).isEqualTo(0.05);
    assertThat(plan.maxShrinks()).isEqualTo(1);
    assertThat(plan.coolDown()).isEqualTo(Duration.ofDays(2));
    assertThat(plan.watch()).isEqualTo(Duration.ofMinutes(45));
    assertThat(plan.sharedCauseRatio()).isEqualTo(0.5);
  }

  @Test
  void percentagesBecomeExactlyTheFractionsAPersonWouldWrite() throws Exception {
    assertThat(parsed(plan("\"slo\": {\"availability\": 99.9}")).slo().availability()).isEqualTo(0.999);
    assertThat(parsed(plan("\"slo\": {\"availability\": 99.99}")).slo().availability()).isEqualTo(0.9999);
    assertThat(parsed(plan("\"slo\": {\"availability\": 95}")).slo().availability()).isEqualTo(0.95);
    assertThat(parsed(plan("\"slo\": {\"availability\": 99.0}")).slo().availability()).isEqualTo(0.99);
  }

  @Test
  void everyMemberButControlAndCandidateDefaultsToTheBuildersDefault() throws Exception {
    RolloutPlan plan = parsed(plan(""));
    assertThat(plan).isEqualTo(RolloutPlan.builder("old", "new").build());
    // and those defaults, written down here independently of the builder
    assertThat(plan.mode()).isEqualTo(RolloutMode.ENFORCE);
    assertThat(plan.stages()).extracting(Stage::exposurePercent).containsExactly(1.0, 5.0, 25.0, 50.0, 100.0);
    assertThat(plan.stages()).allSatisfy(s -> {
      assertThat(s.bake()).isEqualTo(Duration.ofMinutes(15));
      assertThat(s.minSamples()).isEqualTo(500);
    });
    assertThat(plan.slo()).isEqualTo(Slo.availability(0.999));
    assertThat(plan.rules()).containsExactly(
        new BurnRateRule(Duration.ofHours(1), Duration.ofMinutes(5), 14.4, RuleAction.ROLLBACK),
        new BurnRateRule(Duration.ofHours(6), Duration.ofMinutes(30), 6, RuleAction.SHRINK));
    assertThat(plan.alpha()).isEqualTo(0.01);
    assertThat(plan.maxShrinks()).isEqualTo(3);
    assertThat(plan.coolDown()).isEqualTo(Duration.ofMinutes(10));
    assertThat(plan.watch()).isEqualTo(Duration.ofHours(1));
    assertThat(plan.sharedCauseRatio()).isEqualTo(2.0 / 3);
  }

  @Test
  void nestedMembersDefaultToo() throws Exception {
    RolloutPlan plan = parsed(plan("\"stages\": [{\"exposure\": 10}, {\"exposure\": 100, \"minSamples\": 0}],"
        + " \"slo\": {\"latency\": {\"threshold\": \"1s\", \"objective\": 95}}"));
    assertThat(plan.stages()).containsExactly(new Stage(10, Duration.ofMinutes(15), 500),
        new Stage(100, Duration.ofMinutes(15), 0));
    assertThat(plan.slo()).isEqualTo(Slo.availability(0.999).withLatency(Duration.ofSeconds(1), 0.95));
  }

  @ParameterizedTest
  @CsvSource({
      "300ms, PT0.3S", "15s, PT15S", "5m, PT5M", "1h, PT1H", "2d, PT48H", "1h30m, PT1H30M",
      "1d2h3m4s5ms, PT26H3M4.005S", "0s, PT0S", "PT5M, PT5M", "P2D, PT48H", "PT0.5S, PT0.5S", "P1DT1H, PT25H"})
  void durationsAreReadInBothNotations(String written, String iso) throws Exception {
    assertThat(parsed(plan("\"coolDown\": \"" + written + "\"")).coolDown()).isEqualTo(Duration.parse(iso));
  }

  @Test
  void aFileWithoutRolloutIsPlainFlagd() throws Exception {
    FlagSet set = FlagSet.parse("{\"flags\": {"
        + "\"a\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"},"
        + "\"b\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\", \"rollout\": null}}}",
        ORIGIN);
    assertThat(set.flag("a").orElseThrow().rollout()).isEmpty();
    assertThat(set.flag("b").orElseThrow().rollout()).isEmpty();
    assertThat(set.rollouts()).isEmpty();
  }

  @Test
  void rolloutsListsTheFlagsWithPlansInFileOrder() throws Exception {
    FlagSet set = FlagSet.parse("{\"flags\": {"
        + "\"zeta\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"x\", \"b\": \"y\"}, \"defaultVariant\": \"b\","
        + "  \"rollout\": {\"control\": \"a\", \"candidate\": \"b\"}},"
        + "\"plain\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"},"
        + "\"alpha\": {\"state\": \"DISABLED\", \"variants\": {\"v1\": 1, \"v2\": 2.5}, \"defaultVariant\": \"v1\","
        + "  \"rollout\": {\"control\": \"v1\", \"candidate\": \"v2\"}},"
        + "\"obj\": {\"state\": \"ENABLED\", \"variants\": {\"old\": {\"k\": 1}, \"new\": [1, 2]},"
        + "  \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"mode\": \"dry-run\"}}}}", ORIGIN);
    assertThat(set.rollouts().keySet()).containsExactly("zeta", "alpha", "obj");
    assertThat(set.rollouts().get("zeta")).isEqualTo(RolloutPlan.builder("a", "b").build());
    assertThat(set.rollouts().get("obj").mode()).isEqualTo(RolloutMode.DRY_RUN);
    assertThat(set.rollouts().get("alpha")).isSameAs(set.flag("alpha").orElseThrow().rollout().orElseThrow());
    assertThatThrownBy(() -> set.rollouts().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  // --- problems ------------------------------------------------------------------------------

  @Test
  void controlAndCandidateMustBeVariantsOfTheFlag() {
    FlagProblem p = onlyProblem("{\"control\": \"olde\", \"candidate\": \"new\"}");
    assertThat(p.jsonPath()).isEqualTo(R + ".control");
    assertThat(p.value()).isEqualTo("\"olde\"");
    assertThat(p.message()).contains("variants: old, new, newer");
    assertThat(p.toString()).startsWith(ORIGIN + ": " + R + ".control: ");

    p = onlyProblem("{\"control\": \"old\", \"candidate\": \"nwe\"}");
    assertThat(p.jsonPath()).isEqualTo(R + ".candidate");
    assertThat(p.value()).isEqualTo("\"nwe\"");
  }

  @Test
  void controlAndCandidateMustDiffer() {
    FlagProblem p = onlyProblem("{\"control\": \"new\", \"candidate\": \"new\"}");
    assertThat(p.jsonPath()).isEqualTo(R + ".candidate");
    assertThat(p.value()).isEqualTo("\"new\"");
    assertThat(p.message()).contains("must be different");
  }

  @Test
  void controlAndCandidateAreRequiredStrings() {
    List<FlagProblem> problems = problems(checkout("{}"));
    assertThat(problems).extracting(FlagProblem::jsonPath).containsExactly(R + ".control", R + ".candidate");
    assertThat(problems).allSatisfy(p -> {
      assertThat(p.value()).isNull();
      assertThat(p.message()).startsWith("missing");
    });
    FlagProblem p = onlyProblem("{\"control\": 1, \"candidate\": \"new\"}");
    assertThat(p.jsonPath()).isEqualTo(R + ".control");
    assertThat(p.value()).isEqualTo("1");
    assertThat(p.message()).contains("must be a variant name");
  }

  @Test
  void rolloutMustBeAnObject() {
    FlagProblem p = onlyProblem("[\"old\", \"new\"]");
    assertThat(p.jsonPath()).isEqualTo(R);
    assertThat(p.value()).isEqualTo("[\"old\",\"new\"]");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"stage\": []                                       | " + R + ".stage"
          + " | alpha, candidate, control, coolDown, maxShrinks, minCandidateCalls, mode, rules, sharedCauseRatio, slo, stages, watch",
      "\"stages\": [{\"exposure\": 100, \"bakeTime\": \"1m\"}] | " + R + ".stages[0].bakeTime | bake, exposure, minSamples",
      "\"slo\": {\"availabilty\": 99}                        | " + R + ".slo.availabilty | availability, latency",
      "\"slo\": {\"latency\": {\"threshold\": \"1s\", \"objective\": 99, \"p\": 99}} | " + R + ".slo.latency.p"
          + " | objective, threshold",
      "\"rules\": [{\"long\": \"1h\", \"short\": \"5m\", \"factor\": 2, \"action\": \"shrink\", \"burn\": 1}]"
          + " | " + R + ".rules[0].burn | action, factor, long, short"})
  void unknownMembersAreRejectedWithTheAllowedList(String members, String path, String allowed) {
    FlagProblem p = onlyProblem(plan(members));
    assertThat(p.jsonPath()).isEqualTo(path);
    assertThat(p.message()).isEqualTo("unknown member; allowed: " + allowed);
  }

  @Test
  void theFlagsUnknownMemberListNamesRollout() {
    List<FlagProblem> problems = problems("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true},"
        + " \"rollouts\": {}}}}");
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.jsonPath()).isEqualTo("$.flags.f.rollouts");
      assertThat(p.message()).isEqualTo("unknown flag member; allowed: defaultVariant, metadata, rollout, state, targeting, variants");
    });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // the model's sequence rules, pointed at the stage that breaks them
      "[{\"exposure\": 1}, {\"exposure\": 25}, {\"exposure\": 5}, {\"exposure\": 100}] | [2].exposure | 5"
          + " | stage exposures must increase: stage 2 has 5.0 % after 25.0 %",
      "[{\"exposure\": 10}, {\"exposure\": 10}, {\"exposure\": 100}] | [1].exposure | 10 | stage 1 has 10.0 % after 10.0 %",
      "[{\"exposure\": 5}, {\"exposure\": 50}]                       | [1].exposure | 50"
          + " | the last stage must expose 100 %, got 50.0 %",
      "[]                                                           | ''           | [] | at least one stage",
      // the model's rules for one stage
      "[{\"exposure\": 150}]                                        | [0].exposure | 150"
          + " | stage exposure must be in (0, 100] percent, got 150.0",
      "[{\"exposure\": 0}, {\"exposure\": 100}]                     | [0].exposure | 0 | (0, 100]",
      "[{\"exposure\": 100, \"minSamples\": -1}]                    | [0].minSamples | -1 | must not be negative, got -1",
      // the file's types
      "[{\"exposure\": \"5%\"}, {\"exposure\": 100}]                | [0].exposure | \"5%\" | must be a number",
      "[{\"bake\": \"1m\"}, {\"exposure\": 100}]                    | [0].exposure | | missing",
      "[{\"exposure\": 100, \"minSamples\": 2.5}]                   | [0].minSamples | 2.5 | must be a whole number",
      "[100]                                                        | [0]          | 100 | a stage must be an object",
      "{\"exposure\": 100}                                          | ''           | {\"exposure\":100} | must be an array"})
  void badStagesAreNamedAtTheirPath(String stages, String at, String value, String message) {
    FlagProblem p = onlyProblem(plan("\"stages\": " + stages));
    assertThat(p.jsonPath()).isEqualTo(R + ".stages" + at);
    assertThat(p.value()).isEqualTo(value);
    assertThat(p.message()).contains(message);
  }

  @Test
  void aWholeNumberMayBeWrittenWithAZeroFraction() throws Exception {
    RolloutPlan plan = parsed(plan("\"stages\": [{\"exposure\": 100, \"minSamples\": 500.0}], \"maxShrinks\": 2.0"));
    assertThat(plan.stages().get(0).minSamples()).isEqualTo(500);
    assertThat(plan.maxShrinks()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"5 min\"     | must be a duration such as \"300ms\"",
      "\"5M\"        | must be a duration",
      "\"1h30\"      | must be a duration",
      "\"30m1h\"     | must be a duration",
      "\"1.5h\"      | must be a duration",
      "\"-5m\"       | must be a duration",
      "\"PT-5M\"     | must be a duration",
      "\"pt5m\"      | must be a duration",
      "\"PT\"        | must be a duration",
      "\"P1DT\"      | must be a duration",
      "\"\"          | must be a duration",
      "300          | must be a duration",
      "\"99999999999999999999d\" | duration out of range",
      "\"106751991167301d\"       | duration out of range"})
  void badDurationsAreNamedWithTheirValue(String written, String message) {
    FlagProblem p = onlyProblem(plan("\"watch\": " + written));
    assertThat(p.jsonPath()).isEqualTo(R + ".watch");
    assertThat(p.value()).isEqualTo(written);
    assertThat(p.message()).contains(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "alpha            | 0.5   | alpha must be in (0, 0.5), got 0.5",
      "alpha            | 0     | alpha must be in (0, 0.5), got 0.0",
      "alpha            | 1e999 | alpha must be in (0, 0.5), got Infinity",
      "alpha            | \"1%\" | must be a number",
      "sharedCauseRatio | 1.5   | sharedCauseRatio must be in (0, 1], got 1.5",
      "maxShrinks       | -1    | maxShrinks must not be negative, got -1",
      "maxShrinks       | 1.5   | must be a whole number",
      "maxShrinks       | 3000000000 | no larger than 2147483647",
      "mode             | \"dryrun\" | mode must be one of \"enforce\", \"dry-run\"",
      "mode             | \"DRY_RUN\" | mode must be one of",
      "mode             | null  | mode must be one of"})
  void outOfRangeAndMistypedMembersAreNamed(String member, String value, String message) {
    FlagProblem p = onlyProblem(plan("\"" + member + "\": " + value));
    assertThat(p.jsonPath()).isEqualTo(R + "." + member);
    assertThat(p.value()).isEqualTo(value.equals("null") ? null : value.equals("1e999") ? "Infinity" : value);
    assertThat(p.message()).contains(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"availability\": 0.999}    | .availability | 0.999 | 0.999 would mean 0.999 %",
      "{\"availability\": 100}      | .availability | 100   | above 1 and below 100",
      "{\"availability\": 150}      | .availability | 150   | above 1 and below 100",
      "{\"availability\": \"99.9\"} | .availability | \"99.9\" | must be a percentage",
      "{\"latency\": {\"threshold\": \"300ms\", \"objective\": 0.99}} | .latency.objective | 0.99 | looks like a fraction",
      "{\"latency\": {\"threshold\": \"0ms\", \"objective\": 99}} | .latency.threshold | \"0ms\""
          + " | latency threshold must be positive, got PT0S",
      "{\"latency\": {\"threshold\": 300, \"objective\": 99}} | .latency.threshold | 300 | must be a duration",
      "{\"latency\": {\"objective\": 99}}                    | .latency.threshold | | missing",
      "{\"latency\": {\"threshold\": \"300ms\"}}             | .latency.objective | | missing",
      "{\"latency\": \"p99 < 300ms\"}                        | .latency | \"p99 < 300ms\" | must be an object",
      "99.9                                                  | ''       | 99.9 | slo must be an object"})
  void badSlosAreNamedAtTheirPath(String slo, String at, String value, String message) {
    FlagProblem p = onlyProblem(plan("\"slo\": " + slo));
    assertThat(p.jsonPath()).isEqualTo(R + ".slo" + at);
    assertThat(p.value()).isEqualTo(value);
    assertThat(p.message()).contains(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"long\": \"5s\", \"short\": \"5s\", \"factor\": 2, \"action\": \"shrink\"   | long | \"5s\""
          + " | a rule's long window must be between 10 s and 72 h, got PT5S",
      "\"long\": \"4d\", \"short\": \"1h\", \"factor\": 2, \"action\": \"shrink\"   | long | \"4d\" | got PT96H",
      "\"long\": \"1h\", \"short\": \"2h\", \"factor\": 2, \"action\": \"shrink\"   | short | \"2h\""
          + " | a rule's short window must be between 10 s and the long window (PT1H), got PT2H",
      "\"long\": \"1h\", \"short\": \"5s\", \"factor\": 2, \"action\": \"shrink\"   | short | \"5s\" | got PT5S",
      "\"long\": \"1h\", \"short\": \"5m\", \"factor\": 0, \"action\": \"shrink\"   | factor | 0"
          + " | a rule's burn-rate factor must be positive, got 0.0",
      "\"long\": \"1h\", \"short\": \"5m\", \"factor\": 2, \"action\": \"Rollback\" | action | \"Rollback\""
          + " | action must be one of \"rollback\", \"shrink\"",
      "\"long\": \"1h\", \"short\": \"5m\", \"factor\": 2                            | action | | missing",
      "\"short\": \"5m\", \"factor\": 2, \"action\": \"shrink\"                      | long | | missing",
      "\"long\": \"1h\", \"factor\": 2, \"action\": \"shrink\"                       | short | | missing",
      "\"long\": \"1h\", \"short\": \"5m\", \"action\": \"shrink\"                   | factor | | missing"})
  void badRulesAreNamedAtTheirPath(String members, String at, String value, String message) {
    FlagProblem p = onlyProblem(plan("\"rules\": [{\"long\": \"6h\", \"short\": \"30m\", \"factor\": 6, \"action\": \"shrink\"},"
        + " {" + members + "}]"));
    assertThat(p.jsonPath()).isEqualTo(R + ".rules[1]." + at);
    assertThat(p.value()).isEqualTo(value);
    assertThat(p.message()).contains(message);
  }

  @Test
  void aRuleThatCouldNeverFireAtThePlansSloIsAProblemAtTheRulesNamingTheRule() {
    FlagProblem p = onlyProblem(plan("\"rules\": [{\"long\": \"1h\", \"short\": \"5m\", \"factor\": 14.4,"
        + " \"action\": \"rollback\"}, {\"long\": \"3d\", \"short\": \"6h\", \"factor\": 1, \"action\": \"shrink\"}]"));
    assertThat(p.jsonPath()).isEqualTo(R + ".rules");
    assertThat(p.message()).startsWith("rule 1 (72h/6h x1.0 -> SHRINK) can never fire: its factor 1.0 is not above 1");
    p = onlyProblem(plan("\"slo\": {\"availability\": 99.9, \"latency\": {\"threshold\": \"300ms\","
        + " \"objective\": 90}}"));
    assertThat(p.jsonPath()).isEqualTo(R + ".rules");
    assertThat(p.message()).contains("rule 0 (1h/5m x14.4 -> ROLLBACK) can never fire").contains("latency budget");
  }

  @Test
  void rulesMustBeANonEmptyArray() {
    FlagProblem p = onlyProblem(plan("\"rules\": []"));
    assertThat(p.jsonPath()).isEqualTo(R + ".rules");
    assertThat(p.value()).isEqualTo("[]");
    assertThat(p.message()).isEqualTo("a rollout needs at least one burn-rate rule");
    p = onlyProblem(plan("\"rules\": [\"1h/5m x14.4\"]"));
    assertThat(p.jsonPath()).isEqualTo(R + ".rules[0]");
    assertThat(p.value()).isEqualTo("\"1h/5m x14.4\"");
  }

  @Test
  void everyProblemOfAPlanIsReportedAtOnce() {
    List<FlagProblem> problems = problems(checkout("""
        {"control": "olde", "candidate": "new", "mode": "on", "typo": 1,
         "stages": [{"exposure": 200}, {"exposure": 100, "bake": "soon"}],
         "slo": {"availability": 0.999},
         "rules": [{"long": "1h", "short": "5m", "factor": -1, "action": "rollback"}],
         "alpha": 2, "coolDown": "later"}
        """));
    assertThat(problems).extracting(FlagProblem::jsonPath).containsExactlyInAnyOrder(
        R + ".typo", R + ".control", R + ".mode", R + ".stages[0].exposure", R + ".stages[1].bake",
        R + ".slo.availability", R + ".rules[0].factor", R + ".alpha", R + ".coolDown");
  }

  @Test
  void rolloutProblemsAreReportedWithTheFlagsOtherProblems() {
    List<FlagProblem> problems = problems("{\"flags\": {\"checkout\": {\"state\": \"ON\", \"variants\": {\"old\": false, \"new\": true},"
        + " \"defaultVariant\": \"gone\", \"rollout\": {\"control\": \"old\", \"candidate\": \"nwe\"}}}}");
    assertThat(problems).extracting(FlagProblem::jsonPath).containsExactlyInAnyOrder(
        "$.flags.checkout.state", "$.flags.checkout.defaultVariant", R + ".candidate");
  }

  @Test
  void withInvalidVariantsOnlyTheRolloutsOwnProblemsAreAdded() {
    // the variants are broken, so whether "old" is one of them cannot be told: no extra noise
    List<FlagProblem> problems = problems("{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {},"
        + " \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"alpha\": 1}}}}");
    assertThat(problems).extracting(FlagProblem::jsonPath).containsExactly("$.flags.checkout.variants", R + ".alpha");
  }

  @Test
  void underIsolateFlagABadRolloutMakesOnlyItsFlagInvalid() throws Exception {
    FlagSet set = FlagSet.parse("{\"flags\": {"
        + "\"good\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false, \"new\": true}, \"defaultVariant\": \"new\","
        + "  \"rollout\": {\"control\": \"old\", \"candidate\": \"new\"}},"
        + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false, \"new\": true}, \"defaultVariant\": \"new\","
        + "  \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"mode\": \"yolo\"}}}}",
        ORIGIN, FlagSetOptions.builder().invalidFlagPolicy(InvalidFlagPolicy.ISOLATE_FLAG).build());
    assertThat(set.problems()).extracting(FlagProblem::jsonPath).containsExactly(R + ".mode");
    assertThat(set.problems().get(0).value()).isEqualTo("\"yolo\"");
    var bad = set.evaluate("checkout", Boolean.class, false, new ImmutableContext());
    assertThat(bad.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(bad.getErrorMessage()).contains(R + ".mode");
    assertThat(bad.getValue()).isFalse();
    assertThat(set.evaluate("good", Boolean.class, false, new ImmutableContext()).getValue()).isTrue();
    assertThat(set.rollouts().keySet()).containsExactly("good");
    assertThat(set.flag("checkout").orElseThrow().rollout()).isEmpty();
  }

  @Test
  void underRejectFileABadRolloutRejectsTheFile() {
    assertThatThrownBy(() -> FlagSet.parse(checkout(plan("\"maxShrinks\": -1")), ORIGIN))
        .isInstanceOf(InvalidFlagSetException.class)
        .hasMessageContaining(ORIGIN + ": " + R + ".maxShrinks: maxShrinks must not be negative, got -1 (value: -1)");
  }

  // --- change detection ----------------------------------------------------------------------

  private static final String BANNER = "\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"Hi\", \"b\": \"Hello\"},"
      + " \"defaultVariant\": \"a\"}";

  private static FlagSet twoFlags(String checkoutRollout, String banner) throws InvalidFlagSetException {
    return FlagSet.parse("{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
        + " \"variants\": {\"old\": false, \"new\": true, \"newer\": true}, \"defaultVariant\": \"new\""
        + (checkoutRollout == null ? "" : ", \"rollout\": " + checkoutRollout) + "}, " + banner + "}}", ORIGIN);
  }

  @Test
  void changingAPlanChangesItsFlag() throws Exception {
    FlagSet before = twoFlags(plan("\"stages\": [{\"exposure\": 10}, {\"exposure\": 100}]"), BANNER);
    assertThat(twoFlags(plan("\"stages\": [{\"exposure\": 10, \"bake\": \"20m\"}, {\"exposure\": 100}]"), BANNER)
        .changedSince(before)).containsExactly("checkout");
    assertThat(twoFlags("{\"control\": \"old\", \"candidate\": \"newer\","
        + " \"stages\": [{\"exposure\": 10}, {\"exposure\": 100}]}", BANNER).changedSince(before)).containsExactly("checkout");
    assertThat(twoFlags(plan("\"stages\": [{\"exposure\": 10}, {\"exposure\": 100}], \"mode\": \"dry-run\""), BANNER)
        .changedSince(before)).containsExactly("checkout");
    assertThat(twoFlags(plan("\"stages\": [{\"exposure\": 10}, {\"exposure\": 100}],"
        + " \"slo\": {\"availability\": 99.5}"), BANNER).changedSince(before)).containsExactly("checkout");
    assertThat(twoFlags(null, BANNER).changedSince(before)).containsExactly("checkout");
    assertThat(before.changedSince(twoFlags(null, BANNER))).containsExactly("checkout");
  }

  @Test
  void editingAnotherFlagDoesNotChangeAFlagUnderRollout() throws Exception {
    String rollout = plan("\"stages\": [{\"exposure\": 10}, {\"exposure\": 100}]");
    FlagSet before = twoFlags(rollout, BANNER);
    FlagSet after = twoFlags(rollout, BANNER.replace("\"Hello\"", "\"Hello there\""));
    assertThat(after.changedSince(before)).containsExactly("banner");
    assertThat(after.flag("checkout")).isEqualTo(before.flag("checkout"));
  }

  @Test
  void rewritingAPlanWithoutChangingItIsNoChange() throws Exception {
    FlagSet before = twoFlags(plan("\"watch\": \"1h\""), BANNER);
    FlagSet after = twoFlags("{\"candidate\": \"new\", \"control\": \"old\", \"watch\": \"60m\", \"alpha\": 0.01,"
        + " \"slo\": {\"availability\": 99.9}, \"coolDown\": \"PT10M\"}", BANNER);
    assertThat(after.changedSince(before)).isEmpty();
  }

  // --- in code -------------------------------------------------------------------------------

  @Test
  void builderTakesAPlanAndChecksItsVariants() throws Exception {
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(50, Duration.ofMinutes(1), 10), new Stage(100, Duration.ZERO, 0)))
        .mode(RolloutMode.DRY_RUN)
        .build();
    FlagSet built = FlagSet.builder()
        .flag("checkout", f -> f.variant("old", false).variant("new", true).variant("newer", true).defaultVariant("new")
            .rollout(plan))
        .build();
    assertThat(built.flag("checkout").orElseThrow().rollout()).containsSame(plan);
    assertThat(built.rollouts()).containsExactly(Map.entry("checkout", plan));

    // the same plan written in a file is the same flag definition
    FlagSet file = twoFlags(plan("\"mode\": \"dry-run\", \"stages\": [{\"exposure\": 50, \"bake\": \"1m\", \"minSamples\": 10},"
        + " {\"exposure\": 100, \"bake\": \"0s\", \"minSamples\": 0}]"), BANNER);
    assertThat(built.changedSince(file)).containsExactly("banner");

    assertThatThrownBy(() -> FlagSet.builder()
        .flag("checkout", f -> f.variant("on", true).variant("new", false).rollout(plan)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("builder: " + R + ".control: control names a variant the flag does not define (variants: on, new)"
            + " (value: \"old\")");
  }
}
