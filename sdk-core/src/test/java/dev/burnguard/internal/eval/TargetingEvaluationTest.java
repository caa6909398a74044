package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.flag.FlagSet;
import dev.burnguard.internal.json.JsonReader;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** flagd's additions to JsonLogic, compile-time checks, and how a targeting result picks a variant. */
class TargetingEvaluationTest {
  private static final long NOW_SECONDS = 1767323045L; // Logic.CLOCK: 2026-01-02T03:04:05Z

  @Test
  void flagdPropertiesAreTheFlagKeyAndTheClocksUnixSeconds() {
    Node key = Logic.compile("{\"var\": \"$flagd.flagKey\"}", Map.of(), "checkout");
    assertThat(Logic.evalFor("checkout", key, new ImmutableContext())).isEqualTo("checkout");
    assertThat(Logic.json(Logic.eval("{\"var\": \"$flagd.timestamp\"}"))).isEqualTo((double) NOW_SECONDS);
    assertThat(Logic.json(Logic.eval("{\"var\": \"$flagd\"}")))
        .isEqualTo(Map.of("flagKey", "test-flag", "timestamp", (double) NOW_SECONDS));
    assertThat(Logic.eval("{\"var\": \"$flagd.other\"}")).isNull();
    // a context attribute named $flagd cannot override them
    EvaluationContext spoof = new ImmutableContext(Map.of("$flagd", new Value("spoofed")));
    assertThat(Logic.eval("{\"var\": \"$flagd.flagKey\"}", spoof)).isEqualTo("test-flag");
    // and they work without any context
    assertThat(Logic.eval("{\"var\": \"$flagd.flagKey\"}", null)).isEqualTo("test-flag");
  }

  @Test
  void targetingKeyIsReadFromTheContext() {
    assertThat(Logic.eval("{\"var\": \"targetingKey\"}", new ImmutableContext("u-1"))).isEqualTo("u-1");
    assertThat(Logic.eval("{\"var\": \"targetingKey\"}", new ImmutableContext())).isNull();
    assertThat(Logic.eval("{\"var\": \"anything\"}", null)).isNull();
  }

  @Test
  void startsWithAndEndsWithNeedTwoStrings() {
    EvaluationContext ctx = new ImmutableContext(Map.of("email", new Value("ada@example.com"), "n", new Value(123)));
    assertThat(Logic.eval("{\"starts_with\": [{\"var\": \"email\"}, \"ada@\"]}", ctx)).isEqualTo(true);
    assertThat(Logic.eval("{\"starts_with\": [{\"var\": \"email\"}, \"bob@\"]}", ctx)).isEqualTo(false);
    assertThat(Logic.eval("{\"ends_with\": [{\"var\": \"email\"}, \"@example.com\"]}", ctx)).isEqualTo(true);
    assertThat(Logic.eval("{\"ends_with\": [{\"var\": \"email\"}, \".org\"]}", ctx)).isEqualTo(false);
    assertThat(Logic.eval("{\"starts_with\": [{\"var\": \"email\"}, \"\"]}", ctx)).isEqualTo(true);
    // null, not false, so that targeting falls back to the default variant
    assertThat(Logic.eval("{\"starts_with\": [{\"var\": \"n\"}, \"1\"]}", ctx)).isNull();
    assertThat(Logic.eval("{\"ends_with\": [{\"var\": \"missing\"}, \"x\"]}", ctx)).isNull();
    assertThat(Logic.eval("{\"starts_with\": [\"abc\"]}", ctx)).isNull();
    assertThat(Logic.eval("{\"ends_with\": [\"abc\", \"c\", \"c\"]}", ctx)).isNull();
  }

  @Test
  void refsExpandSharedEvaluators() {
    Map<String, Object> evaluators = Map.of(
        "is_admin", JsonReader.read("{\"in\": [{\"var\": \"role\"}, [\"admin\", \"owner\"]]}"),
        "admin_or_beta", JsonReader.read("{\"or\": [{\"$ref\": \"is_admin\"}, {\"var\": \"beta\"}]}"));
    Node node = Logic.compile("{\"if\": [{\"$ref\": \"admin_or_beta\"}, \"on\", \"off\"]}", evaluators, "f");
    assertThat(Logic.evalFor("f", node, new ImmutableContext(Map.of("role", new Value("owner"))))).isEqualTo("on");
    assertThat(Logic.evalFor("f", node, new ImmutableContext(Map.of("beta", new Value(true))))).isEqualTo("on");
    assertThat(Logic.evalFor("f", node, new ImmutableContext())).isEqualTo("off");
  }

  @Test
  void whatCannotBeEvaluatedIsRejectedAtCompileTimeWithItsPath() {
    assertRejected("{\"nope\": [1]}", Map.of(), "$.t", "unknown JsonLogic operator \"nope\"");
    assertRejected("{\"==\": [1, 1], \"!=\": [1, 2]}", Map.of(), "$.t", "exactly one operator key");
    assertRejected("{\"if\": [{\"$ref\": \"missing\"}, 1]}", Map.of(), "$.t.if[0].$ref", "not defined");
    assertRejected("{\"$ref\": \"a\"}", Map.of("a", JsonReader.read("{\"$ref\": \"b\"}"),
        "b", JsonReader.read("{\"!\": {\"$ref\": \"a\"}}")), null, "$ref cycle: a -> b -> a");
    assertRejected("{\"fractional\": [\"key\"]}", Map.of(), "$.t.fractional", "at least one");
    assertRejected("{\"fractional\": [\"key\", [\"a\", 1, 2]]}", Map.of(), "$.t.fractional[1]", "[variant, weight]");
    assertRejected("{\"fractional\": {\"var\": \"x\"}}", Map.of(), "$.t.fractional", "takes an array");
  }

  private static void assertRejected(String rule, Map<String, Object> evaluators, String path, String message) {
    assertThatThrownBy(() -> TargetingCompiler.compile(JsonReader.read(rule), "$.t", evaluators, "f"))
        .isInstanceOf(TargetingException.class)
        .hasMessageContaining(message)
        .satisfies(e -> {
          if (path != null) {
            assertThat(((TargetingException) e).jsonPath()).isEqualTo(path);
          }
        });
  }

  // ---------------------------------------------------------------- from targeting result to variant

  private static final FlagSet FLAGS = FlagSet.builder()
      .flag("static", f -> f.variant("on", true).variant("off", false).defaultVariant("on"))
      .flag("by-tier", f -> f.variant("gold", "G").variant("basic", "B").defaultVariant("basic")
          .targeting("{\"if\": [{\"==\": [{\"var\": \"tier\"}, \"gold\"]}, \"gold\", null]}"))
      .flag("boolean-result", f -> f.variant("true", 1).variant("false", 0).defaultVariant("false")
          .targeting("{\">\": [{\"var\": \"age\"}, 17]}"))
      .flag("split", f -> f.variant("a", "A").variant("b", "B").defaultVariant("a")
          .targeting("{\"fractional\": [[\"a\", 1], [\"b\", 1]]}"))
      .flag("split-then-rule", f -> f.variant("a", "A").variant("b", "B").defaultVariant("a")
          .targeting("{\"if\": [{\"fractional\": [[true, 1]]}, \"b\", \"a\"]}"))
      .flag("unknown-variant", f -> f.variant("a", "A").defaultVariant("a").targeting("{\"var\": \"pick\"}"))
      .flag("no-default", f -> f.variant("a", "A").targeting("{\"if\": [{\"var\": \"pick\"}, \"a\", null]}"))
      .build();

  private static ProviderEvaluation<String> resolve(String key, EvaluationContext ctx) {
    return FLAGS.evaluate(key, String.class, "caller-default", ctx);
  }

  @Test
  void noTargetingServesTheDefaultVariantAsStatic() {
    ProviderEvaluation<Boolean> r = FLAGS.evaluate("static", Boolean.class, false, new ImmutableContext());
    assertThat(r.getValue()).isTrue();
    assertThat(r.getVariant()).isEqualTo("on");
    assertThat(r.getReason()).isEqualTo(Reason.STATIC.name());
  }

  @Test
  void aVariantNameIsATargetingMatchAndNullIsTheDefault() {
    ProviderEvaluation<String> gold = resolve("by-tier", new ImmutableContext(Map.of("tier", new Value("gold"))));
    assertThat(gold.getValue()).isEqualTo("G");
    assertThat(gold.getVariant()).isEqualTo("gold");
    assertThat(gold.getReason()).isEqualTo(Reason.TARGETING_MATCH.name());
    ProviderEvaluation<String> other = resolve("by-tier", new ImmutableContext());
    assertThat(other.getValue()).isEqualTo("B");
    assertThat(other.getVariant()).isEqualTo("basic");
    assertThat(other.getReason()).isEqualTo(Reason.DEFAULT.name());
    assertThat(other.getErrorCode()).isNull();
  }

  @Test
  void aBooleanResultNamesTheVariantTrueOrFalse() {
    ProviderEvaluation<Integer> adult = FLAGS.evaluate("boolean-result", Integer.class, -1,
        new ImmutableContext(Map.of("age", new Value(30))));
    assertThat(adult.getValue()).isEqualTo(1);
    assertThat(adult.getVariant()).isEqualTo("true");
    ProviderEvaluation<Integer> minor = FLAGS.evaluate("boolean-result", Integer.class, -1,
        new ImmutableContext(Map.of("age", new Value(12))));
    assertThat(minor.getValue()).isEqualTo(0);
    assertThat(minor.getVariant()).isEqualTo("false");
    assertThat(minor.getReason()).isEqualTo(Reason.TARGETING_MATCH.name());
  }

  @Test
  void aBucketChosenByFractionalIsASplit() {
    ProviderEvaluation<String> r = resolve("split", new ImmutableContext("user-1"));
    assertThat(r.getReason()).isEqualTo(Reason.SPLIT.name());
    assertThat(r.getVariant()).isIn("a", "b");
    // no targeting key: nothing to split on, so the default variant
    ProviderEvaluation<String> anonymous = resolve("split", new ImmutableContext());
    assertThat(anonymous.getReason()).isEqualTo(Reason.DEFAULT.name());
    assertThat(anonymous.getVariant()).isEqualTo("a");
    // a split inside a condition still decided the result
    assertThat(resolve("split-then-rule", new ImmutableContext("user-1")).getReason()).isEqualTo(Reason.SPLIT.name());
  }

  @Test
  void aPlainSplitResolvesExactlyAsTheFractionalOperator() {
    // the same flag resolved as a plain split and, inside an "if" that always holds, by the operator
    String split = "{\"fractional\": [[\"a\", 30], [\"b\", 50], [true, 15], [null, 4], [\"zzz\", 1]]}";
    FlagSet plainSet = FlagSet.builder().flag("split", f -> f.variant("a", "A").variant("b", "B")
        .variant("true", "T").defaultVariant("a").targeting(split)).build();
    FlagSet wrappedSet = FlagSet.builder().flag("split", f -> f.variant("a", "A").variant("b", "B")
        .variant("true", "T").defaultVariant("a").targeting("{\"if\": [{\"!\": {\"var\": \"never\"}}, " + split + ", null]}"))
        .build();
    java.util.Set<String> outcomes = new java.util.TreeSet<>();
    for (int i = 0; i < 2000; i++) {
      EvaluationContext user = new ImmutableContext("user-" + i);
      ProviderEvaluation<String> plain = plainSet.evaluate("split", String.class, "caller-default", user);
      ProviderEvaluation<String> wrapped = wrappedSet.evaluate("split", String.class, "caller-default", user);
      String outcome = plain.getVariant() + " " + plain.getReason() + " " + plain.getErrorCode();
      assertThat(outcome).as("user-%d", i)
          .isEqualTo(wrapped.getVariant() + " " + wrapped.getReason() + " " + wrapped.getErrorCode());
      assertThat(plain.getValue()).isEqualTo(wrapped.getValue());
      assertThat(plainSet.assignedVariant("split", user)).isEqualTo(wrappedSet.assignedVariant("split", user));
      outcomes.add(outcome);
    }
    // every kind of bucket was hit: a variant, a boolean naming "true", null (the default) and no variant
    assertThat(outcomes).containsExactly("a DEFAULT null", "a SPLIT null", "b SPLIT null", "null ERROR GENERAL",
        "true SPLIT null");
    assertThat(plainSet.evaluate("split", String.class, "caller-default", new ImmutableContext()).getReason())
        .isEqualTo(Reason.DEFAULT.name());
  }

  @Test
  void aResultThatNamesNoVariantIsAnErrorWithTheCallersDefault() {
    ProviderEvaluation<String> unknown = resolve("unknown-variant", new ImmutableContext(Map.of("pick", new Value("zzz"))));
    assertThat(unknown.getValue()).isEqualTo("caller-default");
    assertThat(unknown.getReason()).isEqualTo(Reason.ERROR.name());
    assertThat(unknown.getErrorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(unknown.getErrorMessage()).contains("zzz");
    ProviderEvaluation<String> number = resolve("unknown-variant", new ImmutableContext(Map.of("pick", new Value(3))));
    assertThat(number.getErrorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(number.getValue()).isEqualTo("caller-default");
  }

  @Test
  void withoutADefaultVariantNullGivesTheCallersDefault() {
    ProviderEvaluation<String> r = resolve("no-default", new ImmutableContext());
    assertThat(r.getValue()).isEqualTo("caller-default");
    assertThat(r.getVariant()).isNull();
    assertThat(r.getReason()).isEqualTo(Reason.DEFAULT.name());
    assertThat(r.getErrorCode()).isNull();
    assertThat(resolve("no-default", new ImmutableContext(Map.of("pick", new Value(true)))).getValue()).isEqualTo("A");
  }
}
