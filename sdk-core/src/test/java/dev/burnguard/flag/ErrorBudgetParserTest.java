package dev.burnguard.flag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.ErrorBudgetPolicy.Action;
import dev.burnguard.rollout.ErrorBudgetPolicy.Period;
import dev.burnguard.rollout.ErrorBudgetPolicy.ServiceSlo;
import dev.burnguard.rollout.ErrorBudgetPolicy.Threshold;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The flag file's top-level "slos" and "errorBudgetPolicy": what they declare, and errors with file, JSON path and value. */
class ErrorBudgetParserTest {
  private static final String FLAG = "\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": true, \"b\": false}}}";

  private static FlagSet parse(String topLevel) throws InvalidFlagSetException {
    return FlagSet.parse("{" + FLAG + ", " + topLevel + "}", "flags.json");
  }

  private static List<String> problems(String topLevel) {
    InvalidFlagSetException e = catchThrowableOfType(InvalidFlagSetException.class, () -> parse(topLevel));
    assertThat(e).as("refused: " + topLevel).isNotNull();
    return e.problems().stream().map(FlagProblem::toString).toList();
  }

  @Test
  void readsSlosAndThePolicy() throws Exception {
    FlagSet set = parse("\"slos\": {"
        + "\"checkout\": {\"journey\": \"checkout\", \"availability\": 99.9, \"period\": \"28d\"},"
        + "\"search-p95\": {\"journey\": \"search\", \"latency\": {\"threshold\": \"400ms\", \"objective\": 95},"
        + " \"period\": \"calendar-month\"}},"
        + "\"errorBudgetPolicy\": {\"slos\": [\"checkout\"], \"flags\": [\"f\"], \"thresholds\": [{\"spent\": 100,"
        + " \"action\": \"freeze\"}, {\"spent\": 75, \"action\": \"hold\"}]}");
    ErrorBudgetPolicy p = set.errorBudgetPolicy().orElseThrow();
    assertThat(p.slos()).containsOnlyKeys("checkout", "search-p95");
    assertThat(p.slos().get("checkout")).isEqualTo(
        new ServiceSlo("checkout", "checkout", 0.999, null, Period.rolling(Duration.ofDays(28))));
    assertThat(p.slos().get("search-p95")).isEqualTo(
        new ServiceSlo("search-p95", "search", 0.95, Duration.ofMillis(400), Period.calendarMonth()));
    assertThat(p.governedSlos()).containsExactly("checkout");
    assertThat(p.governs("f")).isTrue();
    assertThat(p.governs("g")).isFalse();
    assertThat(p.thresholds()).containsExactly(new Threshold(75, Action.HOLD), new Threshold(100, Action.FREEZE));
    assertThat(p.journeys()).isEqualTo(Set.of("checkout", "search"));
  }

  @Test
  void slosWithoutAPolicyKeepBudgetsOnlyAndAPlainFileHasNone() throws Exception {
    ErrorBudgetPolicy p = parse("\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99, \"period\": \"1h\"}}")
        .errorBudgetPolicy().orElseThrow();
    assertThat(p.thresholds()).isEmpty();
    assertThat(p.governs("anything")).isTrue();
    assertThat(FlagSet.parse("{" + FLAG + "}", "flags.json").errorBudgetPolicy()).isEmpty();
  }

  @Test
  void badSloDeclarationsAreNamedByPathAndValue() {
    assertThat(problems("\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 0.999, \"period\": \"28d\"}}"))
        .containsExactly("flags.json: $.slos.c.availability: must be a percentage, e.g. 99.9 for 99.9 %: 0.999 would"
            + " mean 0.999 %, which looks like a fraction written by mistake (value: 0.999)");
    assertThat(problems("\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"90m\"}}"))
        .containsExactly("flags.json: $.slos.c.period: a rolling budget period must be whole hours from 1h to 31d,"
            + " e.g. \"28d\", got PT1H30M (value: \"90m\")");
    assertThat(problems("\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"32d\"}}"))
        .containsExactly("flags.json: $.slos.c.period: a rolling budget period must be whole hours from 1h to 31d,"
            + " e.g. \"28d\", got PT768H (value: \"32d\")");
    assertThat(problems("\"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 99.9, \"period\": \"month\"}}"))
        .containsExactly("flags.json: $.slos.c.period: must be a duration such as \"300ms\", \"15s\", \"5m\", \"1h\","
            + " \"2d\", \"1h30m\" or ISO-8601 \"PT5M\" (value: \"month\")");
    assertThat(problems("\"slos\": {\"c\": {\"availability\": 99.9, \"latency\": {\"threshold\": \"1s\"},"
        + " \"period\": \"28d\", \"window\": 1}}"))
        .containsExactly(
            "flags.json: $.slos.c.window: unknown member; allowed: availability, journey, latency, period",
            "flags.json: $.slos.c.journey: missing: an SLO names the journey whose outcomes it counts, e.g. \"checkout\"",
            "flags.json: $.slos.c: an SLO has exactly one objective: \"availability\": 99.9, or \"latency\":"
                + " {\"threshold\": \"400ms\", \"objective\": 95} (value: {\"availability\":99.9,\"latency\":"
                + "{\"threshold\":\"1s\"},\"period\":\"28d\",\"window\":1})");
    assertThat(problems("\"slos\": {\"s\": {\"journey\": \"s\", \"latency\": {\"threshold\": \"400ms\"},"
        + " \"period\": \"28d\"}}"))
        .containsExactly("flags.json: $.slos.s.latency.objective: missing: a latency SLO needs the percentage of calls"
            + " that must be within the threshold, e.g. 95");
    assertThat(problems("\"slos\": []")).containsExactly("flags.json: $.slos: slos must be a non-empty object of SLO"
        + " name to SLO, e.g. {\"checkout\": {\"journey\": \"checkout\", \"availability\": 99.9, \"period\": \"28d\"}}"
        + " (value: [])");
  }

  @Test
  void badPolicyDeclarationsAreNamedByPathAndValue() {
    String slos = "\"slos\": {\"checkout\": {\"journey\": \"checkout\", \"availability\": 99.9, \"period\": \"28d\"}}, ";
    assertThat(problems(slos + "\"errorBudgetPolicy\": {\"slos\": [\"search\"], \"thresholds\": [{\"spent\": 75,"
        + " \"action\": \"stop\"}, {\"spent\": -5, \"action\": \"hold\"}, {\"spent\": 90}]}"))
        .containsExactly(
            "flags.json: $.errorBudgetPolicy.slos[0]: names an SLO that \"slos\" does not declare (SLOs: checkout)"
                + " (value: \"search\")",
            "flags.json: $.errorBudgetPolicy.thresholds[0].action: action must be \"hold\" (no advance beyond the"
                + " current stage) or \"freeze\" (no rise of exposure at all) (value: \"stop\")",
            "flags.json: $.errorBudgetPolicy.thresholds[1].spent: a threshold's spent share must be a percentage above"
                + " 0, e.g. 75, got -5.0 (value: -5)",
            "flags.json: $.errorBudgetPolicy.thresholds[2].action: missing: action must be \"hold\" (no advance beyond"
                + " the current stage) or \"freeze\" (no rise of exposure at all)");
    assertThat(problems(slos + "\"errorBudgetPolicy\": {\"thresholds\": [{\"spent\": 75, \"action\": \"hold\"},"
        + " {\"spent\": 75, \"action\": \"freeze\"}]}"))
        .containsExactly("flags.json: $.errorBudgetPolicy.thresholds[1].spent: two thresholds at 75.0 % spent"
            + " (value: 75)");
    assertThat(problems("\"errorBudgetPolicy\": {\"thresholds\": [{\"spent\": 75, \"action\": \"hold\"}]}"))
        .containsExactly("flags.json: $.slos: missing: an error-budget policy needs the SLOs it reads, e.g. \"slos\":"
            + " {\"checkout\": {\"journey\": \"checkout\", \"availability\": 99.9, \"period\": \"28d\"}}");
    assertThat(problems(slos + "\"errorBudgetPolicy\": {\"flags\": \"all\"}"))
        .containsExactly("flags.json: $.errorBudgetPolicy.flags: must be a non-empty array of flag names (value:"
            + " \"all\")", "flags.json: $.errorBudgetPolicy.thresholds: missing: thresholds must be a non-empty array,"
            + " e.g. [{\"spent\": 75, \"action\": \"hold\"}, {\"spent\": 100, \"action\": \"freeze\"}]");
  }

  @Test
  void aBadPolicyRefusesTheFileEvenWhenInvalidFlagsAreIsolated() {
    String json = "{" + FLAG + ", \"slos\": {\"c\": {\"journey\": \"c\", \"availability\": 100, \"period\": \"28d\"}}}";
    InvalidFlagSetException e = catchThrowableOfType(InvalidFlagSetException.class,
        () -> FlagSet.parse(json, "flags.json", FlagSetOptions.defaults()));
    assertThat(e.problems()).extracting(FlagProblem::jsonPath).containsExactly("$.slos.c.availability");
  }
}
