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
import java.util.function.Supplier;

/**
 * Random OpenFeature evaluation contexts: targeting keys missing, empty, blank, odd or huge;
 * attributes of every {@link Value} kind under the names targeting rules read ({@link
 * FlagFiles#VAR_PATHS}) and others, with NaN and infinite doubles, nulls, lists, structures nested
 * deep, and very long strings. Every choice comes from an {@link Entropy}.
 */
final class Contexts {
  private Contexts() {}

  private static final List<String> ATTRIBUTES = List.of("email", "age", "version", "tier", "tags", "profile",
      "nested", "score", "when", "targetingKey", "$flagd", "current", "");

  /** A context, or null (the provider may be called without one). */
  static EvaluationContext context(Entropy e) {
    return e.weighted(
        12, (Supplier<EvaluationContext>) () -> {
          String key = e.orNull(0.25, () -> e.weighted(
              4, (Supplier<String>) () -> e.string(20),
              2, (Supplier<String>) () -> e.pick("", " ", "user-1", "\u0000", "a@example.com", "é\uD83D\uDE00", "\uD800"),
              1, (Supplier<String>) () -> e.string(1, 4).repeat(25_000)));
          Map<String, Value> attributes = e.map(0, 6, () -> e.bool() ? e.pick(ATTRIBUTES) : e.string(6),
              () -> value(e, 3));
          return e.bool() ? new MutableContext(key, new HashMap<>(attributes)) : new ImmutableContext(key, attributes);
        },
        1, (Supplier<EvaluationContext>) () -> {
          Value v = deeplyNested(e);
          return new ImmutableContext("deep", Map.of("nested", v, "tags", v));
        },
        1, (Supplier<EvaluationContext>) ImmutableContext::new,
        1, (Supplier<EvaluationContext>) () -> null);
  }

  /** An attribute value of depth up to {@code depth}. */
  static Value value(Entropy e, int depth) {
    if (depth > 0) {
      switch (e.between(0, 5)) {
        case 0: return new Value(e.list(0, 4, () -> value(e, depth - 1)));
        case 1: return new Value(new MutableStructure(new HashMap<>(e.map(0, 3,
            () -> e.bool() ? e.pick("address", "city", "next", "value", "0") : e.string(3), () -> value(e, depth - 1)))));
        default: break;
      }
    }
    return e.weighted(
        3, (Supplier<Value>) () -> new Value(e.string(10)),
        2, (Supplier<Value>) () -> new Value(e.pick("1.2.3", "v2.0.0-rc.1", "10", "", "Infinity", "a@example.com", "on",
            "true")),
        1, (Supplier<Value>) () -> new Value(e.string(1, 4).repeat(12_500)),
        2, (Supplier<Value>) () -> new Value((int) e.anyLong()),
        1, (Supplier<Value>) () -> new Value(e.anyLong()),
        2, (Supplier<Value>) () -> new Value(e.anyDouble()),
        2, (Supplier<Value>) () -> new Value(e.pick(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
            Double.MIN_VALUE, Double.MAX_VALUE)),
        1, (Supplier<Value>) () -> new Value(e.bool()),
        1, (Supplier<Value>) Value::new,
        1, (Supplier<Value>) () -> new Value(e.pick(Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z"))));
  }

  /** A list or structure nested 100 to 1,000 levels deep. */
  private static Value deeplyNested(Entropy e) {
    int levels = e.between(100, 1_000);
    boolean lists = e.bool();
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
  }
}
