package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11.2: a flagd file with invalid flags loads as flagd loads it (the invalid flags answer
 * PARSE_ERROR, every other flag as flagd answers it), and a reload that breaks a flag that was valid
 * keeps serving its last good definition and says so (event, read, problems); REJECT_FILE stays all
 * or nothing.
 */
class InvalidFlagsTest {
  static final String ORIGIN = "testbed-shaped.json";

  /**
   * Shaped like flagd-testbed's merged flag file (our own content): flags of every type, shared
   * evaluators, targeting, a disabled flag, and two deliberately invalid flags — an unknown
   * operator and a {@code $ref} to an evaluator that does not exist.
   */
  static final String TESTBED_SHAPED = """
      {
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "flags": {
          "plain-boolean": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "plain-string": {"state": "ENABLED", "variants": {"hi": "hello", "bye": "goodbye"}, "defaultVariant": "bye"},
          "plain-integer": {"state": "ENABLED", "variants": {"one": 1, "ten": 10}, "defaultVariant": "ten"},
          "plain-float": {"state": "ENABLED", "variants": {"half": 0.5, "tenth": 0.1}, "defaultVariant": "half"},
          "plain-object": {"state": "ENABLED", "variants": {"card": {"color": "blue", "size": 3}, "none": {}},
            "defaultVariant": "card"},
          "staff-by-ref": {"state": "ENABLED", "variants": {"internal": "staff", "external": "guest"},
            "defaultVariant": "external", "targeting": {"if": [{"$ref": "is_staff"}, "internal", null]}},
          "version-gate": {"state": "ENABLED", "variants": {"new": true, "old": false}, "defaultVariant": "old",
            "targeting": {"if": [{"sem_ver": [{"var": "appVersion"}, ">=", "2.0.0"]}, "new", "old"]}},
          "switched-off": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "unknown-operator": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
            "targeting": {"no_such_operator": [{"var": "email"}, "b"]}},
          "missing-evaluator": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
            "targeting": {"if": [{"$ref": "not_defined_anywhere"}, "b", null]}}
        },
        "$evaluators": {
          "is_staff": {"ends_with": [{"var": "email"}, "@example.com"]}
        }
      }
      """;

  /** A valid file whose {@code banner} is targeted, so that its reason is TARGETING_MATCH. */
  static final String V1 = """
      {"flags": {
        "checkout": {"state": "ENABLED", "variants": {"new": true, "old": false}, "defaultVariant": "old"},
        "banner": {"state": "ENABLED", "variants": {"a": "hello", "b": "hi"}, "defaultVariant": "a",
          "targeting": {"if": [{"==": [{"var": "tier"}, "gold"]}, "b", "a"]}},
        "born-broken": {"state": "ENABLED", "variants": {"x": 1, "y": "2"}, "defaultVariant": "x"}
      }}
      """;
  /** V1 with checkout changed (valid) and banner's targeting broken (unknown operator). */
  static final String V2_BANNER_BROKEN = V1.replace("\"defaultVariant\": \"old\"", "\"defaultVariant\": \"new\"")
      .replace("{\"==\": [{\"var\": \"tier\"}, \"gold\"]}", "{\"equals\": [{\"var\": \"tier\"}, \"gold\"]}");
  /** V2 with banner fixed, and now serving "hey" to gold. */
  static final String V3_BANNER_FIXED = V1.replace("\"defaultVariant\": \"old\"", "\"defaultVariant\": \"new\"")
      .replace("\"b\": \"hi\"", "\"b\": \"hey\"");

  private static final EvaluationContext GOLD = new ImmutableContext("user-1", Map.of("tier", new Value("gold")));

  private final OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
  private final List<EventDetails> stale = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void allowForABusyMachine() {
    org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }

  InvalidFlagsTest() {
    for (ProviderEvent e : ProviderEvent.values()) {
      api.on(e, details -> {
        if (e == ProviderEvent.PROVIDER_STALE) {
          stale.add(details);
        }
        events.add(e + (details.getFlagsChanged() == null || details.getFlagsChanged().isEmpty() ? ""
            : " " + details.getFlagsChanged()));
      });
    }
  }

  @AfterEach
  void shutDown() {
    api.shutdown();
  }

  @Test
  void aTestbedShapedFileWithTwoInvalidFlagsLoadsWithDefaultSettingsAndAnswersAsFlagdDoes() {
    ManualSource source = new ManualSource(TESTBED_SHAPED, ORIGIN);
    BurnguardProvider provider = BurnguardProvider.builder().source(source).build();
    api.setProviderAndWait(provider); // would throw if the provider did not become ready
    Client client = api.getClient();
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);

    assertDetails(client.getBooleanDetails("plain-boolean", false), true, "on", "STATIC");
    assertDetails(client.getStringDetails("plain-string", "x"), "goodbye", "bye", "STATIC");
    assertDetails(client.getIntegerDetails("plain-integer", 0), 10, "ten", "STATIC");
    assertDetails(client.getDoubleDetails("plain-float", 0.0), 0.5, "half", "STATIC");
    FlagEvaluationDetails<Value> object = client.getObjectDetails("plain-object", new Value("x"));
    assertThat(object.getValue().asStructure().getValue("color").asString()).isEqualTo("blue");
    assertThat(object.getValue().asStructure().getValue("size").asInteger()).isEqualTo(3);
    assertThat(object.getVariant()).isEqualTo("card");
    assertDetails(client.getStringDetails("staff-by-ref", "x", ctx("email", "ann@example.com")), "staff", "internal",
        "TARGETING_MATCH");
    assertDetails(client.getStringDetails("staff-by-ref", "x", ctx("email", "bob@elsewhere.org")), "guest", "external",
        "DEFAULT");
    assertDetails(client.getBooleanDetails("version-gate", false, ctx("appVersion", "2.1.0")), true, "new",
        "TARGETING_MATCH");
    assertDetails(client.getBooleanDetails("version-gate", true, ctx("appVersion", "1.9.3")), false, "old",
        "TARGETING_MATCH");
    FlagEvaluationDetails<Boolean> off = client.getBooleanDetails("switched-off", false);
    assertThat(off.getValue()).isFalse();
    assertThat(off.getReason()).isEqualTo("DISABLED");
    assertThat(off.getErrorCode()).isNull();

    for (String invalid : List.of("unknown-operator", "missing-evaluator")) {
      FlagEvaluationDetails<String> d = client.getStringDetails(invalid, "caller-default");
      assertThat(d.getValue()).isEqualTo("caller-default");
      assertThat(d.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
      assertThat(d.getReason()).isEqualTo("ERROR");
    }
    assertThat(provider.invalidFlags()).containsOnlyKeys("unknown-operator", "missing-evaluator");
    FlagProblem operator = provider.invalidFlags().get("unknown-operator").get(0);
    assertThat(operator.origin()).isEqualTo(ORIGIN);
    assertThat(operator.jsonPath()).isEqualTo("$.flags.unknown-operator.targeting");
    assertThat(operator.value()).contains("no_such_operator");
    FlagProblem ref = provider.invalidFlags().get("missing-evaluator").get(0);
    assertThat(ref.jsonPath()).isEqualTo("$.flags.missing-evaluator.targeting.if[0].$ref");
    assertThat(ref.value()).isEqualTo("\"not_defined_anywhere\"");
    assertThat(ref.message()).contains("not_defined_anywhere");
    assertThat(provider.flagsAtLastKnownGood()).isEmpty();
    assertThat(provider.lastLoadFailure()).isEmpty();
  }

  @Test
  void underRejectFileTheSameFileIsRefusedWholeAndTheProviderNeverBecomesReady() {
    BurnguardProvider provider = BurnguardProvider.builder().source(new ManualSource(TESTBED_SHAPED, ORIGIN))
        .invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE).build();
    assertThatThrownBy(() -> api.setProviderAndWait(provider))
        .hasMessageContaining("$.flags.unknown-operator.targeting")
        .hasMessageContaining("$.flags.missing-evaluator.targeting.if[0].$ref");
    assertThat(api.getClient().getBooleanDetails("plain-boolean", false).getErrorCode())
        .isEqualTo(ErrorCode.PROVIDER_NOT_READY);
  }

  @Test
  void aReloadThatBreaksAValidFlagKeepsItsLastGoodDefinitionSaysSoAndAFixClearsIt() {
    ManualSource source = new ManualSource(V1);
    BurnguardProvider provider = BurnguardProvider.builder().source(source).build();
    api.setProviderAndWait(provider);
    Client client = api.getClient();
    assertDetails(client.getStringDetails("banner", "x", GOLD), "hi", "b", "TARGETING_MATCH");
    assertThat(client.getIntegerDetails("born-broken", 7).getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);

    source.deliver(V2_BANNER_BROKEN);
    // the broken flag serves its old value, variant and reason; the valid change is taken
    assertDetails(client.getStringDetails("banner", "x", GOLD), "hi", "b", "TARGETING_MATCH");
    assertDetails(client.getStringDetails("banner", "x"), "hello", "a", "TARGETING_MATCH");
    assertThat(client.getBooleanValue("checkout", false)).isTrue();
    // a flag invalid since it first appeared has no good definition to keep
    assertThat(client.getIntegerDetails("born-broken", 7).getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(provider.invalidFlags()).containsOnlyKeys("born-broken");

    assertThat(provider.flagsAtLastKnownGood()).containsOnlyKeys("banner");
    FlagProblem problem = provider.flagsAtLastKnownGood().get("banner").get(0);
    assertThat(problem.origin()).isEqualTo("manual.json");
    assertThat(problem.jsonPath()).isEqualTo("$.flags.banner.targeting.if[0]");
    assertThat(problem.value()).contains("equals");
    assertThat(provider.lastLoadFailure()).isEmpty();

    await().until(() -> stale.size() == 1 && events.contains("PROVIDER_CONFIGURATION_CHANGED [checkout]"));
    assertThat(client.getProviderState()).isEqualTo(ProviderState.STALE);
    EventDetails event = stale.get(0);
    assertThat(event.getMessage()).startsWith("1 flags are served from their last good definition")
        .contains("banner").contains("$.flags.banner.targeting.if[0]").contains("manual.json");
    assertThat(event.getEventMetadata().getString(BurnguardProvider.STALE_CAUSE_METADATA))
        .isEqualTo("invalid-flag-definitions");
    assertThat(event.getEventMetadata().getString(BurnguardProvider.LAST_KNOWN_GOOD_METADATA)).isEqualTo("banner");
    assertThat(event.getEventMetadata().getInteger(BurnguardProvider.LAST_KNOWN_GOOD_COUNT_METADATA)).isEqualTo(1);
    // banner's served definition did not change, so only checkout is announced as changed
    assertThat(events).doesNotContain("PROVIDER_CONFIGURATION_CHANGED [banner]", "PROVIDER_CONFIGURATION_CHANGED [banner, checkout]");

    source.deliver(V2_BANNER_BROKEN.replace("\"defaultVariant\": \"new\"", "\"defaultVariant\": \"old\""));
    assertThat(provider.flagsAtLastKnownGood()).containsOnlyKeys("banner"); // still kept over a second reload
    assertDetails(client.getStringDetails("banner", "x", GOLD), "hi", "b", "TARGETING_MATCH");

    source.deliver(V3_BANNER_FIXED);
    assertDetails(client.getStringDetails("banner", "x", GOLD), "hey", "b", "TARGETING_MATCH");
    assertThat(provider.flagsAtLastKnownGood()).isEmpty();
    await().until(() -> client.getProviderState() == ProviderState.READY
        && events.contains("PROVIDER_CONFIGURATION_CHANGED [banner, checkout]"));
    assertThat(stale).hasSize(1);
  }

  @Test
  void aWholeFileUnreadableWhileAFlagIsKeptKeepsEverythingAndIsStaleForThatReason() {
    ManualSource source = new ManualSource(V1);
    BurnguardProvider provider = BurnguardProvider.builder().source(source).build();
    api.setProviderAndWait(provider);
    Client client = api.getClient();
    source.deliver(V2_BANNER_BROKEN);
    await().until(() -> stale.size() == 1);

    source.deliver("{\"flags\": {\"checkout\": "); // malformed JSON: nothing of it is taken
    assertThat(provider.lastLoadFailure()).hasValueSatisfying(f -> assertThat(f.message()).contains("malformed JSON"));
    assertThat(client.getBooleanValue("checkout", false)).isTrue();
    assertDetails(client.getStringDetails("banner", "x", GOLD), "hi", "b", "TARGETING_MATCH");
    assertThat(provider.flagsAtLastKnownGood()).containsOnlyKeys("banner");
    await().until(() -> stale.size() == 2);
    assertThat(stale.get(1).getEventMetadata().getString(BurnguardProvider.STALE_CAUSE_METADATA))
        .isEqualTo("load-failed");
    assertThat(stale.get(1).getMessage()).contains("malformed JSON");

    source.deliver(V3_BANNER_FIXED);
    await().until(() -> client.getProviderState() == ProviderState.READY);
    assertThat(provider.lastLoadFailure()).isEmpty();
    assertThat(provider.flagsAtLastKnownGood()).isEmpty();
  }

  @Test
  void underRejectFileAReloadWithOneInvalidFlagIsRefusedWhole() {
    ManualSource source = new ManualSource(V1.replace("\"y\": \"2\"", "\"y\": 2")); // valid as a whole
    BurnguardProvider provider = BurnguardProvider.builder().source(source)
        .invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE).build();
    api.setProviderAndWait(provider);
    Client client = api.getClient();

    source.deliver(V2_BANNER_BROKEN);
    // checkout's valid change is not taken either: all or nothing
    assertThat(client.getBooleanValue("checkout", true)).isFalse();
    assertDetails(client.getStringDetails("banner", "x", GOLD), "hi", "b", "TARGETING_MATCH");
    assertThat(provider.lastLoadFailure()).hasValueSatisfying(f -> assertThat(f.problems())
        .extracting(FlagProblem::jsonPath).contains("$.flags.banner.targeting.if[0]", "$.flags.born-broken.variants.y"));
    assertThat(provider.flagsAtLastKnownGood()).isEmpty();
    await().until(() -> client.getProviderState() == ProviderState.STALE);
  }

  @Test
  void aGuardedFlagKeptAtItsLastGoodDefinitionKeepsItsRolloutAndGate() {
    String guarded = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false},"
        + " \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"stages\": ["
        + " {\"exposure\": 1, \"bake\": \"15m\"}, {\"exposure\": 100, \"bake\": \"1h\"}]}}}}";
    ManualSource source = new ManualSource(guarded);
    BurnguardProvider provider = BurnguardProvider.builder().source(source).guardianTicking(false).build();
    api.setProviderAndWait(provider);
    var stateBefore = provider.rollouts().state("checkout").orElseThrow();

    source.deliver(guarded.replace("\"exposure\": 1,", "\"exposure\": \"one\","));
    assertThat(provider.flagsAtLastKnownGood()).containsOnlyKeys("checkout");
    assertThat(provider.flagsAtLastKnownGood().get("checkout").get(0).jsonPath())
        .isEqualTo("$.flags.checkout.rollout.stages[0].exposure");
    assertThat(provider.rollouts().plans()).containsOnlyKeys("checkout");
    assertThat(provider.rollouts().state("checkout")).contains(stateBefore); // not restarted
    // a context without a targeting key is admitted only at 100 %: the gate still holds it back
    FlagEvaluationDetails<Boolean> held = api.getClient().getBooleanDetails("checkout", true, new ImmutableContext());
    assertThat(held.getVariant()).isEqualTo("old");
    assertThat(held.getReason()).isEqualTo("ROLLOUT");
  }

  private static EvaluationContext ctx(String key, String value) {
    MutableContext ctx = new MutableContext("user-1");
    ctx.add(key, value);
    return ctx;
  }

  private static <T> void assertDetails(FlagEvaluationDetails<T> d, T value, String variant, String reason) {
    assertThat(d.getErrorCode()).as("error of %s: %s", d.getFlagKey(), d.getErrorMessage()).isNull();
    assertThat(d.getValue()).as("value of %s", d.getFlagKey()).isEqualTo(value);
    assertThat(d.getVariant()).as("variant of %s", d.getFlagKey()).isEqualTo(variant);
    assertThat(d.getReason()).as("reason of %s", d.getFlagKey()).isEqualTo(reason);
  }

  /** A source whose content the test delivers on its own thread; {@link #deliver} returns once the provider took it. */
  static final class ManualSource implements FlagSource {
    private final String initial;
    private final String origin;
    private volatile FlagSink sink;

    ManualSource(String initial) {
      this(initial, "manual.json");
    }

    ManualSource(String initial, String origin) {
      this.initial = initial;
      this.origin = origin;
    }

    @Override
    public String describe() {
      return origin;
    }

    @Override
    public void start(FlagSink sink) {
      this.sink = sink;
      sink.content(initial, origin);
    }

    void deliver(String json) {
      sink.content(json, origin);
    }

    @Override
    public void close() {}
  }
}
