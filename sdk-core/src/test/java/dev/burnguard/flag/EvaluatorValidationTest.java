package dev.burnguard.flag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableContext;
import org.junit.jupiter.api.Test;

/**
 * Issue 11.4: every {@code $evaluators} entry is validated when the file loads, whether or not a
 * flag refers to it. Under the default policy a broken evaluator is a reported problem that fails
 * only the flags referring to it (PARSE_ERROR); under REJECT_FILE it refuses the file.
 */
class EvaluatorValidationTest {
  private static final String ORIGIN = "/etc/flags/evaluators.json";
  private static final String FILE = "{\"flags\": {"
      + "\"uses-good\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
      + "  \"targeting\": {\"if\": [{\"$ref\": \"is_admin\"}, \"on\", \"off\"]}},"
      + "\"uses-broken\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
      + "  \"targeting\": {\"if\": [{\"$ref\": \"broken_but_used\"}, \"on\", \"off\"]}},"
      + "\"plain\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"}},"
      + "\"$evaluators\": {"
      + "  \"is_admin\": {\"==\": [{\"var\": \"role\"}, \"admin\"]},"
      + "  \"unused_unknown_operator\": {\"and\": [true, {\"frobnicate\": [1, 2]}]},"
      + "  \"unused_missing_ref\": {\"or\": [{\"$ref\": \"nowhere\"}, false]},"
      + "  \"broken_but_used\": {\"in\": [\"@x.com\"], \"==\": [1, 1]},"
      + "  \"refers_to_itself\": {\"!\": [{\"$ref\": \"refers_to_itself\"}]},"
      + "  \"refers_to_a_good_one\": {\"and\": [{\"$ref\": \"is_admin\"}, {\"in\": [\"x\", {\"$ref\": \"a_list\"}]}]},"
      + "  \"a_list\": [\"x\", \"y\"]"
      + "}}";

  @Test
  void underTheDefaultPolicyEveryBrokenEvaluatorIsReportedAndOnlyFlagsUsingOneFail() throws Exception {
    FlagSet set = FlagSet.parse(FILE, ORIGIN, FlagSetOptions.defaults());

    assertThat(set.problems()).filteredOn(p -> p.message().startsWith("invalid evaluator "))
        .extracting(FlagProblem::jsonPath)
        .containsExactly("$.$evaluators.unused_unknown_operator.and[1]", "$.$evaluators.unused_missing_ref.or[0].$ref",
            "$.$evaluators.broken_but_used", "$.$evaluators.refers_to_itself['!'][0].$ref");
    assertThat(set.problems().get(3).message()).contains("$ref cycle: refers_to_itself -> refers_to_itself");
    FlagProblem unknownOperator = set.problems().get(0);
    assertThat(unknownOperator.origin()).isEqualTo(ORIGIN);
    assertThat(unknownOperator.value()).isEqualTo("{\"frobnicate\":[1,2]}");
    assertThat(unknownOperator.message()).contains("unused_unknown_operator").contains("\"frobnicate\"");
    FlagProblem missingRef = set.problems().get(1);
    assertThat(missingRef.value()).isEqualTo("\"nowhere\"");
    assertThat(missingRef.message()).contains("nowhere");

    // flags that do not refer to a broken evaluator are unaffected
    MutableContext admin = new MutableContext("u1");
    admin.add("role", "admin");
    assertThat(set.evaluate("uses-good", Boolean.class, false, admin).getValue()).isTrue();
    assertThat(set.evaluate("uses-good", Boolean.class, true, new ImmutableContext("u2")).getValue()).isFalse();
    assertThat(set.evaluate("plain", Boolean.class, false, null).getValue()).isTrue();
    // a flag that refers to one resolves with PARSE_ERROR, its problem at the path inside the evaluator
    var broken = set.evaluate("uses-broken", Boolean.class, true, admin);
    assertThat(broken.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(broken.getValue()).isTrue();
    assertThat(set.invalidFlags()).containsOnlyKeys("uses-broken");
    assertThat(set.invalidFlags().get("uses-broken")).extracting(FlagProblem::jsonPath)
        .containsExactly("$.$evaluators.broken_but_used");
  }

  @Test
  void underRejectFileAnUnreferencedBrokenEvaluatorRefusesTheFile() {
    String onlyUnused = FILE.replace("\"broken_but_used\"}, \"on\"", "\"is_admin\"}, \"on\"");
    assertThatThrownBy(() -> FlagSet.parse(onlyUnused, ORIGIN))
        .isInstanceOf(InvalidFlagSetException.class)
        .hasMessageContaining(ORIGIN + ": $.$evaluators.unused_unknown_operator.and[1]: invalid evaluator")
        .hasMessageContaining("$.$evaluators.unused_missing_ref.or[0].$ref")
        .hasMessageContaining("(value: \"nowhere\")");
  }

  @Test
  void validUnreferencedEvaluatorsAndNullOnesLoad() throws Exception {
    FlagSet set = FlagSet.parse("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true},"
        + " \"defaultVariant\": \"on\"}}, \"$evaluators\": {\"spare\": {\"starts_with\": [{\"var\": \"email\"}, \"a\"]},"
        + " \"list\": [\"a\", \"b\"], \"nothing\": null}}", ORIGIN);
    assertThat(set.problems()).isEmpty();
  }
}
