package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * flagd's {@code sem_ver}: versions as golang.org/x/mod/semver reads them (semver.org 2.0.0, an
 * optional v/V prefix, and the shorthands MAJOR and MAJOR.MINOR without pre-release or build),
 * precedence as semver.org section 11 defines it, and null for anything it cannot read.
 */
class SemVerTest {
  private static Object semVer(Object left, Object op, Object right) {
    Map<String, Value> attrs = Map.of(
        "l", JsonLogicOperatorsTest.value(left), "op", JsonLogicOperatorsTest.value(op),
        "r", JsonLogicOperatorsTest.value(right));
    Object fromContext = Logic.eval("{\"sem_ver\": [{\"var\": \"l\"}, {\"var\": \"op\"}, {\"var\": \"r\"}]}",
        new ImmutableContext(attrs));
    if (op instanceof String && right instanceof String) {
      // the usual rule, {"sem_ver": [{"var": ...}, ">", "2.0.0"]}, whose literals are read once when it compiles
      Object literals = Logic.eval("{\"sem_ver\": [{\"var\": \"l\"}, " + quoted((String) op) + ", "
          + quoted((String) right) + "]}", new ImmutableContext(attrs));
      assertThat(literals).as("%s %s %s with a literal operator and right-hand version", left, op, right)
          .isEqualTo(fromContext);
    }
    return fromContext;
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void precedenceFollowsSemverOrgSection11() {
    List<String> ascending = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
        "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0");
    for (int i = 0; i < ascending.size(); i++) {
      for (int j = 0; j < ascending.size(); j++) {
        String a = ascending.get(i);
        String b = ascending.get(j);
        assertThat(semVer(a, "<", b)).as("%s < %s", a, b).isEqualTo(i < j);
        assertThat(semVer(a, "=", b)).as("%s = %s", a, b).isEqualTo(i == j);
        assertThat(semVer(a, ">", b)).as("%s > %s", a, b).isEqualTo(i > j);
        assertThat(semVer(a, "<=", b)).as("%s <= %s", a, b).isEqualTo(i <= j);
        assertThat(semVer(a, ">=", b)).as("%s >= %s", a, b).isEqualTo(i >= j);
        assertThat(semVer(a, "!=", b)).as("%s != %s", a, b).isEqualTo(i != j);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      # build metadata does not count
      1.0.0+build.1     | =  | 1.0.0+build.2   | true
      1.0.0-rc.1+b      | <  | 1.0.0           | true
      # v and V prefixes
      v1.2.3            | =  | 1.2.3           | true
      V1.2.3            | =  | v1.2.3          | true
      # shorthands: missing parts are zero
      1                 | =  | 1.0.0           | true
      1.2               | =  | 1.2.0           | true
      v2                | >  | 1.9.9           | true
      # ^ compares the major version, ~ major and minor, whatever the rest
      1.9.9             | ^  | 1.0.0           | true
      1.0.0-alpha       | ^  | 1.5.0           | true
      2.0.0             | ^  | 1.0.0           | false
      0.2.3             | ^  | 0.9.0           | true
      1.2.9             | ~  | 1.2.0           | true
      1.2.0             | ~  | 1.2.9           | true
      1.3.0             | ~  | 1.2.0           | false
      2.2.0             | ~  | 1.2.0           | false
      # numeric identifiers compare numerically, and below alphanumeric ones
      1.0.0-2           | <  | 1.0.0-10        | true
      1.0.0-10          | <  | 1.0.0-a         | true
      1.0.0-a-b         | >  | 1.0.0-a         | true
      """)
  void comparisons(String left, String op, String right, boolean expected) {
    assertThat(semVer(left, op, right)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "\"{0}\" is not a version")
  @ValueSource(strings = {
    "", "v", "abc", "1.", "1..2", ".1", "1.2.3.4", "1.2.x", "-1.0.0", "1.0.0-", "1.0.0+", "1.0.0-a..b",
    "1.0.0-al$pha", "1.0.0+b$", "1.0.0-\u00e9",
    // leading zeros are not allowed in numeric parts or numeric pre-release identifiers
    "01.0.0", "1.02.0", "1.0.00", "1.0.0-01",
    // the shorthands take no pre-release or build
    "1-rc.1", "1.2-beta", "1.2+build", "1+build",
    // no surrounding whitespace
    " 1.0.0", "1.0.0 ", "1. 0.0",
  })
  void notVersionsGiveNull(String text) {
    assertThat(semVer(text, "=", "1.0.0")).as("left").isNull();
    assertThat(semVer("1.0.0", "=", text)).as("right").isNull();
  }

  @Test
  void zeroIsAValidNumberAndLeadingZerosAreFineInBuildMetadata() {
    assertThat(semVer("0.0.0", "<", "0.0.1")).isEqualTo(true);
    assertThat(semVer("1.0.0-0", "<", "1.0.0-1")).isEqualTo(true);
    assertThat(semVer("1.0.0-0a", ">", "1.0.0-0")).isEqualTo(true);
    assertThat(semVer("1.0.0+001", "=", "1.0.0")).isEqualTo(true);
  }

  @Test
  void numbersAreReadAsTheirDecimalText() {
    assertThat(semVer(2, "=", "2.0.0")).isEqualTo(true);
    assertThat(semVer(1.2, ">", "1.1")).isEqualTo(true);
    assertThat(semVer(1.1, ">", "1.1")).isEqualTo(false);
    assertThat(semVer("1.2.0", "=", 1.2)).isEqualTo(true);
  }

  @Test
  void badOperatorsOperandsAndArityGiveNull() {
    assertThat(semVer("1.0.0", "===", "1.0.0")).isNull();
    assertThat(semVer("1.0.0", "", "1.0.0")).isNull();
    assertThat(semVer("1.0.0", 1, "1.0.0")).isNull();
    assertThat(semVer(true, "=", "1.0.0")).isNull();
    assertThat(semVer(null, "=", "1.0.0")).isNull();
    assertThat(semVer(List.of("1.0.0"), "=", "1.0.0")).isNull();
    assertThat(Logic.eval("{\"sem_ver\": [\"1.0.0\", \"=\"]}")).isNull();
    assertThat(Logic.eval("{\"sem_ver\": [\"1.0.0\", \"=\", \"1.0.0\", \"1.0.0\"]}")).isNull();
    assertThat(Logic.eval("{\"sem_ver\": \"1.0.0\"}")).isNull();
  }

  /**
   * The literal fast path (the right-hand version's numbers read once, the left's in one pass) against
   * the general comparison, on 20,000 seeded random pairs: full versions, the MAJOR and MAJOR.MINOR
   * shorthands, a v/V prefix, 0 to 18-digit numbers, pre-releases and build metadata, and pairs that
   * share their numbers so that the pre-release comparison is reached.
   */
  @Test
  void literalFastPathComparesLikeTheGeneralPath() {
    java.util.Random random = new java.util.Random(18);
    int equalNumbers = 0;
    for (int run = 0; run < 20_000; run++) {
      String a = randomVersion(random);
      String b = random.nextInt(3) == 0 ? sameNumbers(a, random) : randomVersion(random);
      long aShape = SemVer.shape(a);
      long bShape = SemVer.shape(b);
      assertThat(aShape).as(a).isNotEqualTo(SemVer.INVALID);
      assertThat(bShape).as(b).isNotEqualTo(SemVer.INVALID);
      int general = Integer.signum(SemVer.compare(a, aShape, b, bShape));
      int fast = Integer.signum(SemVer.compare(a, aShape, SemVer.release(b), b, bShape));
      assertThat(fast).as("%s vs %s", a, b).isEqualTo(general);
      if (java.util.Arrays.equals(SemVer.release(a), SemVer.release(b))) {
        equalNumbers++;
      }
    }
    // the pre-release comparison behind equal numbers is reached often, not by luck
    assertThat(equalNumbers).isGreaterThan(5_000);
  }

  private static String randomVersion(java.util.Random random) {
    StringBuilder v = new StringBuilder();
    if (random.nextInt(8) == 0) {
      v.append(random.nextBoolean() ? 'v' : 'V');
    }
    int parts = random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 3; // the shorthands MAJOR and MAJOR.MINOR
    for (int p = 0; p < parts; p++) {
      if (p > 0) {
        v.append('.');
      }
      v.append(randomNumber(random));
    }
    if (parts == 3) {
      appendSuffixes(v, random);
    }
    return v.toString();
  }

  /** A version with the same major, minor and patch numbers as {@code version}, in another form. */
  private static String sameNumbers(String version, java.util.Random random) {
    long[] numbers = SemVer.release(version);
    StringBuilder v = new StringBuilder();
    if (numbers[2] == 0 && random.nextBoolean()) {
      v.append(numbers[0]);
      if (numbers[1] != 0 || random.nextBoolean()) {
        v.append('.').append(numbers[1]);
      }
      return v.toString();
    }
    v.append(numbers[0]).append('.').append(numbers[1]).append('.').append(numbers[2]);
    appendSuffixes(v, random);
    return v.toString();
  }

  private static void appendSuffixes(StringBuilder v, java.util.Random random) {
    if (random.nextBoolean()) {
      v.append('-');
      int identifiers = 1 + random.nextInt(3);
      for (int i = 0; i < identifiers; i++) {
        if (i > 0) {
          v.append('.');
        }
        if (random.nextBoolean()) {
          v.append(randomNumber(random) % 20);
        } else {
          String[] words = {"alpha", "beta", "rc", "a-b", "x1", "0a", "B"};
          v.append(words[random.nextInt(words.length)]);
        }
      }
    }
    if (random.nextInt(4) == 0) {
      v.append("+build.").append(random.nextInt(100)).append(".001");
    }
  }

  /** 0 to 18 digits' worth, small ones most often (so that parts often tie), no leading zeros. */
  private static long randomNumber(java.util.Random random) {
    switch (random.nextInt(4)) {
      case 0: return 0;
      case 1: return random.nextInt(3);
      case 2: return random.nextInt(1000);
      default: return Math.floorMod(random.nextLong(), 999_999_999_999_999_999L);
    }
  }
}
