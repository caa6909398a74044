package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Murmur3Test {
  @Test
  void matchesPublishedVectors() {
    assertThat(Murmur3.hash("")).isZero();
    assertThat(Murmur3.hash("hello")).isEqualTo(0x248bfa47);
    assertThat(Murmur3.hash("Hello, world!")).isEqualTo(0xc0363e43);
    assertThat(Murmur3.hash("The quick brown fox jumps over the lazy dog")).isEqualTo(0x2e4ff723);
  }

  @Test
  void twoStringsHashLikeTheirConcatenatedUtf8() {
    assertThat(Murmur3.hash(Murmur3.prefix("flag"), "user-1")).isEqualTo(Murmur3.hash("flaguser-1"));
    assertThat(Murmur3.hash(Murmur3.prefix("fl\u00e9"), "\u20ac\uD83D\uDE00")).isEqualTo(reference(utf8("fl\u00e9", "\u20ac\uD83D\uDE00")));
  }

  @Test
  void unpairedSurrogatesHashAsQuestionMarksAndDoNotPairAcrossTheTwoStrings() {
    assertThat(Murmur3.hash(Murmur3.prefix("a\uD83D"), "\uDE00b")).isEqualTo(Murmur3.hash("a??b"));
    assertThat(Murmur3.hash("\uDE00\uD83D")).isEqualTo(Murmur3.hash("??"));
  }

  @Test
  void agreesWithHashingTheEncodedBytesForRandomStrings() {
    Random random = new Random(7);
    char[] alphabet = {'a', 'Z', '0', '-', '\u00e9', '\u07ff', '\u0800', '\u20ac', '\uffff', '\uD83D', '\uDE00'};
    for (int run = 0; run < 10_000; run++) {
      String a = randomString(random, alphabet);
      String b = randomString(random, alphabet);
      assertThat(Murmur3.hash(Murmur3.prefix(a), b)).as("hash(%s, %s)", a, b).isEqualTo(reference(utf8(a, b)));
    }
  }

  @Test
  void asciiRunsHashedFourAtATimeAgreeAtEveryPrefixAlignment() {
    Random random = new Random(11);
    char[] alphabet = {'a', 'Z', '0', '-', '@', '.', '\u00e9'};
    for (int run = 0; run < 10_000; run++) {
      String a = randomString(random, new char[] {'k', 'e', 'y'});
      StringBuilder b = new StringBuilder();
      int len = random.nextInt(40);
      for (int i = 0; i < len; i++) {
        // mostly ASCII, with an occasional two-byte character to break the runs
        b.append(random.nextInt(20) == 0 ? alphabet[6] : alphabet[random.nextInt(6)]);
      }
      assertThat(Murmur3.hash(Murmur3.prefix(a), b.toString())).as("hash(%s, %s)", a, b)
          .isEqualTo(reference(utf8(a, b.toString())));
    }
  }

  private static String randomString(Random random, char[] alphabet) {
    char[] chars = new char[random.nextInt(12)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return new String(chars);
  }

  private static byte[] utf8(String a, String b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(b.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** MurmurHash3 x86 32-bit, seed 0, over a byte array, written from the reference algorithm. */
  private static int reference(byte[] data) {
    ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int h = 0;
    while (buf.remaining() >= 4) {
      h ^= k(buf.getInt());
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    int tail = 0;
    for (int shift = 0; buf.hasRemaining(); shift += 8) {
      tail |= (buf.get() & 0xff) << shift;
    }
    if (data.length % 4 != 0) {
      h ^= k(tail);
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  private static int k(int k) {
    return Integer.rotateLeft(k * 0xcc9e2d51, 15) * 0x1b873593;
  }
}
