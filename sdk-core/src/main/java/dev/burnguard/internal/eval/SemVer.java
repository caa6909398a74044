package dev.burnguard.internal.eval;

/**
 * A semantic version as flagd's {@code sem_ver} operator reads it (with golang.org/x/mod/semver):
 * an optional {@code v}/{@code V} prefix, then either a full semver.org 2.0.0 version with optional
 * pre-release and build metadata, or the shorthand {@code MAJOR} or {@code MAJOR.MINOR} (missing
 * parts are zero: {@code 1.2} is {@code 1.2.0}) with neither. Numbers and numeric pre-release
 * identifiers have no leading zeros; nothing around the version is trimmed. Build metadata is
 * ignored in comparisons; precedence follows semver.org section 11.
 *
 * <p>Parsing scans the text once and keeps the pre-release as a range of it, so that a version
 * read from an evaluation context costs one small object, not substrings and arrays. Internal, not
 * for public use.
 */
final class SemVer implements Comparable<SemVer> {
  private static final int MAX_DIGITS = 18;

  private final String text;
  private final long major;
  private final long minor;
  private final long patch;
  /** The pre-release's range in {@link #text}; empty ({@code preStart == preEnd}) for a release. */
  private final int preStart;
  private final int preEnd;

  private SemVer(String text, long major, long minor, long patch, int preStart, int preEnd) {
    this.text = text;
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.preStart = preStart;
    this.preEnd = preEnd;
  }

  /** Parses {@code text}, or returns null when it is not a version. */
  static SemVer parse(String text) {
    int n = text.length();
    int i = n > 0 && (text.charAt(0) == 'v' || text.charAt(0) == 'V') ? 1 : 0;
    long major = 0;
    long minor = 0;
    long patch = 0;
    int parts = 0;
    while (true) {
      int end = numberEnd(text, i);
      if (end < 0) {
        return null;
      }
      long number = Long.parseLong(text, i, end, 10);
      if (parts == 0) {
        major = number;
      } else if (parts == 1) {
        minor = number;
      } else {
        patch = number;
      }
      parts++;
      i = end;
      if (i < n && text.charAt(i) == '.' && parts < 3) {
        i++;
        continue;
      }
      break;
    }
    int preStart = i;
    int preEnd = i;
    boolean suffix = false; // a pre-release or build metadata, which only a full version may have
    if (i < n && text.charAt(i) == '-') {
      preStart = i + 1;
      preEnd = identifiersEnd(text, preStart, true);
      if (preEnd < 0) {
        return null;
      }
      i = preEnd;
      suffix = true;
    }
    if (i < n && text.charAt(i) == '+') {
      i = identifiersEnd(text, i + 1, false);
      if (i < 0) {
        return null;
      }
      suffix = true;
    }
    if (i != n || (suffix && parts < 3)) {
      return null;
    }
    return new SemVer(text, major, minor, patch, preStart, preEnd);
  }

  /** Where the version number starting at {@code i} ends, or -1 if none starts there. */
  private static int numberEnd(String text, int i) {
    int end = i;
    while (end < text.length() && isDigit(text.charAt(end))) {
      end++;
    }
    int digits = end - i;
    if (digits == 0 || digits > MAX_DIGITS || (digits > 1 && text.charAt(i) == '0')) {
      return -1;
    }
    return end;
  }

  /**
   * Where the dot-separated identifiers starting at {@code i} end (at a {@code +} or the end of the
   * text), or -1 if one is empty, has a character outside {@code [0-9A-Za-z-]}, or (for a
   * pre-release) is numeric with a leading zero.
   */
  private static int identifiersEnd(String text, int i, boolean preRelease) {
    int n = text.length();
    int start = i;
    while (true) {
      int end = start;
      while (end < n && text.charAt(end) != '.' && text.charAt(end) != '+') {
        char c = text.charAt(end);
        if (!(isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
          return -1;
        }
        end++;
      }
      if (end == start) {
        return -1;
      }
      if (preRelease && end - start > 1 && text.charAt(start) == '0' && isNumeric(text, start, end)) {
        return -1;
      }
      if (end < n && text.charAt(end) == '.') {
        start = end + 1;
        continue;
      }
      if (end < n && !preRelease) {
        return -1; // a '+' inside build metadata
      }
      return end;
    }
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
    boolean release = preStart == preEnd;
    boolean otherRelease = o.preStart == o.preEnd;
    // a release ranks above any of its pre-releases
    if (release || otherRelease) {
      return release ? (otherRelease ? 0 : 1) : -1;
    }
    int a = preStart;
    int b = o.preStart;
    while (true) {
      int aEnd = identifierEnd(text, a, preEnd);
      int bEnd = identifierEnd(o.text, b, o.preEnd);
      c = compareIdentifier(text, a, aEnd, o.text, b, bEnd);
      if (c != 0) {
        return c;
      }
      boolean aMore = aEnd < preEnd;
      boolean bMore = bEnd < o.preEnd;
      if (!aMore || !bMore) {
        return Boolean.compare(aMore, bMore); // the one with fewer identifiers ranks lower
      }
      a = aEnd + 1;
      b = bEnd + 1;
    }
  }

  private static int identifierEnd(String text, int start, int limit) {
    int end = text.indexOf('.', start);
    return end < 0 || end > limit ? limit : end;
  }

  private static int compareIdentifier(String a, int aStart, int aEnd, String b, int bStart, int bEnd) {
    boolean an = isNumeric(a, aStart, aEnd);
    boolean bn = isNumeric(b, bStart, bEnd);
    if (an != bn) {
      return an ? -1 : 1; // numeric identifiers rank below alphanumeric ones
    }
    int aLength = aEnd - aStart;
    int bLength = bEnd - bStart;
    if (an && aLength != bLength) {
      return Integer.compare(aLength, bLength); // no leading zeros: the longer number is larger
    }
    for (int i = 0; i < Math.min(aLength, bLength); i++) {
      int c = Character.compare(a.charAt(aStart + i), b.charAt(bStart + i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(aLength, bLength);
  }

  private static boolean isNumeric(String s, int start, int end) {
    for (int i = start; i < end; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
