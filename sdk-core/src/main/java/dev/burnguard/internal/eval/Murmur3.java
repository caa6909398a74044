package dev.burnguard.internal.eval;

import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3 x86 32-bit, seed 0, over the UTF-8 encoding of strings, computed without building the
 * byte array (so bucketing does not allocate). Unpaired surrogates encode as {@code '?'}, as
 * {@link String#getBytes(java.nio.charset.Charset)} does.
 *
 * <p>For flagd's default bucketing key, {@code flagKey + targetingKey}, the flag key's part of the
 * hash is computed once when the flag loads ({@link #prefix}) and each evaluation hashes only the
 * targeting key ({@link #hash(Prefix, String)}); runs of four ASCII characters are mixed as one
 * block. The hash state lives in local variables, so nothing is allocated per call. Internal, not
 * for public use.
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  /** The hash state after some leading bytes: immutable, shared by all threads. */
  public static final class Prefix {
    static final Prefix EMPTY = new Prefix(0, 0, 0);

    final int h1;
    /** The bytes not yet mixed ({@code length & 3} of them), first byte lowest. */
    final int pending;
    final int length;

    private Prefix(int h1, int pending, int length) {
      this.h1 = h1;
      this.pending = pending;
      this.length = length;
    }
  }

  /** The hash state after the UTF-8 bytes of {@code s}, to continue with {@link #hash(Prefix, String)}. */
  public static Prefix prefix(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int h1 = 0;
    int blocks = bytes.length & ~3;
    for (int i = 0; i < blocks; i += 4) {
      h1 = mixH1(h1, (bytes[i] & 0xff) | (bytes[i + 1] & 0xff) << 8 | (bytes[i + 2] & 0xff) << 16
          | (bytes[i + 3] & 0xff) << 24);
    }
    int pending = 0;
    for (int i = blocks; i < bytes.length; i++) {
      pending |= (bytes[i] & 0xff) << (8 * (i - blocks));
    }
    return new Prefix(h1, pending, bytes.length);
  }

  /** The hash of the UTF-8 bytes of {@code s}. */
  public static int hash(String s) {
    return hash(Prefix.EMPTY, s);
  }

  /**
   * The hash of the prefix's bytes followed by the UTF-8 bytes of {@code s}. {@code s} is encoded
   * on its own: a low surrogate starting it does not pair with anything in the prefix.
   */
  public static int hash(Prefix prefix, String s) {
    int h1 = prefix.h1;
    int pending = prefix.pending;
    int length = prefix.length;
    int n = s.length();
    int i = 0;
    // fast path: four ASCII characters are one block, whatever the prefix left pending
    int shift = 8 * (length & 3);
    for (; i + 4 <= n; i += 4) {
      char c0 = s.charAt(i);
      char c1 = s.charAt(i + 1);
      char c2 = s.charAt(i + 2);
      char c3 = s.charAt(i + 3);
      if ((c0 | c1 | c2 | c3) >= 0x80) {
        break;
      }
      int word = c0 | c1 << 8 | c2 << 16 | c3 << 24;
      if (shift == 0) {
        h1 = mixH1(h1, word);
      } else {
        h1 = mixH1(h1, pending | word << shift);
        pending = word >>> (32 - shift);
      }
      length += 4;
    }
    // the rest, one character at a time
    while (i < n) {
      char c = s.charAt(i++);
      // the character's UTF-8 bytes, first byte lowest
      int utf8;
      int bytes;
      if (c < 0x80) {
        utf8 = c;
        bytes = 1;
      } else if (c < 0x800) {
        utf8 = (0xc0 | (c >> 6)) | (0x80 | (c & 0x3f)) << 8;
        bytes = 2;
      } else if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(s.charAt(i))) {
        int cp = Character.toCodePoint(c, s.charAt(i++));
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
    if ((length & 3) != 0) {
      h1 ^= mixK1(pending);
    }
    return fmix(h1 ^ length);
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
