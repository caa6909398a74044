package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code fractional} bit-exact against an independent implementation written here from flagd's
 * description of its integer bucketing (flagd's {@code @fractional-v2}) and MurmurHash3 x86_32 as
 * specified in its reference C code, over many keys and bucket layouts: 400 seeded layouts of 1 to 8
 * buckets (weights of 0, small, large, up to a total near {@link Integer#MAX_VALUE}) times 60 keys
 * (ASCII, non-ASCII, empty, long), once as an explicit bucketing key and once as the default key
 * (flag key + targeting key, for the keys that are not empty): over 40,000 evaluations, each of which must land in the reference's bucket.
 * This is the fresh clone's check of bucketing when flagd's conformance kit is not beside it.
 */
class FractionalReferenceTest {
  private static final int LAYOUTS = 400;
  private static final int KEYS_PER_LAYOUT = 60;

  /** MurmurHash3_x86_32 of {@code data} with seed 0, written from the algorithm's C reference. */
  static int murmur3(byte[] data) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = 0;
    int blocks = data.length / 4;
    for (int b = 0; b < blocks; b++) {
      int i = b * 4;
      int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int k = 0;
    switch (data.length & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
        // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
        // fall through
      case 1:
        k ^= data[tail] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /**
   * flagd's bucketing: {@code bucket = (unsigned hash * total weight) >> 32}, and the first bucket
   * whose cumulative weight exceeds it wins; -1 when the total is zero.
   */
  static int referenceBucket(String key, long[] weights) {
    long total = 0;
    for (long w : weights) {
      total += w;
    }
    if (total == 0) {
      return -1;
    }
    long hash = Integer.toUnsignedLong(murmur3(key.getBytes(StandardCharsets.UTF_8)));
    long bucket = (hash * total) >>> 32;
    long cumulative = 0;
    for (int i = 0; i < weights.length; i++) {
      cumulative += weights[i];
      if (bucket < cumulative) {
        return i;
      }
    }
    throw new AssertionError("bucket " + bucket + " beyond the total " + total);
  }

  @Test
  void theReferenceHashGivesPublishedVectors() {
    // MurmurHash3_x86_32, seed 0: published test vectors
    assertThat(murmur3(new byte[0])).isEqualTo(0);
    assertThat(murmur3("hello".getBytes(StandardCharsets.UTF_8))).isEqualTo(0x248bfa47);
    assertThat(murmur3("Hello, world!".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xc0363e43);
    assertThat(murmur3("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0x2e4ff723);
  }

  @Test
  void everyKeyLandsInTheReferencesBucketForEveryLayout() {
    Random random = new Random(20261205);
    int evaluations = 0;
    int[] hits = new int[8];
    for (int layout = 0; layout < LAYOUTS; layout++) {
      long[] weights = weights(random);
      String flagKey = "flag-" + layout;
      Node explicit = Logic.compile(rule("{\"var\": \"bucketBy\"}, ", weights), Map.of(), flagKey);
      Node byTargetingKey = Logic.compile(rule("", weights), Map.of(), flagKey);
      for (int k = 0; k < KEYS_PER_LAYOUT; k++) {
        String key = key(random);
        int expected = referenceBucket(key, weights);
        Object viaVar = Logic.evalFor(flagKey, explicit, new ImmutableContext("ignored", Map.of("bucketBy", new Value(key))));
        assertThat(viaVar).as("layout %s, bucketing key \"%s\"", Arrays.toString(weights), key)
            .isEqualTo(expected < 0 ? null : "v" + expected);
        evaluations++;
        if (!key.isEmpty()) {
          int expectedDefault = referenceBucket(flagKey + key, weights);
          Object viaTargetingKey = Logic.evalFor(flagKey, byTargetingKey, new ImmutableContext(key));
          assertThat(viaTargetingKey).as("layout %s, flag %s, targeting key \"%s\"", Arrays.toString(weights), flagKey, key)
              .isEqualTo(expectedDefault < 0 ? null : "v" + expectedDefault);
          evaluations++;
        }
        if (expected >= 0) {
          hits[expected]++;
        }
      }
    }
    // the layouts reach every bucket position, so the comparison is not confined to the first one
    assertThat(hits).doesNotContain(0);
    assertThat(evaluations).isGreaterThan(40_000);
    System.out.printf("FractionalReferenceTest: %,d evaluations over %d layouts agree with the reference%n", evaluations, LAYOUTS);
  }

  private static String rule(String key, long[] weights) {
    StringBuilder rule = new StringBuilder("{\"fractional\": [").append(key);
    for (int i = 0; i < weights.length; i++) {
      rule.append(i == 0 ? "" : ", ").append("[\"v").append(i).append("\", ").append(weights[i]).append(']');
    }
    return rule.append("]}").toString();
  }

  /** 1 to 8 buckets; weights small, percent-like, zero, or large with a total up to about 2^31 - 1. */
  private static long[] weights(Random random) {
    long[] w = new long[1 + random.nextInt(8)];
    int style = random.nextInt(4);
    for (int i = 0; i < w.length; i++) {
      switch (style) {
        case 0: w[i] = random.nextInt(4); break;                                 // zeros and ties
        case 1: w[i] = random.nextInt(101); break;                               // percentages
        case 2: w[i] = random.nextInt(1_000_000); break;
        default: w[i] = random.nextInt(Integer.MAX_VALUE / w.length); break;     // a total near 2^31
      }
    }
    return w;
  }

  private static String key(Random random) {
    switch (random.nextInt(6)) {
      case 0: return "user-" + random.nextInt(1_000_000);
      case 1: return "";
      case 2: {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
          s.appendCodePoint(0xA0 + random.nextInt(0x2F00)); // Latin-1 to CJK: 2- and 3-byte UTF-8
        }
        return s.toString();
      }
      case 3: return "😀" + random.nextInt(100); // 4-byte UTF-8
      case 4: return Long.toHexString(random.nextLong()).repeat(1 + random.nextInt(20));
      default: {
        int n = 1 + random.nextInt(9);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
          s.append((char) (0x20 + random.nextInt(0x5F)));
        }
        return s.toString();
      }
    }
  }
}
