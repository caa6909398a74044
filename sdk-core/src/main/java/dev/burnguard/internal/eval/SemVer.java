package dev.burnguard.internal.eval;

/**
 * A semantic version as flagd's {@code sem_ver} operator reads it (with golang.org/x/mod/semver):
 * an optional {@code v}/{@code V} prefix, then either a full semver.org 2.0.0 version with optional
 * pre-release and build metadata, or the shorthand {@code MAJOR} or {@code MAJOR.MINOR} (missing
 * parts are zero: {@code 1.2} is {@code 1.2.0}) with neither. Numbers and numeric pre-release
 * identifiers have no leading zeros; nothing around the version is trimmed. Build metadata is
 * ignored in comparisons; precedence follows semver.org section 11. Internal, not for public use.
 */
final class SemVer implements Comparable<SemVer> {
  private final long major;
  private final long minor;
  private final long patch;
  /** Dot-separated pre-release identifiers; empty for a release. */
  private final String[] preRelease;

  private SemVer(long major, long minor, long patch, String[] preRelease) {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.preRelease = preRelease;
  }

  /** Parses {@code text}, or returns null when it is not a version. */
  static SemVer parse(String text) {
    String s = text;
    if (s.startsWith("v") || s.startsWith("V")) {
      s = s.substring(1);
    }
    int plus = s.indexOf('+');
    if (plus >= 0) {
      String build = s.substring(plus + 1);
      if (!validIdentifiers(build)) {
        return null;
      }
      s = s.substring(0, plus);
    }
    String[] pre = new String[0];
    int dash = s.indexOf('-');
    if (dash >= 0) {
      String preText = s.substring(dash + 1);
      if (!validIdentifiers(preText)) {
        return null;
      }
      pre = preText.split("\\.");
      for (String id : pre) {
        if (id.length() > 1 && id.charAt(0) == '0' && isNumeric(id)) {
          return null; // a numeric identifier with a leading zero
        }
      }
      s = s.substring(0, dash);
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length < 1 || parts.length > 3 || (parts.length < 3 && (plus >= 0 || dash >= 0))) {
      return null;
    }
    long[] numbers = new long[3];
    for (int i = 0; i < parts.length; i++) {
      numbers[i] = parseNumber(parts[i]);
      if (numbers[i] < 0) {
        return null;
      }
    }
    return new SemVer(numbers[0], numbers[1], numbers[2], pre);
  }

  private static long parseNumber(String part) {
    if (part.isEmpty() || part.length() > 18 || (part.length() > 1 && part.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Long.parseLong(part);
  }

  private static boolean validIdentifiers(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (String id : text.split("\\.", -1)) {
      if (id.isEmpty()) {
        return false;
      }
      for (int i = 0; i < id.length(); i++) {
        char c = id.charAt(i);
        boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  boolean sameMajor(SemVer other) {
    return major == other.major;
  }

  boolean sameMinor(SemVer other) {
    return major == other.major && minor == other.minor;
  }

  @Override
  public int compareTo(SemVer o) {
    int c = Long.compare(major, o.major);
    if (c == 0) {
      c = Long.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Long.compare(patch, o.patch);
    }
    if (c != 0) {
      return c;
    }
    // a release ranks above any of its pre-releases
    if (preRelease.length == 0 || o.preRelease.length == 0) {
      return preRelease.length == 0 ? (o.preRelease.length == 0 ? 0 : 1) : -1;
    }
    for (int i = 0; i < Math.min(preRelease.length, o.preRelease.length); i++) {
      c = compareIdentifier(preRelease[i], o.preRelease[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(preRelease.length, o.preRelease.length);
  }

  private static int compareIdentifier(String a, String b) {
    boolean an = isNumeric(a);
    boolean bn = isNumeric(b);
    if (an && bn) {
      return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }
    if (an != bn) {
      return an ? -1 : 1; // numeric identifiers rank below alphanumeric ones
    }
    return a.compareTo(b);
  }

  private static boolean isNumeric(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
