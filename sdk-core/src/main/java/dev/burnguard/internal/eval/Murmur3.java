package dev.burnguard.internal.eval;

/**
 * MurmurHash3 x86 32-bit, seed 0, over the UTF-8 encoding of strings, computed without building the
 * byte array (so bucketing does not allocate). Unpaired surrogates encode as {@code '?'}, as
 * {@link String#getBytes(java.nio.charset.Charset)} does. Internal, not for public use.
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private int h1;
  private int pending;
  private int pendingBytes;
  private int length;

  private Murmur3() {}

  /** The hash of the UTF-8 bytes of {@code a} followed by those of {@code b}. */
  public static int hash(String a, String b) {
    Murmur3 m = new Murmur3();
    m.update(a);
    m.update(b);
    return m.finish();
  }

  /** The hash of the UTF-8 bytes of {@code s}. */
  public static int hash(String s) {
    return hash(s, "");
  }

  private void update(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        add(c);
      } else if (c < 0x800) {
        add(0xc0 | (c >> 6));
        add(0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        add(0xf0 | (cp >> 18));
        add(0x80 | ((cp >> 12) & 0x3f));
        add(0x80 | ((cp >> 6) & 0x3f));
        add(0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        add('?');
      } else {
        add(0xe0 | (c >> 12));
        add(0x80 | ((c >> 6) & 0x3f));
        add(0x80 | (c & 0x3f));
      }
    }
  }

  private void add(int b) {
    pending |= (b & 0xff) << (8 * pendingBytes);
    length++;
    if (++pendingBytes == 4) {
      int k1 = mixK1(pending);
      h1 ^= k1;
      h1 = Integer.rotateLeft(h1, 13);
      h1 = h1 * 5 + 0xe6546b64;
      pending = 0;
      pendingBytes = 0;
    }
  }

  private static int mixK1(int k1) {
    k1 *= C1;
    k1 = Integer.rotateLeft(k1, 15);
    return k1 * C2;
  }

  private int finish() {
    if (pendingBytes > 0) {
      h1 ^= mixK1(pending);
    }
    h1 ^= length;
    h1 ^= h1 >>> 16;
    h1 *= 0x85ebca6b;
    h1 ^= h1 >>> 13;
    h1 *= 0xc2b2ae35;
    h1 ^= h1 >>> 16;
    return h1;
  }
}
