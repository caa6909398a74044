package dev.burnguard.fuzz;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random OpenFeature evaluation contexts: targeting keys missing, empty, blank, odd or huge;
 * attributes of every {@link Value} kind under the names targeting rules read ({@link
 * FlagFiles#VAR_PATHS}) and others, with NaN and infinite doubles, nulls, lists, structures nested
 * deep, and very long strings.
 */
final class Contexts {
  private Contexts() {}

  private static final List<String> ATTRIBUTES = List.of("email", "age", "version", "tier", "tags", "profile",
      "nested", "score", "when", "targetingKey", "$flagd", "current", "");

  /** A context, or null (the provider may be called without one). */
  static Arbitrary<EvaluationContext> contexts() {
    Arbitrary<String> targetingKey = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.strings().ofMaxLength(20)),
        Tuple.of(2, Arbitraries.of("", " ", "user-1", "\u0000", "a@example.com", "é\uD83D\uDE00", "\uD800")),
        Tuple.of(1, Arbitraries.strings().ofMinLength(1).ofMaxLength(4).map(s -> s.repeat(25_000))));
    Arbitrary<Map<String, Value>> attributes = Arbitraries.maps(
        Arbitraries.oneOf(Arbitraries.of(ATTRIBUTES), Arbitraries.strings().ofMaxLength(6)), values(3)).ofMaxSize(6);
    Arbitrary<EvaluationContext> context = Combinators.combine(targetingKey.injectNull(0.25), attributes,
            Arbitraries.of(true, false))
        .as((key, attrs, mutable) -> mutable ? new MutableContext(key, new HashMap<>(attrs))
            : new ImmutableContext(key, attrs));
    return Arbitraries.frequencyOf(
        Tuple.of(12, context),
        Tuple.of(1, deeplyNested().map(v -> new ImmutableContext("deep", Map.of("nested", v, "tags", v)))),
        Tuple.of(1, Arbitraries.just(new ImmutableContext())),
        Tuple.of(1, Arbitraries.just(null)));
  }

  /** Attribute values of depth up to {@code depth}. */
  static Arbitrary<Value> values(int depth) {
    Arbitrary<Value> scalar = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.strings().ofMaxLength(10).map(Value::new)),
        Tuple.of(2, Arbitraries.of("1.2.3", "v2.0.0-rc.1", "10", "", "Infinity", "a@example.com", "on", "true")
            .map(Value::new)),
        Tuple.of(1, Arbitraries.strings().ofMinLength(1).ofMaxLength(4).map(s -> new Value(s.repeat(12_500)))),
        Tuple.of(2, Arbitraries.integers().map(Value::new)),
        Tuple.of(1, Arbitraries.longs().map(Value::new)),
        Tuple.of(2, Arbitraries.doubles().map(Value::new)),
        Tuple.of(2, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
            Double.MIN_VALUE, Double.MAX_VALUE).map(Value::new)),
        Tuple.of(1, Arbitraries.of(true, false).map(Value::new)),
        Tuple.of(1, Arbitraries.just(new Value())),
        Tuple.of(1, Arbitraries.of(Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z")).map(Value::new)));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<Value> member = Arbitraries.lazy(() -> values(depth - 1));
    Arbitrary<Value> list = member.list().ofMaxSize(4).map(Value::new);
    Arbitrary<Value> structure = Arbitraries.maps(
            Arbitraries.oneOf(Arbitraries.of("address", "city", "next", "value", "0"), Arbitraries.strings().ofMaxLength(3)),
            member).ofMaxSize(3)
        .map(m -> new Value(new MutableStructure(new HashMap<>(m))));
    return Arbitraries.frequencyOf(Tuple.of(4, scalar), Tuple.of(1, list), Tuple.of(1, structure));
  }

  /** A list or structure nested 100 to 1,000 levels deep. */
  private static Arbitrary<Value> deeplyNested() {
    return Combinators.combine(Arbitraries.integers().between(100, 1_000), Arbitraries.of(true, false))
        .as((levels, lists) -> {
          Value v = new Value("bottom");
          for (int i = 0; i < levels; i++) {
            if (lists) {
              List<Value> l = new ArrayList<>();
              l.add(v);
              v = new Value(l);
            } else {
              v = new Value(new MutableStructure(new HashMap<>(Map.of("next", v, "value", new Value(i)))));
            }
          }
          return v;
        });
  }
}
