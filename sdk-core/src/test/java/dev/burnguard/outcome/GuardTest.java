package dev.burnguard.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Guard.OutcomeRecorder;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GuardTest {
  /**
   * new-checkout: true ("on") for tier beta, false ("off") otherwise. layout: the variant named by
   * the context's "layout" attribute, "classic" without one, an evaluation error for an unknown
   * name. The paused flags are disabled: the caller's default, with no variant.
   */
  private static final String FLAGS = "{\"flags\": {"
      + "\"new-checkout\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
      + "  \"defaultVariant\": \"off\", \"targeting\": {\"if\": [{\"==\": [{\"var\": \"tier\"}, \"beta\"]}, \"on\", \"off\"]}},"
      + "\"layout\": {\"state\": \"ENABLED\", \"variants\": {\"grid\": \"g\", \"list\": \"l\", \"classic\": \"c\"},"
      + "  \"defaultVariant\": \"classic\", \"targeting\": {\"var\": \"layout\"}},"
      + "\"paused-checkout\": {\"state\": \"DISABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"},"
      + "\"paused-layout\": {\"state\": \"DISABLED\", \"variants\": {\"grid\": \"g\", \"classic\": \"c\"}, \"defaultVariant\": \"grid\"}"
      + "}}";

  private static final EvaluationContext BETA = user("tier", "beta");
  private static final EvaluationContext GA = user("tier", "ga");

  private static final Duration MS_250 = Duration.ofMillis(250);

  record Record(String flagKey, String variant, long latencyNanos, Outcome outcome) {
    static Record of(String flagKey, String variant, Duration latency, Outcome outcome) {
      return new Record(flagKey, variant, latency.toNanos(), outcome);
    }
  }

  private final ManualClock clock = new ManualClock();
  private final List<Record> records = new ArrayList<>();
  private final OutcomeRecorder recorder = (flag, variant, latency, outcome) ->
      records.add(new Record(flag, variant, latency, outcome));
  private final List<String> ran = new ArrayList<>();
  private BurnguardProvider provider;

  /**
   * Renders the input with the name of the branch that ran; built once, as users would, with the
   * types inferred from the typed otherwise lambda (X = RuntimeException: it throws nothing).
   */
  private final Guard.Variants<String, String, RuntimeException> layouts =
      Guard.Variants.builder((String input) -> render("otherwise", input))
          .on("grid", input -> render("grid", input))
          .on("list", input -> render("list", input))
          .build();

  @BeforeEach
  void startProvider() throws Exception {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock).build();
    provider.initialize(new ImmutableContext());
  }

  @AfterEach
  void stopProvider() {
    provider.shutdown();
  }

  private static EvaluationContext user(String attribute, String value) {
    return new ImmutableContext("user-1", Map.of(attribute, new Value(value)));
  }

  private Guard.Builder guard() {
    return Guard.builder(provider, recorder).clock(clock);
  }

  /** A branch that notes it ran, takes {@code latency} on the manual clock and returns {@code result}. */
  private <T> Guard.Branch<T, RuntimeException> takes(String name, Duration latency, T result) {
    return () -> {
      ran.add(name);
      clock.advance(latency);
      return result;
    };
  }

  /** A branch that notes it ran, takes {@code latency} on the manual clock and throws {@code failure}. */
  private <T, X extends Exception> Guard.Branch<T, X> fails(String name, Duration latency, X failure) {
    return () -> {
      ran.add(name);
      clock.advance(latency);
      throw failure;
    };
  }

  /** The body of a void branch: notes it ran and takes {@code latency} on the manual clock. */
  private void step(String name, Duration latency) {
    ran.add(name);
    clock.advance(latency);
  }

  /** The body of a dispatch branch: notes it ran, takes 250 ms and names itself and its input. */
  private String render(String branch, String input) {
    ran.add(branch);
    clock.advance(MS_250);
    return branch + ":" + input;
  }

  @Test
  void runsTheCandidateWhenTheFlagIsTrueAndRecordsItsExactLatencyAgainstTheServedVariant() {
    Guard guard = guard().build();

    String result = guard.call("new-checkout", BETA, takes("candidate", MS_250, "new"),
        takes("control", Duration.ofMillis(7), "old"));

    assertThat(result).isEqualTo("new");
    assertThat(ran).containsExactly("candidate");
    assertThat(records).containsExactly(Record.of("new-checkout", "on", MS_250, Outcome.SUCCESS));
  }

  @Test
  void runsTheControlWhenTheFlagIsFalse() {
    Guard guard = guard().build();

    String result = guard.call("new-checkout", GA, takes("candidate", MS_250, "new"),
        takes("control", Duration.ofMillis(7), "old"));

    assertThat(result).isEqualTo("old");
    assertThat(ran).containsExactly("control");
    assertThat(records).containsExactly(Record.of("new-checkout", "off", Duration.ofMillis(7), Outcome.SUCCESS));
  }

  @Test
  void timesOnlyTheBranchNotTheEvaluationAndOnlyWithTheInjectedClock() {
    // A provider that takes 5 ms to evaluate; the ManualClock never moves by itself, so any
    // reading of the system clock would show up as a latency other than 40 ms.
    FeatureProvider slowProvider = new FixedProvider(() -> {
      clock.advance(Duration.ofMillis(5));
      return new ProviderEvaluation<>(true, "v2", "TARGETING_MATCH", null, null, ImmutableMetadata.EMPTY);
    });
    Guard guard = Guard.builder(slowProvider, recorder).clock(clock).build();

    guard.call("any-vendor-flag", BETA, takes("candidate", Duration.ofMillis(40), 1), takes("control", MS_250, 0));

    assertThat(records).containsExactly(Record.of("any-vendor-flag", "v2", Duration.ofMillis(40), Outcome.SUCCESS));
  }

  @Test
  void aThrowingCandidateIsAnErrorAndItsExceptionReachesTheCallerAsTheSameInstance() {
    Guard guard = guard().build();
    IOException boom = new IOException("payment service down");
    Guard.Branch<String, IOException> candidate = fails("candidate", Duration.ofMillis(30), boom);
    Guard.Branch<String, IOException> control = () -> "old";

    assertThatThrownBy(() -> guard.call("new-checkout", BETA, candidate, control)).isSameAs(boom);
    assertThat(boom.getSuppressed()).isEmpty();
    assertThat(records).containsExactly(Record.of("new-checkout", "on", Duration.ofMillis(30), Outcome.ERROR));
  }

  @Test
  void aThrowingControlIsAnErrorOfTheControlVariant() {
    Guard guard = guard().fallbackToControl(true).build();
    IllegalStateException boom = new IllegalStateException("old path broken");

    assertThatThrownBy(() -> guard.call("new-checkout", GA, takes("candidate", MS_250, "new"),
        fails("control", Duration.ofMillis(3), boom))).isSameAs(boom);
    // fallback is from the candidate to the control, never the other way round
    assertThat(ran).containsExactly("control");
    assertThat(records).containsExactly(Record.of("new-checkout", "off", Duration.ofMillis(3), Outcome.ERROR));
  }

  @Test
  void anErrorFromABranchPropagatesUnchangedEvenWithFallbackButIsRecorded() {
    Guard guard = guard().fallbackToControl(true).build();
    StackOverflowError overflow = new StackOverflowError();
    Guard.Branch<String, RuntimeException> candidate = () -> {
      clock.advance(Duration.ofMillis(2));
      throw overflow;
    };

    assertThatThrownBy(() -> guard.call("new-checkout", BETA, candidate, takes("control", MS_250, "old")))
        .isSameAs(overflow);
    assertThat(ran).isEmpty();
    assertThat(records).containsExactly(Record.of("new-checkout", "on", Duration.ofMillis(2), Outcome.ERROR));
  }

  @Test
  void resultClassifierMarksResultsAsErrors() {
    Guard guard = guard().resultClassifier(r -> r instanceof Integer status && status >= 500).build();

    int failed = guard.call("new-checkout", BETA, takes("candidate", MS_250, 503), takes("control", MS_250, 200));
    int succeeded = guard.call("new-checkout", GA, takes("candidate", MS_250, 503), takes("control", MS_250, 200));

    assertThat(failed).isEqualTo(503);
    assertThat(succeeded).isEqualTo(200);
    assertThat(records).containsExactly(
        Record.of("new-checkout", "on", MS_250, Outcome.ERROR),
        Record.of("new-checkout", "off", MS_250, Outcome.SUCCESS));
  }

  @Test
  void errorAfterMarksCallsSlowerThanTheThresholdAsErrors() {
    Guard guard = guard().errorAfter(Duration.ofMillis(300)).build();

    guard.call("new-checkout", BETA, takes("candidate", Duration.ofMillis(300), "at the limit"), takes("control", MS_250, ""));
    String slow = guard.call("new-checkout", BETA,
        takes("candidate", Duration.ofMillis(300).plusNanos(1), "past the limit"), takes("control", MS_250, ""));

    assertThat(slow).isEqualTo("past the limit");
    assertThat(records).containsExactly(
        Record.of("new-checkout", "on", Duration.ofMillis(300), Outcome.SUCCESS),
        Record.of("new-checkout", "on", Duration.ofMillis(300).plusNanos(1), Outcome.ERROR));
  }

  @Test
  void aThrowingClassifierCountsTheCallAsAnErrorAndNeverReachesTheCaller() {
    Guard guard = guard().resultClassifier(r -> ((String) r).isEmpty()).build();

    Integer result = guard.call("new-checkout", BETA, takes("candidate", MS_250, 42), takes("control", MS_250, 0));

    assertThat(result).isEqualTo(42);
    assertThat(records).containsExactly(Record.of("new-checkout", "on", MS_250, Outcome.ERROR));
  }

  @Test
  void aThrowingRecorderNeverReachesTheCallerNorHidesTheBranchsException() {
    OutcomeRecorder broken = (flag, variant, latency, outcome) -> {
      records.add(new Record(flag, variant, latency, outcome));
      throw new IllegalStateException("recorder broken");
    };
    Guard guard = Guard.builder(provider, broken).clock(clock).build();
    IllegalArgumentException boom = new IllegalArgumentException("bad order");

    String result = guard.call("new-checkout", BETA, takes("candidate", MS_250, "new"), takes("control", MS_250, "old"));
    assertThatThrownBy(() -> guard.call("new-checkout", BETA, fails("candidate", MS_250, boom),
        takes("control", MS_250, "old"))).isSameAs(boom);

    assertThat(result).isEqualTo("new");
    assertThat(records).extracting(Record::outcome).containsExactly(Outcome.SUCCESS, Outcome.ERROR);
  }

  @Test
  void noCheckedExceptionIsInferredForLambdasThatThrowNone() {
    Guard guard = guard().build();
    // This method declares no exception: it compiles only if X is inferred as RuntimeException.
    String result = guard.call("new-checkout", GA, () -> "new", () -> "old");
    assertThat(result).isEqualTo("old");
  }

  @Test
  void aNullBranchFailsWhicheverBranchTheFlagServes() {
    Guard guard = guard().build();

    assertThatThrownBy(() -> guard.call("new-checkout", GA, null, takes("control", MS_250, "old")))
        .isInstanceOf(NullPointerException.class).hasMessage("candidate");
    assertThat(ran).isEmpty();
    assertThat(records).isEmpty();
  }

  @Test
  void fallbackReturnsTheControlsResultAndRecordsOnlyTheCandidatesError() throws IOException {
    Guard guard = guard().fallbackToControl(true).build();
    IOException boom = new IOException("payment service down");

    String result = guard.call("new-checkout", BETA, fails("candidate", Duration.ofMillis(30), boom),
        () -> {
          ran.add("control");
          clock.advance(Duration.ofMillis(100));
          return "old";
        });

    assertThat(result).isEqualTo("old");
    assertThat(ran).containsExactly("candidate", "control");
    // the candidate's latency up to its failure; the control's run counts for no variant
    assertThat(records).containsExactly(Record.of("new-checkout", "on", Duration.ofMillis(30), Outcome.ERROR));
  }

  @Test
  void fallbackWhenTheControlThrowsTooGivesTheCallerTheControlsExceptionUntouched() {
    Guard guard = guard().fallbackToControl(true).build();
    IOException candidateFailure = new IOException("new path down");
    IOException controlFailure = new IOException("old path down too");
    Guard.Branch<String, IOException> candidate = fails("candidate", MS_250, candidateFailure);
    Guard.Branch<String, IOException> control = fails("control", MS_250, controlFailure);

    assertThatThrownBy(() -> guard.call("new-checkout", BETA, candidate, control)).isSameAs(controlFailure);
    assertThat(controlFailure.getSuppressed()).isEmpty();
    assertThat(ran).containsExactly("candidate", "control");
    assertThat(records).containsExactly(Record.of("new-checkout", "on", MS_250, Outcome.ERROR));
  }

  @Test
  void fallbackLetsAnInterruptedCandidatesExceptionThroughWithoutRunningTheControl() {
    Guard guard = guard().fallbackToControl(true).build();
    InterruptedException interrupted = new InterruptedException();
    Guard.Branch<String, InterruptedException> candidate = fails("candidate", MS_250, interrupted);

    assertThatThrownBy(() -> guard.call("new-checkout", BETA, candidate, () -> "old")).isSameAs(interrupted);
    assertThat(ran).containsExactly("candidate");
    assertThat(records).containsExactly(Record.of("new-checkout", "on", MS_250, Outcome.ERROR));
  }

  @Test
  void fallbackIsOffByDefault() {
    Guard guard = guard().build();
    RuntimeException boom = new RuntimeException("new path down");

    assertThatThrownBy(() -> guard.call("new-checkout", BETA, fails("candidate", MS_250, boom),
        takes("control", MS_250, "old"))).isSameAs(boom);
    assertThat(ran).containsExactly("candidate");
  }

  /** Calls {@code flagKey} with fallback on and asserts that only the control ran, unrecorded. */
  private void assertControlRanUnrecorded(FeatureProvider provider, String flagKey, EvaluationContext ctx) {
    Guard guard = Guard.builder(provider, recorder).clock(clock).fallbackToControl(true).build();
    ran.clear();
    String result = guard.call(flagKey, ctx, takes("candidate", MS_250, "new"), takes("control", MS_250, "old"));
    assertThat(result).isEqualTo("old");
    assertThat(ran).containsExactly("control");
    assertThat(records).isEmpty();
  }

  @Test
  void aMissingFlagRunsTheControlAndRecordsNothing() {
    assertControlRanUnrecorded(provider, "no-such-flag", BETA);
  }

  @Test
  void aTypeMismatchRunsTheControlAndRecordsNothing() {
    assertThat(provider.getBooleanEvaluation("layout", false, BETA).getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertControlRanUnrecorded(provider, "layout", BETA);
  }

  @Test
  void aProviderNotReadyRunsTheControlAndRecordsNothing() {
    provider.shutdown();
    assertThat(provider.getBooleanEvaluation("new-checkout", false, BETA).getErrorCode())
        .isEqualTo(ErrorCode.PROVIDER_NOT_READY);
    assertControlRanUnrecorded(provider, "new-checkout", BETA);
  }

  @Test
  void aDisabledFlagServesTheDefaultWithoutAVariantAndRecordsNothing() {
    assertThat(provider.getBooleanEvaluation("paused-checkout", false, BETA).getVariant()).isNull();
    assertControlRanUnrecorded(provider, "paused-checkout", BETA);
  }

  @Test
  void aProviderThatThrowsOrAnswersNothingRunsTheControlAndRecordsNothing() {
    for (FeatureProvider broken : List.of(
        new FixedProvider(() -> {
          throw new IllegalStateException("vendor SDK bug");
        }),
        new FixedProvider(() -> null),
        new FixedProvider(() -> new ProviderEvaluation<>(null, "on", "STATIC", null, null, ImmutableMetadata.EMPTY)),
        // an error that still names a variant: the error code decides, as in the OpenFeature client
        new FixedProvider(() -> new ProviderEvaluation<>(true, "on", "ERROR", ErrorCode.GENERAL, "quota exceeded",
            ImmutableMetadata.EMPTY)))) {
      assertControlRanUnrecorded(broken, "new-checkout", BETA);
    }
  }

  @Test
  void aServedCandidateWithoutAVariantRunsAndFallsBackButRecordsNothing() {
    FeatureProvider noVariants = new FixedProvider(
        () -> new ProviderEvaluation<>(true, null, "TARGETING_MATCH", null, null, ImmutableMetadata.EMPTY));
    Guard guard = Guard.builder(noVariants, recorder).clock(clock).fallbackToControl(true)
        .resultClassifier(r -> true).build();

    String served = guard.call("f", BETA, takes("candidate", MS_250, "new"), takes("control", MS_250, "old"));
    String fellBack = guard.call("f", BETA, fails("candidate", MS_250, new RuntimeException()),
        takes("control", MS_250, "old"));

    assertThat(served).isEqualTo("new");
    assertThat(fellBack).isEqualTo("old");
    assertThat(ran).containsExactly("candidate", "candidate", "control");
    assertThat(records).isEmpty();
  }

  @Test
  void runRecordsTheServedBranchsLatencyAndErrorAfterButNeverClassifies() {
    // a classifier that calls everything an error: run has no result, so it is never consulted
    Guard guard = guard().resultClassifier(r -> true).errorAfter(Duration.ofMillis(300)).build();

    guard.run("new-checkout", BETA, () -> step("candidate", Duration.ofMillis(300)), () -> step("control", MS_250));
    guard.run("new-checkout", GA, () -> step("candidate", MS_250), () -> step("control", Duration.ofMillis(301)));

    assertThat(ran).containsExactly("candidate", "control");
    assertThat(records).containsExactly(
        Record.of("new-checkout", "on", Duration.ofMillis(300), Outcome.SUCCESS),
        Record.of("new-checkout", "off", Duration.ofMillis(301), Outcome.ERROR));
  }

  @Test
  void runRethrowsAThrowingCandidateOrFallsBack() {
    IOException boom = new IOException("disk full");
    Guard.VoidBranch<IOException> candidate = () -> {
      step("candidate", Duration.ofMillis(20));
      throw boom;
    };
    Guard.VoidBranch<IOException> control = () -> step("control", MS_250);

    assertThatThrownBy(() -> guard().build().run("new-checkout", BETA, candidate, control)).isSameAs(boom);
    assertThat(ran).containsExactly("candidate");
    ran.clear();
    assertThatCode(() -> guard().fallbackToControl(true).build().run("new-checkout", BETA, candidate, control))
        .doesNotThrowAnyException();
    assertThat(ran).containsExactly("candidate", "control");
    assertThat(records).containsExactly(
        Record.of("new-checkout", "on", Duration.ofMillis(20), Outcome.ERROR),
        Record.of("new-checkout", "on", Duration.ofMillis(20), Outcome.ERROR));
  }

  @Test
  void runAfterAFailedEvaluationRunsTheControlAndRecordsNothing() {
    guard().build().run("no-such-flag", BETA, () -> step("candidate", MS_250), () -> step("control", MS_250));

    assertThat(ran).containsExactly("control");
    assertThat(records).isEmpty();
  }

  @Test
  void dispatchRunsTheServedVariantsBranchWithTheInputAndRecordsAgainstThatVariant() {
    Guard guard = guard().build();

    assertThat(guard.dispatch("layout", user("layout", "grid"), layouts, "alice")).isEqualTo("grid:alice");
    assertThat(guard.dispatch("layout", user("layout", "list"), layouts, "bob")).isEqualTo("list:bob");

    assertThat(records).containsExactly(
        Record.of("layout", "grid", MS_250, Outcome.SUCCESS),
        Record.of("layout", "list", MS_250, Outcome.SUCCESS));
  }

  @Test
  void dispatchRunsOtherwiseForAVariantWithoutABranchRecordedAgainstThatVariant() {
    Guard guard = guard().build();

    assertThat(guard.dispatch("layout", user("layout", "classic"), layouts, "carol")).isEqualTo("otherwise:carol");
    assertThat(guard.dispatch("layout", GA, layouts, "dave")).isEqualTo("otherwise:dave");

    assertThat(records).containsExactly(
        Record.of("layout", "classic", MS_250, Outcome.SUCCESS),
        Record.of("layout", "classic", MS_250, Outcome.SUCCESS));
  }

  @Test
  void dispatchRunsOtherwiseAndRecordsNothingForAFailedEvaluationOrNoVariant() {
    Guard guard = guard().build();

    // targeting names a variant the flag lacks: an evaluation error
    assertThat(guard.dispatch("layout", user("layout", "carousel"), layouts, "a")).isEqualTo("otherwise:a");
    // a boolean flag read as a string: TYPE_MISMATCH
    assertThat(guard.dispatch("new-checkout", BETA, layouts, "b")).isEqualTo("otherwise:b");
    assertThat(guard.dispatch("no-such-flag", BETA, layouts, "c")).isEqualTo("otherwise:c");
    // disabled: no variant
    assertThat(guard.dispatch("paused-layout", user("layout", "grid"), layouts, "d")).isEqualTo("otherwise:d");

    // an error from another vendor's provider that still names a variant with a branch
    FeatureProvider vendor = new FixedProvider(() -> new ProviderEvaluation<>("g", "grid", "ERROR", ErrorCode.GENERAL,
        "quota exceeded", ImmutableMetadata.EMPTY));
    Guard vendorGuard = Guard.builder(vendor, recorder).clock(clock).build();
    assertThat(vendorGuard.dispatch("layout", BETA, layouts, "e")).isEqualTo("otherwise:e");

    assertThat(ran).containsOnly("otherwise");
    assertThat(records).isEmpty();
  }

  @Test
  void dispatchDoesNotFallBackFromOtherwiseToItself() {
    IllegalStateException boom = new IllegalStateException("classic broken");
    Guard.Variants<String, String, RuntimeException> brokenOtherwise =
        Guard.Variants.<String, String, RuntimeException>builder(input -> {
          ran.add("otherwise");
          clock.advance(Duration.ofMillis(4));
          throw boom;
        }).on("grid", input -> render("grid", input)).build();
    Guard guard = guard().fallbackToControl(true).build();

    assertThatThrownBy(() -> guard.dispatch("layout", user("layout", "classic"), brokenOtherwise, "x")).isSameAs(boom);

    assertThat(ran).containsExactly("otherwise");
    assertThat(records).containsExactly(Record.of("layout", "classic", Duration.ofMillis(4), Outcome.ERROR));
  }

  @Test
  void dispatchClassifiesResultsAndFallsBackToOtherwiseWhenAVariantsBranchThrows() {
    IllegalStateException boom = new IllegalStateException("grid broken");
    Guard.Variants<String, String, RuntimeException> brokenGrid =
        Guard.Variants.<String, String, RuntimeException>builder(input -> render("otherwise", input))
            .on("grid", input -> {
              ran.add("grid");
              clock.advance(Duration.ofMillis(9));
              throw boom;
            })
            .on("list", input -> render("list", input))
            .build();
    Guard guard = guard().fallbackToControl(true).resultClassifier(r -> ((String) r).endsWith("mallory")).build();

    assertThat(guard.dispatch("layout", user("layout", "grid"), brokenGrid, "erin")).isEqualTo("otherwise:erin");
    assertThat(guard.dispatch("layout", user("layout", "list"), brokenGrid, "mallory")).isEqualTo("list:mallory");

    assertThat(ran).containsExactly("grid", "otherwise", "list");
    assertThat(records).containsExactly(
        Record.of("layout", "grid", Duration.ofMillis(9), Outcome.ERROR),
        Record.of("layout", "list", MS_250, Outcome.ERROR));
    assertThatThrownBy(() -> guard().build().dispatch("layout", user("layout", "grid"), brokenGrid, "x"))
        .isSameAs(boom);
  }

  @Test
  void errorAfterMustBePositiveAndNamesTheBadValue() {
    Guard.Builder builder = guard();
    assertThatThrownBy(() -> builder.errorAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("errorAfter must be positive, got PT0S");
    assertThatThrownBy(() -> builder.errorAfter(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("errorAfter must be positive, got PT-0.005S");
  }

  @Test
  void anErrorAfterTooLongForNanosecondsMeansNoCallIsThatSlow() {
    Guard guard = guard().errorAfter(Duration.ofDays(365L * 1000)).build();

    guard.call("new-checkout", BETA, takes("candidate", Duration.ofDays(365L * 200), 1), takes("control", MS_250, 0));

    assertThat(records).extracting(Record::outcome).containsExactly(Outcome.SUCCESS);
  }

  @Test
  void requiresItsCollaborators() {
    assertThatThrownBy(() -> Guard.builder(null, recorder)).hasMessage("provider");
    assertThatThrownBy(() -> Guard.builder(provider, null)).hasMessage("recorder");
    assertThatThrownBy(() -> guard().clock(null)).hasMessage("clock");
    assertThatThrownBy(() -> guard().resultClassifier(null)).hasMessage("resultClassifier");
    assertThatThrownBy(() -> guard().errorAfter(null)).hasMessage("errorAfter");
  }

  @Test
  void variantsNeedOtherwiseAndAtLeastOneVariantEachOnce() {
    Guard.VariantBranch<String, String, RuntimeException> branch = input -> input;

    assertThatThrownBy(() -> Guard.Variants.builder(null)).hasMessage("otherwise");
    assertThatThrownBy(() -> Guard.Variants.builder(branch).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one variant");
    assertThatThrownBy(() -> Guard.Variants.builder(branch).on("grid", branch).on("grid", branch))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("variant \"grid\" already has a branch");
    assertThatThrownBy(() -> Guard.Variants.builder(branch).on("grid", null))
        .hasMessage("branch of variant \"grid\"");
  }

  @Test
  void aVariantsTableDoesNotChangeWhenItsBuilderIsReused() {
    Guard.Variants.Builder<String, String, RuntimeException> builder =
        Guard.Variants.<String, String, RuntimeException>builder(input -> "otherwise").on("grid", input -> "grid");
    Guard.Variants<String, String, RuntimeException> table = builder.build();
    builder.on("list", input -> "list");

    assertThat(guard().build().dispatch("layout", user("layout", "list"), table, "")).isEqualTo("otherwise");
  }

  /** A provider of any vendor, reduced to one answer for boolean and string flags. */
  private static final class FixedProvider implements FeatureProvider {
    private final Answer answer;

    interface Answer {
      ProviderEvaluation<Object> get();
    }

    FixedProvider(Answer answer) {
      this.answer = answer;
    }

    @Override
    public Metadata getMetadata() {
      return () -> "fixed";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T> ProviderEvaluation<T> answer() {
      return (ProviderEvaluation) answer.get();
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
      return answer();
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
      return answer();
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
      return answer();
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
      return answer();
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
      return answer();
    }
  }
}
