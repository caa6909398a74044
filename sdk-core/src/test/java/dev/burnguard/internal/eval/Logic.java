package dev.burnguard.internal.eval;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.time.Clock;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compiles and evaluates JsonLogic rules in tests, and normalizes results for comparison. */
final class Logic {
  static final Clock CLOCK = new ManualClock(Instant.parse("2026-01-02T03:04:05Z"));

  private Logic() {}

  /** Compiles {@code rule} as the targeting of flag {@code flagKey}. */
  static Node compile(String rule, Map<String, Object> evaluators, String flagKey) {
    try {
      return TargetingCompiler.compile(JsonReader.read(rule), "$.flags.test.targeting", evaluators, flagKey);
    } catch (TargetingException e) {
      throw new AssertionError("does not compile: " + rule + ": " + e.jsonPath() + ": " + e.getMessage(), e);
    }
  }

  /** Evaluates {@code rule} for flag "test-flag" against {@code context} (may be null). */
  static Object eval(String rule, EvaluationContext context) {
    return evalFor("test-flag", compile(rule, Map.of(), "test-flag"), context);
  }

  static Object eval(String rule) {
    return eval(rule, new ImmutableContext());
  }

  static Object evalFor(String flagKey, Node node, EvaluationContext context) {
    Frame frame = Frame.acquire(context, flagKey, CLOCK);
    try {
      return node.eval(frame);
    } finally {
      frame.release();
    }
  }

  /** A result as plain JSON with every number a Double, so that 1, 1L and 1.0 compare equal. */
  static Object json(Object v) {
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof Value) {
      return json(Values.unwrap((Value) v));
    }
    if (v instanceof Structure) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Structure) v).asMap().forEach((k, e) -> out.put(k, json(e)));
      return out;
    }
    if (v instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<?, ?>) v).forEach((k, e) -> out.put((String) k, json(e)));
      return out;
    }
    if (v instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object e : (List<?>) v) {
        out.add(json(e));
      }
      return out;
    }
    return v;
  }

  /** Expected JSON written as JSON text, normalized like {@link #json}. */
  static Object expected(String jsonText) {
    return json(JsonReader.read(jsonText));
  }
}
