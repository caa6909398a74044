package dev.burnguard.internal.eval;

/**
 * MurmurHash3 x86 32-bit, seed 0, over the UTF-8 encoding of strings, computed without building the
 * byte array (so bucketing does not allocate). Unpaired surrogates encode as {@code '?'}, as
 * {@link String#getBytes(java.nio.charset.Charset)} does. The hash state lives in local variables,
 * not in an object, so no allocation is left for escape analysis to remove. Internal, not for
 * public use.
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  /**
   * The hash of the UTF-8 bytes of {@code a} followed by those of {@code b}. Each string is encoded
   * on its own: a high surrogate ending {@code a} does not pair with a low surrogate starting {@code b}.
   */
  public static int hash(String a, String b) {
    int h1 = 0;
    int pending = 0;
    int length = 0;
    for (int part = 0; part < 2; part++) {
      String s = part == 0 ? a : b;
      int n = s.length();
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        // the character's UTF-8 bytes, first byte lowest
        int utf8;
        int bytes;
        if (c < 0x80) {
          utf8 = c;
          bytes = 1;
        } else if (c < 0x800) {
          utf8 = (0xc0 | (c >> 6)) | (0x80 | (c & 0x3f)) << 8;
          bytes = 2;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          utf8 = (0xf0 | (cp >> 18)) | (0x80 | ((cp >> 12) & 0x3f)) << 8 | (0x80 | ((cp >> 6) & 0x3f)) << 16
              | (0x80 | (cp & 0x3f)) << 24;
          bytes = 4;
        } else if (Character.isSurrogate(c)) {
          utf8 = '?';
          bytes = 1;
        } else {
          utf8 = (0xe0 | (c >> 12)) | (0x80 | ((c >> 6) & 0x3f)) << 8 | (0x80 | (c & 0x3f)) << 16;
          bytes = 3;
        }
        for (; bytes > 0; bytes--, utf8 >>>= 8) {
          pending |= (utf8 & 0xff) << (8 * (length & 3));
          if ((++length & 3) == 0) {
            h1 = mixH1(h1, pending);
            pending = 0;
          }
        }
      }
    }
    if ((length & 3) != 0) {
      h1 ^= mixK1(pending);
    }
    return fmix(h1 ^ length);
  }

  /** The hash of the UTF-8 bytes of {@code s}. */
  public static int hash(String s) {
    return hash(s, "");
  }

  private static int mixK1(int k1) {
    k1 *= C1;
    k1 = Integer.rotateLeft(k1, 15);
    return k1 * C2;
  }

  private static int mixH1(int h1, int k1) {
    h1 ^= mixK1(k1);
    h1 = Integer.rotateLeft(h1, 13);
    return h1 * 5 + 0xe6546b64;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
