package dev.burnguard.benchmarks;

import com.launchdarkly.sdk.ContextBuilder;
import com.launchdarkly.sdk.LDContext;
import com.launchdarkly.sdk.LDValue;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.Value;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The users every evaluation benchmark cycles through, built once per trial so that no benchmark
 * pays for building a context: 64 (a hot set that stays in the caches) or 1,024 and more (each a
 * distinct targeting key, as in production, where the contexts do not stay cached). User {@code i} has a seeded random UUID as targeting key (so that
 * fractional bucketing hashes a different key each call) and the attributes
 * {@code email = "user<i>@example.com"}, {@code country = "NL"}, {@code plan} ("pro" or
 * "enterprise"), {@code age = 18 + i}, {@code beta} and {@code appVersion = "2.<1 + i % 8>.<i>"}.
 * The same users are built as OpenFeature contexts and as LaunchDarkly contexts.
 */
final class Users {
  /**
   * The small, hot set of users; also the users whose expected 50/50 split the peer benchmark
   * writes down as a 64-bit mask. A larger set starts with the same 64 users (the keys come from
   * one seeded sequence).
   */
  static final int HOT_SET = 64;

  private Users() {}

  /**
   * The users as OpenFeature contexts of {@code type}: {@code ImmutableContext} (copies the
   * {@link Value} on every read, targeting key included) or {@code MutableContext} (does not).
   */
  static EvaluationContext[] openFeature(String type, int count) {
    EvaluationContext[] out = new EvaluationContext[checked(count)];
    Random random = new Random(42);
    for (int i = 0; i < count; i++) {
      String targetingKey = targetingKey(random);
      Map<String, Value> attributes = new LinkedHashMap<>();
      attributes(i).forEach((name, value) -> attributes.put(name, value instanceof String s ? new Value(s)
          : value instanceof Integer n ? new Value(n) : new Value((Boolean) value)));
      switch (type) {
        case "ImmutableContext":
          out[i] = new ImmutableContext(targetingKey, attributes);
          break;
        case "MutableContext":
          out[i] = new MutableContext(targetingKey, attributes);
          break;
        default:
          throw new IllegalArgumentException("unknown contextType " + type);
      }
    }
    return out;
  }

  /** The same users as LaunchDarkly contexts of kind "user", keyed by the targeting key. */
  static LDContext[] launchDarkly(int count) {
    LDContext[] out = new LDContext[checked(count)];
    Random random = new Random(42);
    for (int i = 0; i < count; i++) {
      ContextBuilder b = LDContext.builder(targetingKey(random));
      attributes(i).forEach((name, value) -> b.set(name, value instanceof String s ? LDValue.of(s)
          : value instanceof Integer n ? LDValue.of(n) : LDValue.of((Boolean) value)));
      out[i] = b.build();
    }
    return out;
  }

  /** {@code count}, a power of two (so that a cursor wraps with a mask) of at least {@link #HOT_SET}. */
  private static int checked(int count) {
    if (Integer.bitCount(count) != 1 || count < HOT_SET) {
      throw new IllegalArgumentException("users must be a power of two of at least " + HOT_SET + ", got " + count);
    }
    return count;
  }

  private static String targetingKey(Random random) {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static Map<String, Object> attributes(int i) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("email", "user" + i + "@example.com");
    attributes.put("country", "NL");
    attributes.put("plan", i % 2 == 0 ? "pro" : "enterprise");
    attributes.put("age", 18 + i);
    attributes.put("beta", i % 3 == 0);
    attributes.put("appVersion", "2." + (1 + i % 8) + "." + i);
    return attributes;
  }
}
