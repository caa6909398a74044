package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The percentage-split fast path ({@link TargetingKeySplit}: the flag key's MurmurHash3 state taken
 * once at compile time, the targeting key's UTF-8 bytes mixed straight from its chars) lands every
 * key in the same bucket as the general path, which builds the bucketing key {@code flagKey +
 * targetingKey} as a string with {@code cat} and hashes it whole, and as the independent reference
 * over {@code (flagKey + targetingKey).getBytes(UTF_8)} ({@link FractionalReferenceTest#referenceBucket}).
 *
 * <p>300 seeded flag keys (ASCII of every length modulo 4, so the prefix leaves 0 to 3 bytes
 * pending, and non-ASCII) times 200 seeded targeting keys each: ASCII, two- and three-byte
 * characters, surrogate pairs, unpaired high and low surrogates at the start, middle and end, and
 * long keys; both context types. 60,000 keys, each checked three ways.
 */
class DefaultBucketingKeyTest {
  private static final int FLAGS = 300;
  private static final int KEYS_PER_FLAG = 200;
  private static final long[] WEIGHTS = {13, 29, 7, 51};

  @Test
  void fastPathAgreesWithTheGeneralPathAndTheReferenceBitForBit() {
    Random random = new Random(18_2026_12_05L);
    int checked = 0;
    int[] hits = new int[WEIGHTS.length];
    for (int flag = 0; flag < FLAGS; flag++) {
      String flagKey = flagKey(random, flag);
      TargetingKeySplit split = TargetingKeySplit.of(Logic.compile(rule(""), Map.of(), flagKey));
      assertThat(split).as("a literal fractional on the default key compiles to the fast path").isNotNull();
      Node general = Logic.compile(
          rule("{\"cat\": [{\"var\": \"$flagd.flagKey\"}, {\"var\": \"targetingKey\"}]}, "), Map.of(), flagKey);
      for (int k = 0; k < KEYS_PER_FLAG; k++) {
        String key = targetingKey(random);
        EvaluationContext context = k % 2 == 0 ? new ImmutableContext(key) : new MutableContext(key);
        int fast = split.bucket(context);
        int reference = FractionalReferenceTest.referenceBucket(flagKey + key, WEIGHTS);
        Object viaCat = Logic.evalFor(flagKey, general, context);
        assertThat(fast).as("flag %s, key %s: fast path vs reference", escaped(flagKey), escaped(key))
            .isEqualTo(reference);
        assertThat(viaCat).as("flag %s, key %s: general path", escaped(flagKey), escaped(key))
            .isEqualTo("v" + reference);
        assertThat(split.result(fast)).isEqualTo("v" + reference);
        hits[fast]++;
        checked++;
      }
    }
    assertThat(checked).isEqualTo(FLAGS * KEYS_PER_FLAG);
    assertThat(hits).as("every bucket reached").doesNotContain(0);
  }

  @Test
  void theHashItselfMatchesTheReferenceForEveryKey() {
    // the bucket is coarse (4 buckets); the hash is checked exactly too
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String flagKey = flagKey(random, i);
      String key = targetingKey(random);
      assertThat(Murmur3.hash(Murmur3.prefix(flagKey), key))
          .as("flag %s, key %s", escaped(flagKey), escaped(key))
          .isEqualTo(FractionalReferenceTest.murmur3((flagKey + key).getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void keysWithoutTargetingKeyFallOutOfTheSplit() {
    TargetingKeySplit split = TargetingKeySplit.of(Logic.compile(rule(""), Map.of(), "flag"));
    assertThat(split.bucket(null)).isEqualTo(-1);
    assertThat(split.bucket(new ImmutableContext())).isEqualTo(-1);
    assertThat(split.bucket(new ImmutableContext(""))).isEqualTo(-1);
  }

  private static String rule(String key) {
    StringBuilder rule = new StringBuilder("{\"fractional\": [").append(key);
    for (int i = 0; i < WEIGHTS.length; i++) {
      rule.append(i == 0 ? "" : ", ").append("[\"v").append(i).append("\", ").append(WEIGHTS[i]).append(']');
    }
    return rule.append("]}").toString();
  }

  /**
   * ASCII keys of every length (so the prefix leaves 0 to 3 bytes pending) and keys with non-ASCII
   * characters. Never ending in a high surrogate: the two parts are encoded separately, so a
   * surrogate pair split across flag key and targeting key is (deliberately) not a pair.
   */
  private static String flagKey(Random random, int n) {
    StringBuilder s = new StringBuilder("f").append(n);
    int extra = random.nextInt(9);
    for (int i = 0; i < extra; i++) {
      s.append(random.nextInt(5) == 0 ? (char) (0xC0 + random.nextInt(0x700)) : (char) ('a' + random.nextInt(26)));
    }
    if (random.nextInt(6) == 0) {
      s.appendCodePoint(0x1F600 + random.nextInt(0x40)); // ends in a complete pair
    }
    return s.toString();
  }

  /** Non-empty keys mixing every UTF-8 length, surrogate pairs and unpaired surrogates. */
  private static String targetingKey(Random random) {
    switch (random.nextInt(5)) {
      case 0:
        return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
      case 1:
        return "user-" + random.nextInt(1_000_000);
      default: {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(48);
        for (int i = 0; i < n; i++) {
          switch (random.nextInt(7)) {
            case 0: s.append((char) (0x80 + random.nextInt(0x780))); break;          // 2 bytes
            case 1: s.append((char) (0x800 + random.nextInt(0xD000 - 0x800))); break; // 3 bytes
            case 2: s.appendCodePoint(0x10000 + random.nextInt(0xFFFFF)); break;     // pair, 4 bytes
            case 3: s.append((char) (0xD800 + random.nextInt(0x800))); break;        // lone surrogate
            default: s.append((char) (0x20 + random.nextInt(0x5F))); break;          // ASCII
          }
        }
        return s.toString();
      }
    }
  }

  private static String escaped(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      out.append(c < 0x80 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return out.append('"').toString();
  }
}
