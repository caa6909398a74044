package dev.burnguard.flag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagSetParserTest {
  private static final String ORIGIN = "/etc/flags/prod.json";

  private static List<FlagProblem> problems(String json) {
    try {
      FlagSet.parse(json, ORIGIN);
    } catch (InvalidFlagSetException e) {
      assertThat(e.getMessage()).contains(ORIGIN);
      return e.problems();
    }
    throw new AssertionError("expected the flag definition to be rejected: " + json);
  }

  private static FlagProblem onlyProblem(String json) {
    List<FlagProblem> problems = problems(json);
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Test
  void malformedJsonNamesLineColumnAndPath() {
    FlagProblem p = onlyProblem("{\n  \"flags\": {\n    \"a\": {\"state\": \"ENABLED\",, }\n  }\n}");
    assertThat(p.origin()).isEqualTo(ORIGIN);
    assertThat(p.jsonPath()).isEqualTo("$.flags.a");
    assertThat(p.message()).contains("line 3").contains("column 30");
  }

  @Test
  void truncatedFileIsMalformed() {
    FlagProblem p = onlyProblem("{\"flags\": {\"a\": {\"state\": \"ENAB");
    assertThat(p.message()).contains("malformed JSON").contains("unterminated string");
    assertThat(p.jsonPath()).isEqualTo("$.flags.a.state");
  }

  @Test
  void unknownDefaultVariantIsNamedWithItsPathAndTheKnownVariants() {
    FlagProblem p = onlyProblem("{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
        + " \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"of\"}}}");
    assertThat(p.jsonPath()).isEqualTo("$.flags.checkout.defaultVariant");
    assertThat(p.value()).isEqualTo("\"of\"");
    assertThat(p.message()).contains("on, off");
    assertThat(p.toString()).startsWith(ORIGIN + ": $.flags.checkout.defaultVariant: ");
  }

  @Test
  void mixedVariantTypesAreRejected() {
    FlagProblem p = onlyProblem("{\"flags\": {\"f\": {\"state\": \"ENABLED\","
        + " \"variants\": {\"a\": \"x\", \"b\": 1}, \"defaultVariant\": \"a\"}}}");
    assertThat(p.jsonPath()).isEqualTo("$.flags.f.variants.b");
    assertThat(p.value()).isEqualTo("1");
    assertThat(p.message()).contains("\"b\" is a number").contains("\"a\" is a string");
  }

  @Test
  void refToMissingEvaluatorIsRejected() {
    FlagProblem p = onlyProblem("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"x\", \"b\": \"y\"},"
        + " \"defaultVariant\": \"a\", \"targeting\": {\"if\": [{\"$ref\": \"is_admin\"}, \"b\"]}}},"
        + " \"$evaluators\": {\"is_ballmer\": {\"==\": [1, 1]}}}");
    assertThat(p.jsonPath()).isEqualTo("$.flags.f.targeting.if[0].$ref");
    assertThat(p.value()).isEqualTo("\"is_admin\"");
    assertThat(p.message()).contains("is_admin").contains("is_ballmer");
  }

  @Test
  void refCycleIsRejected() {
    FlagProblem p = onlyProblem("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"x\"},"
        + " \"defaultVariant\": \"a\", \"targeting\": {\"$ref\": \"one\"}}},"
        + " \"$evaluators\": {\"one\": {\"!\": {\"$ref\": \"two\"}}, \"two\": {\"$ref\": \"one\"}}}");
    assertThat(p.message()).contains("$ref cycle: one -> two -> one");
    assertThat(p.jsonPath()).isEqualTo("$.$evaluators.two.$ref");
  }

  /** Evaluators {@code e0} to {@code e(n-1)}: each wraps {@code levels} "!"s around a reference to the next. */
  private static String evaluatorChain(int n, int levels) {
    StringBuilder evaluators = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String next = i == n - 1 ? "{\"var\": \"email\"}" : "{\"$ref\": \"e" + (i + 1) + "\"}";
      evaluators.append(i == 0 ? "" : ", ").append("\"e").append(i).append("\": ")
          .append("{\"!\": [".repeat(levels)).append(next).append("]}".repeat(levels));
    }
    return "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"true\": 1, \"false\": 0},"
        + " \"defaultVariant\": \"false\", \"targeting\": {\"$ref\": \"e0\"}}},"
        + " \"$evaluators\": {" + evaluators + "}}";
  }

  @Test
  void evaluatorsThatReferToOneAnotherMayNestARuleAsDeepAsAJsonDocument() throws Exception {
    // three $refs, a var and 2 x 126 "!"s (each a level; its argument array is not one): 255 levels deep
    FlagSet flags = FlagSet.parse(evaluatorChain(2, 126), ORIGIN);
    ProviderEvaluation<Integer> result = flags.evaluate("f", Integer.class, -1, new ImmutableContext());
    assertThat(result.getErrorCode()).isNull();
    assertThat(result.getValue()).isZero(); // an even number of "!"s around null is false
  }

  @Test
  void evaluatorsThatReferToOneAnotherCannotNestARuleDeeperThanAJsonDocumentMay() {
    // found by NeverThrowsPropertiesTest: 80 x 120 levels overflowed the stack, and StackOverflowError escaped the parser
    FlagProblem p = onlyProblem(evaluatorChain(80, 120));
    assertThat(p.message()).contains("nests deeper than 256 levels");
    assertThat(p.jsonPath()).startsWith("$.$evaluators.e2"); // e0 and e1 make 243 levels
  }

  @Test
  void evaluatorsThatDoubleTheRuleAtEveryReferenceAreRejectedNotExpanded() {
    // found by NeverThrowsPropertiesTest: 40 evaluators each naming the next twice made 2^40 nodes and never finished
    StringBuilder evaluators = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      String next = i == 39 ? "{\"var\": \"email\"}" : "{\"$ref\": \"e" + (i + 1) + "\"}";
      evaluators.append(i == 0 ? "" : ", ").append("\"e").append(i).append("\": {\"cat\": [").append(next)
          .append(", ").append(next).append("]}");
    }
    FlagProblem p = onlyProblem("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1},"
        + " \"defaultVariant\": \"a\", \"targeting\": {\"$ref\": \"e0\"}}}, \"$evaluators\": {" + evaluators + "}}");
    assertThat(p.message()).contains("more than 100000 values");
    assertThat(p.jsonPath()).isEqualTo("$.flags.f.targeting");
  }

  @Test
  void refCycleInAnArgumentTheOperatorIgnoresLoadsAndStillTellsAChangedEvaluator() throws Exception {
    // found by NeverThrowsPropertiesTest: expanding the ignored $ref to tell changes recursed until the stack overflowed;
    // and under -Plong: the walk that replaced the expansion threw NullPointerException on a JSON null
    String file = "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
        + " \"defaultVariant\": \"off\", \"targeting\": {\"if\": [{\"$ref\": \"loop\"}, \"on\", \"off\"]}}},"
        + " \"$evaluators\": {\"loop\": {\"!\": [false, {\"$ref\": \"loop\"}, null]}}}";
    FlagSet before = FlagSet.parse(file, ORIGIN);
    assertThat(before.evaluate("f", Boolean.class, false, new ImmutableContext()).getValue()).isTrue();
    FlagSet after = FlagSet.parse(file.replace("[false,", "[true,"), ORIGIN);
    assertThat(after.evaluate("f", Boolean.class, true, new ImmutableContext()).getValue()).isFalse();
    assertThat(after.changedSince(before)).containsExactly("f");
  }

  @Test
  void anEvaluatorThatIsNullIsANullRule() throws Exception {
    // found by NeverThrowsPropertiesTest under -Plong: the walk for the evaluators a rule names threw NullPointerException
    FlagSet flags = FlagSet.parse("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
        + " \"defaultVariant\": \"off\", \"targeting\": {\"if\": [{\"$ref\": \"none\"}, \"on\", \"off\"]}}},"
        + " \"$evaluators\": {\"none\": null}}", ORIGIN);
    assertThat(flags.evaluate("f", Boolean.class, true, new ImmutableContext()).getValue()).isFalse();
  }

  @Test
  void unknownOperatorIsNotValidJsonLogic() {
    FlagProblem p = onlyProblem("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"x\", \"b\": \"y\"},"
        + " \"defaultVariant\": \"a\", \"targeting\": {\"if\": [{\"equals\": [1, 1]}, \"b\"]}}}}");
    assertThat(p.jsonPath()).isEqualTo("$.flags.f.targeting.if[0]");
    assertThat(p.message()).contains("unknown JsonLogic operator \"equals\"");
  }

  @Test
  void operationWithTwoKeysIsNotValidJsonLogic() {
    FlagProblem p = onlyProblem("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"x\"},"
        + " \"defaultVariant\": \"a\", \"targeting\": {\"==\": [1, 1], \"!=\": [1, 2]}}}}");
    assertThat(p.jsonPath()).isEqualTo("$.flags.f.targeting");
    assertThat(p.message()).contains("exactly one operator key");
  }

  @Test
  void everyProblemOfAFileIsReportedAtOnce() {
    List<FlagProblem> problems = problems("{\"flags\": {"
        + "\"a\": {\"state\": \"ON\", \"variants\": {\"x\": true}},"
        + "\"b\": {\"state\": \"ENABLED\", \"variants\": {}, \"defaultVariant\": 3},"
        + "\"c\": {\"state\": \"ENABLED\", \"variants\": {\"x\": null}, \"typo\": 1}}}");
    assertThat(problems).extracting(FlagProblem::jsonPath).containsExactlyInAnyOrder(
        "$.flags.a.state", "$.flags.b.variants", "$.flags.b.defaultVariant", "$.flags.c.typo", "$.flags.c.variants.x");
  }

  @Test
  void rootMustHaveFlags() {
    assertThat(problems("{\"flag\": {}}")).extracting(FlagProblem::jsonPath).containsExactly("$.flag", "$.flags");
    assertThat(problems("[]")).extracting(FlagProblem::jsonPath).containsExactly("$");
    assertThat(onlyProblem("{}").message()).contains("missing");
  }

  @Test
  void keysThatNeedQuotingArePrintedInBracketNotation() {
    FlagProblem p = onlyProblem("{\"flags\": {\"my flag\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1}, \"defaultVariant\": \"b\"}}}");
    assertThat(p.jsonPath()).isEqualTo("$.flags['my flag'].defaultVariant");
  }

  @Test
  void isolateFlagPolicyLoadsTheRestAndFailsTheBadFlagWithParseError() throws Exception {
    FlagSet set = FlagSet.parse("{\"flags\": {"
        + "\"good\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"},"
        + "\"bad\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"nope\"}}}",
        ORIGIN, FlagSetOptions.builder().invalidFlagPolicy(InvalidFlagPolicy.ISOLATE_FLAG).build());
    assertThat(set.problems()).extracting(FlagProblem::jsonPath).containsExactly("$.flags.bad.defaultVariant");
    assertThat(set.evaluate("good", Boolean.class, false, new ImmutableContext()).getValue()).isTrue();
    ProviderEvaluation<Boolean> bad = set.evaluate("bad", Boolean.class, false, new ImmutableContext());
    assertThat(bad.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(bad.getErrorMessage()).contains("$.flags.bad.defaultVariant");
    assertThat(bad.getValue()).isFalse();
  }

  @Test
  void isolateFlagIsTheDefaultPolicyAndParseWithoutOptionsIsAllOrNothing() throws Exception {
    String json = "{\"flags\": {"
        + "\"good\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"},"
        + "\"bad\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"nope\"}}}";
    assertThat(FlagSetOptions.defaults().invalidFlagPolicy()).isEqualTo(InvalidFlagPolicy.ISOLATE_FLAG);
    FlagSet loaded = FlagSet.parse(json, ORIGIN, FlagSetOptions.defaults());
    assertThat(loaded.invalidFlags()).containsOnlyKeys("bad");
    assertThat(loaded.evaluate("good", Boolean.class, false, null).getValue()).isTrue();
    assertThat(loaded.evaluate("bad", Boolean.class, false, null).getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    // the two-argument parse validates a file for CI or a test: any problem refuses it
    assertThatThrownBy(() -> FlagSet.parse(json, ORIGIN)).isInstanceOf(InvalidFlagSetException.class)
        .hasMessageContaining("$.flags.bad.defaultVariant");
  }

  @Test
  void nullAndAbsentDefaultVariantAreAllowed() throws Exception {
    FlagSet set = FlagSet.parse("{\"flags\": {"
        + "\"a\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": null},"
        + "\"b\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}}}}", ORIGIN);
    assertThat(set.flag("a").orElseThrow().defaultVariant()).isEmpty();
    assertThat(set.flag("b").orElseThrow().defaultVariant()).isEmpty();
  }

  @Test
  void changedSinceNamesExactlyTheFlagsThatChanged() throws Exception {
    String before = "{\"flags\": {"
        + "\"same\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"},"
        + "\"usesRef\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
        + "  \"targeting\": {\"if\": [{\"$ref\": \"admins\"}, \"on\"]}},"
        + "\"toggled\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"},"
        + "\"removed\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"}},"
        + "\"$evaluators\": {\"admins\": {\"==\": [{\"var\": \"role\"}, \"admin\"]}}}";
    String after = "{\"flags\": {"
        + "\"same\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"},"
        + "\"usesRef\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
        + "  \"targeting\": {\"if\": [{\"$ref\": \"admins\"}, \"on\"]}},"
        + "\"toggled\": {\"state\": \"DISABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"},"
        + "\"added\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"}},"
        + "\"$evaluators\": {\"admins\": {\"==\": [{\"var\": \"role\"}, \"root\"]}}}";
    FlagSet a = FlagSet.parse(before, ORIGIN);
    FlagSet b = FlagSet.parse(after, ORIGIN);
    assertThat(b.changedSince(a)).containsExactly("added", "removed", "toggled", "usesRef");
    assertThat(a.changedSince(FlagSet.parse(before, "elsewhere.json"))).isEmpty();
  }

  @Test
  void flagSetMetadataIsMergedIntoEachFlagAndFlagMetadataWins() throws Exception {
    FlagSet set = FlagSet.parse("{\"metadata\": {\"team\": \"payments\", \"version\": 1},"
        + " \"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\","
        + " \"metadata\": {\"version\": 2, \"ratio\": 0.5}}}}", ORIGIN);
    var md = set.evaluate("f", Boolean.class, false, null).getFlagMetadata();
    assertThat(md.getString("team")).isEqualTo("payments");
    assertThat(md.getInteger("version")).isEqualTo(2);
    assertThat(md.getDouble("ratio")).isEqualTo(0.5);
    assertThat(set.flag("f").orElseThrow().metadata()).containsOnlyKeys("version", "ratio");
  }

  @Test
  void builderValidatesLikeAFile() {
    FlagSet set = FlagSet.builder()
        .flag("new-checkout", f -> f.variant("on", true).variant("off", false).defaultVariant("off")
            .targeting("{\"if\": [{\"==\": [{\"var\": \"plan\"}, \"pro\"]}, \"on\"]}"))
        .build();
    assertThat(set.evaluate("new-checkout", Boolean.class, false, new ImmutableContext(
        java.util.Map.of("plan", new dev.openfeature.sdk.Value("pro")))).getValue()).isTrue();
    assertThatThrownBy(() -> FlagSet.builder().flag("x", f -> f.variant("on", true).defaultVariant("of")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("builder: $.flags.x.defaultVariant");
  }
}
