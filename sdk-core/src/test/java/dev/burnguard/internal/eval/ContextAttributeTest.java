package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A context attribute read for {@code var}: strings, numbers and booleans are read in place (so
 * that the copy {@code ImmutableContext} makes on every read does not escape), everything else
 * through {@link Values#unwrap}. Both must give what the general path, {@code
 * Values.unwrap(ctx.getValue(name))}, gives.
 */
class ContextAttributeTest {
  private static final String[] NAMES = {"email", "country", "age", "score", "beta", "nothing", "tags",
      "address", "since", "absent", "targetingKey", "\u00e9t\u00e9"};

  /** 2,000 seeded random contexts (half ImmutableContext, half MutableContext), every name read from each. */
  @Test
  void inPlaceReadGivesWhatTheGeneralPathGives() {
    Random random = new Random(18);
    int inPlace = 0;
    int general = 0;
    for (int run = 0; run < 2_000; run++) {
      Map<String, Value> attributes = new HashMap<>();
      for (String name : NAMES) {
        if (!"targetingKey".equals(name) && random.nextInt(5) != 0) {
          attributes.put(name, randomValue(random, 2));
        }
      }
      String targetingKey = random.nextInt(4) == 0 ? null : "user-" + random.nextInt(1000);
      EvaluationContext ctx = run % 2 == 0 ? new ImmutableContext(targetingKey, attributes)
          : new MutableContext(targetingKey, attributes);
      for (String name : NAMES) {
        // a fresh, non-interned name, as a flag file's parser makes it
        String asParsed = new String(name.toCharArray());
        Object expected = "targetingKey".equals(name) && ctx.getTargetingKey() != null ? ctx.getTargetingKey()
            : Values.unwrap(ctx.getValue(name));
        Object actual = Operators.contextAttribute(ctx, asParsed);
        assertThat(actual).as("%s of %s", name, ctx).isEqualTo(expected);
        if (actual instanceof String || actual instanceof Number || actual instanceof Boolean) {
          inPlace++;
        } else if (actual != null) {
          general++;
        }
      }
    }
    // both paths are exercised many times
    assertThat(inPlace).isGreaterThan(5_000);
    assertThat(general).isGreaterThan(1_000);
  }

  @Test
  void absentAndNullValuesAndAbsentContextsAreNull() {
    assertThat(Operators.contextAttribute(null, "email")).isNull();
    assertThat(Operators.contextAttribute(new ImmutableContext(), "email")).isNull();
    assertThat(Operators.contextAttribute(new ImmutableContext(Map.of("email", new Value())), "email")).isNull();
    assertThat(Operators.contextAttribute(new MutableContext().add("email", (String) null), "email")).isNull();
  }

  private static Value randomValue(Random random, int depth) {
    switch (random.nextInt(depth > 0 ? 9 : 6)) {
      case 0: return new Value("s" + random.nextInt(100) + (random.nextBoolean() ? "\u00e9\ud83d\ude00" : ""));
      case 1: return new Value(random.nextInt());
      case 2: return new Value(random.nextDouble());
      case 3: return new Value(random.nextBoolean());
      case 4: return new Value();
      case 5: return new Value(Instant.ofEpochSecond(random.nextInt(2_000_000_000)));
      case 6: {
        List<Value> list = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          list.add(randomValue(random, depth - 1));
        }
        return new Value(list);
      }
      default: {
        Map<String, Value> members = new HashMap<>();
        members.put("m" + random.nextInt(3), randomValue(random, depth - 1));
        return new Value(new ImmutableStructure(members));
      }
    }
  }
}
