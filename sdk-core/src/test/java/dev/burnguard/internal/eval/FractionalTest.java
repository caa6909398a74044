package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * flagd's {@code fractional}: bucket = (murmur3_x86_32(key) as unsigned * totalWeight) >> 32, and
 * the first bucket whose cumulative weight exceeds it wins. The hashes used here are vectors checked
 * in {@link Murmur3Test}; the buckets are worked out from them by hand:
 *
 * <pre>
 * "hello"                 0x248bfa47  * 100 >> 32 = 14
 * "Hello, world!"         0xc0363e43  * 100 >> 32 = 75,  * 2 >> 32 = 1
 * "flag-key" + "user-1"   0xd73f90f6  * 100 >> 32 = 84
 * </pre>
 */
class FractionalTest {
  private static Object eval(String rule, EvaluationContext context) {
    return Logic.evalFor("flag-key", Logic.compile(rule, Map.of(), "flag-key"), context);
  }

  private static Object eval(String rule) {
    return eval(rule, new ImmutableContext());
  }

  @Test
  void bucketBoundariesFollowTheIntegerFormula() {
    // bucket 14: a bucket covering [0, 14) misses it, [0, 15) holds it
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 14], [\"b\", 86]]}")).isEqualTo("b");
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 15], [\"b\", 85]]}")).isEqualTo("a");
    // bucket 75
    assertThat(eval("{\"fractional\": [\"Hello, world!\", [\"a\", 75], [\"b\", 25]]}")).isEqualTo("b");
    assertThat(eval("{\"fractional\": [\"Hello, world!\", [\"a\", 76], [\"b\", 24]]}")).isEqualTo("a");
  }

  @Test
  void weightsAreRelativeNotPercentages() {
    // total 2: bucket 1 of [0, 2) is the second half
    assertThat(eval("{\"fractional\": [\"Hello, world!\", [\"a\", 1], [\"b\", 1]]}")).isEqualTo("b");
    // the default weight is 1
    assertThat(eval("{\"fractional\": [\"Hello, world!\", [\"a\"], [\"b\"]]}")).isEqualTo("b");
    assertThat(eval("{\"fractional\": [\"Hello, world!\", [\"a\", 1000000], [\"b\", 1000000]]}")).isEqualTo("b");
  }

  @Test
  void withoutABucketingKeyItHashesFlagKeyAndTargetingKey() {
    ImmutableContext user1 = new ImmutableContext("user-1");
    assertThat(eval("{\"fractional\": [[\"a\", 84], [\"b\", 16]]}", user1)).isEqualTo("b");
    assertThat(eval("{\"fractional\": [[\"a\", 85], [\"b\", 15]]}", user1)).isEqualTo("a");
  }

  @Test
  void withoutATargetingKeyTheShorthandHasNothingToBucketAndGivesNull() {
    // were "" hashed, every anonymous caller would land in the same bucket
    String rule = "{\"fractional\": [[\"a\", 50], [\"b\", 50]]}";
    assertThat(eval(rule, new ImmutableContext())).isNull();
    assertThat(eval(rule, new ImmutableContext(""))).isNull();
    assertThat(eval(rule, null)).isNull();
  }

  @Test
  void aBucketingKeyThatIsNullFallsBackToFlagKeyAndTargetingKey() {
    // flagd: "if the bucketing property expression doesn't return a string", flagKey + targetingKey
    String rule = "{\"fractional\": [{\"var\": \"missing\"}, [\"a\", 84], [\"b\", 16]]}";
    assertThat(eval(rule, new ImmutableContext("user-1"))).isEqualTo("b");
    assertThat(eval(rule, new ImmutableContext())).isNull();
  }

  @Test
  void aBucketingKeyOfAnotherTypeGivesNull() {
    EvaluationContext ctx = new ImmutableContext("user-1", Map.of("age", new Value(36)));
    assertThat(eval("{\"fractional\": [{\"var\": \"age\"}, [\"a\", 50], [\"b\", 50]]}", ctx)).isNull();
  }

  @Test
  void zeroTotalGivesNullAndNegativeWeightsCountAsZero() {
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 0], [\"b\", 0]]}")).isNull();
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", -50], [\"b\", 100]]}")).isEqualTo("b");
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 100], [\"b\", -5]]}")).isEqualTo("a");
  }

  @Test
  void weightsThatAreNotWholeNumbersVoidTheSplitAsInFlagd() {
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 12.5], [\"b\", 87.5]]}")).isNull();
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", \"50\"], [\"b\", 50]]}")).isNull();
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", true], [\"b\", 50]]}")).isNull();
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 3000000000], [\"b\", 1]]}")).isNull();
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 2000000000], [\"b\", 2000000000]]}")).isNull();
    // computed weights are checked alike
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", {\"/\": [1, 2]}], [\"b\", 1]]}")).isNull();
    // 50.0 is a whole number; a null weight counts as 1 (total 2: bucket 0 of "hello" is "a")
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", 50.0], [\"b\", 50]]}")).isEqualTo("a");
    assertThat(eval("{\"fractional\": [\"Hello, world!\", [\"a\", null], [\"b\", 1]]}")).isEqualTo("b");
    assertThat(eval("{\"fractional\": [\"hello\", [\"a\", null], [\"b\", 1]]}")).isEqualTo("a");
  }

  @Test
  void variantsAndWeightsMayBeExpressions() {
    EvaluationContext premium = new ImmutableContext("user-1", Map.of("tier", new Value("premium")));
    EvaluationContext basic = new ImmutableContext("user-1", Map.of("tier", new Value("basic")));
    String weights = "{\"fractional\": [\"hello\", [\"a\", {\"if\": [{\"==\": [{\"var\": \"tier\"}, \"premium\"]}, 100, 0]}],"
        + " [\"b\", 10]]}";
    assertThat(eval(weights, premium)).isEqualTo("a");
    assertThat(eval(weights, basic)).isEqualTo("b");
    String variants = "{\"fractional\": [\"hello\", [{\"cat\": [\"x-\", {\"var\": \"tier\"}]}, 1]]}";
    assertThat(eval(variants, premium)).isEqualTo("x-premium");
  }

  @Test
  void theFrameRecordsWhetherASplitDecided() {
    Node split = Logic.compile("{\"if\": [true, {\"fractional\": [\"hello\", [\"a\", 1]]}, \"b\"]}", Map.of(), "flag-key");
    Frame frame = Frame.acquire(new ImmutableContext(), "flag-key", Logic.CLOCK);
    assertThat(split.eval(frame)).isEqualTo("a");
    assertThat(frame.splitDecided()).isTrue();
    frame.release();

    Node none = Logic.compile("{\"fractional\": [[\"a\", 1]]}", Map.of(), "flag-key");
    frame = Frame.acquire(new ImmutableContext(), "flag-key", Logic.CLOCK);
    assertThat(none.eval(frame)).isNull();
    assertThat(frame.splitDecided()).isFalse();
    frame.release();
  }

  @Test
  void distributionFollowsTheWeights() {
    // 10 000 distinct keys over 10/30/60: each share within 2 points of its weight
    int[] counts = new int[3];
    Node node = Logic.compile("{\"fractional\": [{\"var\": \"id\"}, [\"a\", 10], [\"b\", 30], [\"c\", 60]]}", Map.of(), "flag-key");
    for (int i = 0; i < 10_000; i++) {
      Object v = Logic.evalFor("flag-key", node, new ImmutableContext(Map.of("id", new Value("user-" + i))));
      counts[((String) v).charAt(0) - 'a']++;
    }
    assertThat(counts[0]).isBetween(800, 1200);
    assertThat(counts[1]).isBetween(2800, 3200);
    assertThat(counts[2]).isBetween(5800, 6200);
  }
}
