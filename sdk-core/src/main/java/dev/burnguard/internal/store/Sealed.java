package dev.burnguard.internal.store;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A checksum sealed into a JSON object's text, so that the text stays one valid JSON object and a
 * torn or damaged copy is detected. An object {@code {…}} is sealed by replacing its closing brace
 * with {@code ,"crc32c":"xxxxxxxx"}}, where the eight lowercase hex digits are the CRC-32C of the
 * bytes before {@code ,"crc32c"} (the object without its closing brace). The text must be ASCII,
 * as {@link RolloutJson#write} makes it. Internal, not for public use.
 */
public final class Sealed {
  private static final byte[] MEMBER = ",\"crc32c\":\"".getBytes(StandardCharsets.US_ASCII);
  /** {@code ,"crc32c":"} + 8 hex digits + {@code "}}. */
  public static final int SEAL_LENGTH = MEMBER.length + 8 + 2;

  private Sealed() {}

  /** Seals the ASCII text of a JSON object (which must end with '}'). */
  public static byte[] seal(String objectJson) {
    if (!objectJson.endsWith("}")) {
      throw new IllegalArgumentException("only a JSON object can be sealed");
    }
    byte[] body = objectJson.getBytes(StandardCharsets.US_ASCII);
    int bodyLength = body.length - 1; // without the closing brace
    byte[] out = new byte[bodyLength + SEAL_LENGTH];
    System.arraycopy(body, 0, out, 0, bodyLength);
    System.arraycopy(MEMBER, 0, out, bodyLength, MEMBER.length);
    writeHex(crc(out, 0, bodyLength), out, bodyLength + MEMBER.length);
    out[out.length - 2] = '"';
    out[out.length - 1] = '}';
    return out;
  }

  /**
   * Whether {@code bytes[from, to)} is a sealed object whose checksum matches. A true answer means
   * the bytes are exactly what {@link #seal} wrote (up to CRC-32C's 2^-32 chance of a miss).
   */
  public static boolean verify(byte[] bytes, int from, int to) {
    int bodyEnd = to - SEAL_LENGTH;
    if (bodyEnd <= from || bytes[from] != '{' || bytes[to - 2] != '"' || bytes[to - 1] != '}') {
      return false;
    }
    for (int i = 0; i < MEMBER.length; i++) {
      if (bytes[bodyEnd + i] != MEMBER[i]) {
        return false;
      }
    }
    long expected = 0;
    for (int i = bodyEnd + MEMBER.length; i < to - 2; i++) {
      int digit = Character.digit(bytes[i], 16);
      if (digit < 0 || Character.isUpperCase(bytes[i])) {
        return false;
      }
      expected = expected << 4 | digit;
    }
    return crc(bytes, from, bodyEnd - from) == expected;
  }

  private static long crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return crc.getValue();
  }

  private static void writeHex(long value, byte[] out, int at) {
    for (int i = 7; i >= 0; i--) {
      out[at + i] = (byte) Character.forDigit((int) (value & 0xf), 16);
      value >>>= 4;
    }
  }
}
