package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MurmurHash3 x86_32 with seed 0 over UTF-8, as flagd's fractional bucketing uses it. Every vector
 * is checked against the production hash (which encodes UTF-8 on the fly) and against {@link
 * #reference}, a plain implementation over a byte array written from the algorithm's description.
 * The expected values were also confirmed with Guava's {@code Hashing.murmur3_32_fixed()} outside
 * the build; the first four are the commonly published test vectors.
 */
class Murmur3Test {
  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
    "''                                          | 0x00000000",
    "hello                                       | 0x248bfa47",
    "Hello, world!                               | 0xc0363e43",
    "The quick brown fox jumps over the lazy dog | 0x2e4ff723",
    // one to four bytes: every tail length
    "a                                           | 0x3c2569b2",
    "ab                                          | 0x9bbfd75f",
    "abc                                         | 0xb3dd93fa",
    "abcd                                        | 0x43ed676a",
    // two-byte, three-byte and four-byte (surrogate pair) UTF-8
    "\u00e9                                      | 0x10110787",
    "\u65e5\u672c\u8a9e                          | 0xa5a47297",
    "\ud83d\ude00                                | 0xbeb42efa",
    "\u00fcn\u00efc\u00f6d\u00e9 \ud83d\ude80 mixed | 0x2e071889",
  })
  void knownVectors(String input, String expectedHex) {
    int expected = Integer.parseUnsignedInt(expectedHex.substring(2), 16);
    assertThat(reference(input.getBytes(StandardCharsets.UTF_8), 0)).as("reference").isEqualTo(expected);
    assertThat(Murmur3.hash(input)).as("production").isEqualTo(expected);
  }

  @Test
  void seedIsPartOfTheReference() {
    // guards the reference itself: seed 1 gives the published 0xbb4abcad for "hello"
    assertThat(reference("hello".getBytes(StandardCharsets.UTF_8), 1)).isEqualTo(0xbb4abcad);
  }

  @Test
  void twoPartsHashLikeTheirConcatenation() {
    // fractional's shorthand hashes flagKey + targetingKey without concatenating them
    assertThat(Murmur3.hash(Murmur3.prefix("fractional-flag"), "jack")).isEqualTo(0x9fe843e0);
    assertThat(Murmur3.hash(Murmur3.prefix("flag-key"), "user-1")).isEqualTo(0xd73f90f6);
    assertThat(Murmur3.hash(Murmur3.prefix(""), "hello")).isEqualTo(0x248bfa47);
    assertThat(Murmur3.hash(Murmur3.prefix("hel"), "lo")).isEqualTo(0x248bfa47);
    // each part is encoded on its own: surrogates do not pair across the two
    assertThat(Murmur3.hash(Murmur3.prefix("a\uD83D"), "\uDE00b")).isEqualTo(Murmur3.hash("a??b"));
  }

  @Test
  void unpairedSurrogatesHashAsQuestionMarksLikeGetBytes() {
    for (String s : new String[] {"a\ud800b", "\udc00", "x\ud83d", "\ude00\ud83d"}) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      assertThat(Murmur3.hash(s)).as(s).isEqualTo(reference(bytes, 0));
      assertThat(Murmur3.hash(s)).as(s).isEqualTo(Murmur3.hash(s.replaceAll("\\p{Cs}", "?")));
    }
  }

  @Test
  void randomStringsAgreeWithTheReference() {
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      StringBuilder sb = new StringBuilder();
      int length = random.nextInt(24);
      for (int j = 0; j < length; j++) {
        switch (random.nextInt(4)) {
          case 0: sb.append((char) (0x20 + random.nextInt(0x5f))); break;
          case 1: sb.append((char) (0x80 + random.nextInt(0x780))); break;
          case 2: sb.append((char) (0x800 + random.nextInt(0xd000))); break;
          default: sb.appendCodePoint(0x10000 + random.nextInt(0xfffff)); break;
        }
      }
      String s = sb.toString();
      assertThat(Murmur3.hash(s)).as("%s", s).isEqualTo(reference(s.getBytes(StandardCharsets.UTF_8), 0));
    }
  }

  @Test
  void asciiRunsHashedFourAtATimeAgreeAtEveryPrefixAlignment() {
    Random random = new Random(11);
    char[] alphabet = {'a', 'Z', '0', '-', '@', '.', '\u00e9'};
    for (int run = 0; run < 10_000; run++) {
      String prefix = "key".substring(0, random.nextInt(4)) + "flag".substring(0, random.nextInt(5));
      StringBuilder suffix = new StringBuilder();
      int len = random.nextInt(40);
      for (int i = 0; i < len; i++) {
        // mostly ASCII, with an occasional two-byte character to break the runs
        suffix.append(random.nextInt(20) == 0 ? alphabet[6] : alphabet[random.nextInt(6)]);
      }
      byte[] bytes = (prefix + suffix).getBytes(StandardCharsets.UTF_8);
      assertThat(Murmur3.hash(Murmur3.prefix(prefix), suffix.toString())).as("%s + %s", prefix, suffix)
          .isEqualTo(reference(bytes, 0));
    }
  }

  /** MurmurHash3_x86_32 over bytes, as in the reference C implementation. */
  @SuppressWarnings("fallthrough")
  static int reference(byte[] data, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int blocks = data.length / 4;
    ByteBuffer le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < blocks; i++) {
      int k = le.getInt(i * 4);
      k *= c1;
      k = (k << 15) | (k >>> 17);
      k *= c2;
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = h * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int k = 0;
    switch (data.length & 3) {
      case 3: k ^= (data[tail + 2] & 0xff) << 16; // fall through
      case 2: k ^= (data[tail + 1] & 0xff) << 8; // fall through
      case 1:
        k ^= data[tail] & 0xff;
        k *= c1;
        k = (k << 15) | (k >>> 17);
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
}
