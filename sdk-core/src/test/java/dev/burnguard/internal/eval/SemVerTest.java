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
}
