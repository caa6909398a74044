package dev.burnguard.internal.eval;

/**
 * A semantic version as flagd's {@code sem_ver} operator reads it (with golang.org/x/mod/semver):
 * an optional {@code v}/{@code V} prefix, then either a full semver.org 2.0.0 version with optional
 * pre-release and build metadata, or the shorthand {@code MAJOR} or {@code MAJOR.MINOR} (missing
 * parts are zero: {@code 1.2} is {@code 1.2.0}) with neither. Numbers and numeric pre-release
 * identifiers have no leading zeros; nothing around the version is trimmed. Build metadata is
 * ignored in comparisons; precedence follows semver.org section 11.
 *
 * <p>Versions are compared where they stand in their text, without a parsed object: {@link #shape}
 * checks a text once and packs where its pre-release lies into a {@code long}, and
 * {@link #compare} reads the numbers and identifiers it needs from the two texts, so that a version
 * read from an evaluation context costs no allocation. Internal, not for public use.
 */
final class SemVer {
  private static final int MAX_DIGITS = 18;
  /** What {@link #shape} returns for a text that is not a version. */
  static final long INVALID = -1;

  private SemVer() {}

  /**
   * Checks {@code text}: {@link #INVALID} when it is not a version, else its shape, the range of its
   * pre-release in the text ({@code start << 32 | end}, empty for a release) for {@link #compare}.
   */
  static long shape(String text) {
    int n = text.length();
    int i = firstDigit(text);
    int parts = 0;
    while (true) {
      int end = numberEnd(text, i);
      if (end < 0) {
        return INVALID;
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
        return INVALID;
      }
      i = preEnd;
      suffix = true;
    }
    if (i < n && text.charAt(i) == '+') {
      i = identifiersEnd(text, i + 1, false);
      if (i < 0) {
        return INVALID;
      }
      suffix = true;
    }
    if (i != n || (suffix && parts < 3)) {
      return INVALID;
    }
    return (long) preStart << 32 | preEnd;
  }

  /** Where the major version starts: after an optional v or V. */
  private static int firstDigit(String text) {
    return !text.isEmpty() && (text.charAt(0) == 'v' || text.charAt(0) == 'V') ? 1 : 0;
  }

  /**
   * Part {@code k} (0 major, 1 minor, 2 patch) of a version {@link #shape} accepted; 0 when a
   * shorthand leaves it out.
   */
  private static long part(String text, int k) {
    int n = text.length();
    int i = firstDigit(text);
    for (int p = 0; ; p++) {
      long number = 0;
      for (; i < n && isDigit(text.charAt(i)); i++) {
        number = number * 10 + (text.charAt(i) - '0'); // at most 18 digits: no overflow
      }
      if (p == k) {
        return number;
      }
      if (i < n && text.charAt(i) == '.' && p < 2) {
        i++;
      } else {
        return 0;
      }
    }
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

  /** Whether two accepted versions have the same major version ({@code ^}). */
  static boolean sameMajor(String a, String b) {
    return part(a, 0) == part(b, 0);
  }

  /** Whether two accepted versions have the same major and minor versions ({@code ~}). */
  static boolean sameMinor(String a, String b) {
    return part(a, 0) == part(b, 0) && part(a, 1) == part(b, 1);
  }

  /**
   * The precedence of version {@code a} against {@code b} (negative, zero, positive), each with its
   * {@link #shape} (not {@link #INVALID}); build metadata is ignored.
   */
  static int compare(String a, long aShape, String b, long bShape) {
    int c = 0;
    for (int k = 0; k < 3 && c == 0; k++) {
      c = Long.compare(part(a, k), part(b, k));
    }
    return c != 0 ? c : comparePreReleases(a, aShape, b, bShape);
  }

  /**
   * The major, minor and patch numbers of a version {@link #shape} accepted, for
   * {@link #compare(String, long, long[], String, long)} when one side is a literal read once.
   */
  static long[] release(String text) {
    return new long[] {part(text, 0), part(text, 1), part(text, 2)};
  }

  /**
   * {@link #compare(String, long, String, long)} with {@code b}'s numbers already read
   * ({@code bRelease}, from {@link #release}): reads {@code a}'s numbers in one pass, stopping at the
   * first that differs.
   */
  static int compare(String a, long aShape, long[] bRelease, String b, long bShape) {
    int n = a.length();
    int i = firstDigit(a);
    for (int k = 0; k < 3; k++) {
      long number = 0; // 0 for a part a shorthand leaves out (i < 0)
      if (i >= 0) {
        for (char d; i < n && isDigit(d = a.charAt(i)); i++) {
          number = number * 10 + (d - '0'); // at most 18 digits: no overflow
        }
        i = i < n && a.charAt(i) == '.' && k < 2 ? i + 1 : -1;
      }
      if (number != bRelease[k]) {
        return number < bRelease[k] ? -1 : 1;
      }
    }
    return comparePreReleases(a, aShape, b, bShape);
  }

  /** The precedence of two versions with the same major, minor and patch numbers, by their pre-releases. */
  private static int comparePreReleases(String a, long aShape, String b, long bShape) {
    int c;
    int aPre = (int) (aShape >>> 32);
    int aPreEnd = (int) aShape;
    int bPre = (int) (bShape >>> 32);
    int bPreEnd = (int) bShape;
    boolean release = aPre == aPreEnd;
    boolean otherRelease = bPre == bPreEnd;
    // a release ranks above any of its pre-releases
    if (release || otherRelease) {
      return release ? (otherRelease ? 0 : 1) : -1;
    }
    int i = aPre;
    int j = bPre;
    while (true) {
      int iEnd = identifierEnd(a, i, aPreEnd);
      int jEnd = identifierEnd(b, j, bPreEnd);
      c = compareIdentifier(a, i, iEnd, b, j, jEnd);
      if (c != 0) {
        return c;
      }
      boolean aMore = iEnd < aPreEnd;
      boolean bMore = jEnd < bPreEnd;
      if (!aMore || !bMore) {
        return Boolean.compare(aMore, bMore); // the one with fewer identifiers ranks lower
      }
      i = iEnd + 1;
      j = jEnd + 1;
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
