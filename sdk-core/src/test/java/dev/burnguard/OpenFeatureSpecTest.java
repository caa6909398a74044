package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The OpenFeature specification's provider requirements (section 2) and provider events (section 5),
 * each test named after the requirement it proves; numbering as in the specification's
 * {@code specification/sections/02-providers.md} and {@code 05-events.md}. Evaluation tests call the
 * provider directly (the provider interface is what section 2 specifies); lifecycle and event tests
 * go through an isolated OpenFeature API, which is what calls the provider in an application.
 */
class OpenFeatureSpecTest {
  static final String FLAGS = """
      {
        "metadata": {"team": "payments", "version": 1},
        "flags": {
          "bool-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "string-flag": {"state": "ENABLED", "variants": {"hi": "hello", "bye": "goodbye"}, "defaultVariant": "hi",
            "metadata": {"version": 2, "owner": "ada", "beta": true, "ratio": 0.25}},
          "int-flag": {"state": "ENABLED", "variants": {"ten": 10, "one": 1}, "defaultVariant": "ten"},
          "long-flag": {"state": "ENABLED", "variants": {"big": 5000000000, "small": 5}, "defaultVariant": "big"},
          "double-flag": {"state": "ENABLED", "variants": {"half": 0.5, "one": 1.0}, "defaultVariant": "half"},
          "object-flag": {"state": "ENABLED", "defaultVariant": "cfg",
            "variants": {"cfg": {"retries": 3, "hosts": ["a", "b"], "tls": {"on": true}}, "none": {}}},
          "targeted-flag": {"state": "ENABLED", "variants": {"gold": "G", "basic": "B"}, "defaultVariant": "basic",
            "targeting": {"if": [{"==": [{"var": "tier"}, "gold"]}, "gold", null]}},
          "split-flag": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
            "targeting": {"fractional": [["a", 50], ["b", 50]]}},
          "no-default-flag": {"state": "ENABLED", "variants": {"x": "X"}},
          "disabled-flag": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "bad-variant-flag": {"state": "ENABLED", "variants": {"a": "A"}, "defaultVariant": "a",
            "targeting": {"var": "pick"}},
          "weird-context-flag": {"state": "ENABLED", "variants": {"y": "Y", "n": "N"}, "defaultVariant": "n",
            "targeting": {"if": [{"or": [
              {"in": [{"var": "when"}, {"var": "list"}]}, {"<": [{"var": "nested.deep.er"}, {"var": "nan"}, 3]},
              {"sem_ver": [{"var": "when"}, ">", "1.0.0"]}, {"starts_with": [{"var": "list"}, "a"]},
              {"fractional": [{"var": "nested"}, ["y", 1]]}, {"some": [{"var": "list"}, {"var": "x.y"}]},
              {"+": [{"var": "nested"}, {"var": "huge"}, {"var": "when"}]}]}, "y", "n"]}},
          "invalid-flag": {"state": "ENABLED", "variants": {"a": "A"}, "defaultVariant": "missing"}
        }
      }
      """;

  private final List<OpenFeatureAPI> apis = new ArrayList<>();
  /** An initialized provider for the evaluation tests. */
  private final BurnguardProvider p;

  OpenFeatureSpecTest() throws Exception {
    p = ready();
  }

  @AfterEach
  void shutDownApis() {
    apis.forEach(OpenFeatureAPI::shutdown);
  }

  static BurnguardProvider provider(FlagSource source) {
    return BurnguardProvider.builder().source(source).invalidFlagPolicy(InvalidFlagPolicy.ISOLATE_FLAG).build();
  }

  static BurnguardProvider ready() throws Exception {
    BurnguardProvider p = provider(FlagSource.inline(FLAGS));
    p.initialize(new ImmutableContext());
    return p;
  }

  private OpenFeatureAPI api() {
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    apis.add(api);
    return api;
  }

  private static final EvaluationContext NO_CONTEXT = new ImmutableContext();

  // ---------------------------------------------------------------- 2.1 metadata

  @Test
  @DisplayName("2.1.1 the provider has metadata with a name")
  void metadataName() {
    assertThat(provider(FlagSource.inline(FLAGS)).getMetadata().getName()).isEqualTo("burnguard");
  }

  // ---------------------------------------------------------------- 2.2 flag value resolution

  @Test
  @DisplayName("2.2.1, 2.2.2.1, 2.2.3 typed resolution of boolean, string, integer, long, double and object values")
  void typedResolution() {
    assertThat(p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getValue()).isTrue();
    assertThat(p.getStringEvaluation("string-flag", "x", NO_CONTEXT).getValue()).isEqualTo("hello");
    assertThat(p.getIntegerEvaluation("int-flag", 0, NO_CONTEXT).getValue()).isEqualTo(10);
    assertThat(p.getLongEvaluation("long-flag", 0L, NO_CONTEXT).getValue()).isEqualTo(5_000_000_000L);
    assertThat(p.getLongEvaluation("int-flag", 0L, NO_CONTEXT).getValue()).isEqualTo(10L);
    assertThat(p.getDoubleEvaluation("double-flag", 0.0, NO_CONTEXT).getValue()).isEqualTo(0.5);
    assertThat(p.getDoubleEvaluation("int-flag", 0.0, NO_CONTEXT).getValue()).isEqualTo(10.0);
    Value object = p.getObjectEvaluation("object-flag", new Value(), NO_CONTEXT).getValue();
    assertThat(object.asStructure().getValue("retries").asInteger()).isEqualTo(3);
    assertThat(object.asStructure().getValue("hosts").asList()).extracting(Value::asString).containsExactly("a", "b");
    assertThat(object.asStructure().getValue("tls").asStructure().getValue("on").asBoolean()).isTrue();
  }

  @Test
  @DisplayName("2.2.4 normal execution populates the variant")
  void variant() {
    assertThat(p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getVariant()).isEqualTo("on");
    assertThat(p.getDoubleEvaluation("double-flag", 0.0, NO_CONTEXT).getVariant()).isEqualTo("half");
    assertThat(p.getStringEvaluation("targeted-flag", "x", ctx("tier", "gold")).getVariant()).isEqualTo("gold");
  }

  @Test
  @DisplayName("2.2.5 reason: STATIC, TARGETING_MATCH, DEFAULT, SPLIT, DISABLED, ERROR")
  void reasons() {
    assertThat(p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getReason()).isEqualTo(Reason.STATIC.name());
    assertThat(p.getStringEvaluation("targeted-flag", "x", ctx("tier", "gold")).getReason())
        .isEqualTo(Reason.TARGETING_MATCH.name());
    ProviderEvaluation<String> fallThrough = p.getStringEvaluation("targeted-flag", "x", ctx("tier", "tin"));
    assertThat(fallThrough.getReason()).isEqualTo(Reason.DEFAULT.name());
    assertThat(fallThrough.getValue()).isEqualTo("B");
    assertThat(p.getStringEvaluation("split-flag", "x", new ImmutableContext("user-1")).getReason())
        .isEqualTo(Reason.SPLIT.name());
    ProviderEvaluation<String> noDefault = p.getStringEvaluation("no-default-flag", "mine", NO_CONTEXT);
    assertThat(noDefault.getReason()).isEqualTo(Reason.DEFAULT.name());
    assertThat(noDefault.getValue()).isEqualTo("mine");
    ProviderEvaluation<Boolean> disabled = p.getBooleanEvaluation("disabled-flag", false, NO_CONTEXT);
    assertThat(disabled.getReason()).isEqualTo(Reason.DISABLED.name());
    assertThat(disabled.getValue()).isFalse();
    assertThat(disabled.getVariant()).isNull();
    assertThat(disabled.getErrorCode()).isNull();
    assertThat(p.getBooleanEvaluation("missing", false, NO_CONTEXT).getReason()).isEqualTo(Reason.ERROR.name());
  }

  @Test
  @DisplayName("2.2.6 normal execution leaves the error code empty")
  void noErrorCodeWhenNormal() {
    assertThat(List.of(
        p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT),
        p.getStringEvaluation("targeted-flag", "x", ctx("tier", "gold")),
        p.getStringEvaluation("targeted-flag", "x", NO_CONTEXT),
        p.getStringEvaluation("split-flag", "x", new ImmutableContext("user-1")),
        p.getStringEvaluation("no-default-flag", "x", NO_CONTEXT),
        p.getBooleanEvaluation("disabled-flag", false, NO_CONTEXT)))
        .allSatisfy(r -> assertThat(r.getErrorCode()).isNull());
  }

  @Test
  @DisplayName("2.2.7 abnormal execution: FLAG_NOT_FOUND with the default value, no exception")
  void flagNotFound() {
    ProviderEvaluation<String> r = p.getStringEvaluation("no-such-flag", "fallback", NO_CONTEXT);
    assertThat(r.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(r.getValue()).isEqualTo("fallback");
    assertThat(r.getReason()).isEqualTo(Reason.ERROR.name());
  }

  @Test
  @DisplayName("2.2.7 abnormal execution: TYPE_MISMATCH with the default value, no exception")
  void typeMismatch() {
    assertThat(p.getStringEvaluation("bool-flag", "s", NO_CONTEXT)).satisfies(r -> mismatch(r, "s"));
    assertThat(p.getBooleanEvaluation("int-flag", true, NO_CONTEXT)).satisfies(r -> mismatch(r, true));
    assertThat(p.getIntegerEvaluation("double-flag", 7, NO_CONTEXT)).satisfies(r -> mismatch(r, 7));
    assertThat(p.getIntegerEvaluation("long-flag", 7, NO_CONTEXT)).satisfies(r -> mismatch(r, 7));
    assertThat(p.getDoubleEvaluation("object-flag", 1.5, NO_CONTEXT)).satisfies(r -> mismatch(r, 1.5));
    Value fallback = new Value("v");
    assertThat(p.getObjectEvaluation("string-flag", fallback, NO_CONTEXT)).satisfies(r -> mismatch(r, fallback));
  }

  private void mismatch(ProviderEvaluation<?> r, Object fallback) {
    assertThat(r.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(r.getValue()).isEqualTo(fallback);
    assertThat(r.getReason()).isEqualTo(Reason.ERROR.name());
    assertThat(r.getErrorMessage()).isNotBlank();
  }

  @Test
  @DisplayName("2.2.7 abnormal execution: PARSE_ERROR for a flag whose definition is invalid")
  void parseError() {
    ProviderEvaluation<String> r = p.getStringEvaluation("invalid-flag", "fallback", NO_CONTEXT);
    assertThat(r.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(r.getValue()).isEqualTo("fallback");
    assertThat(r.getErrorMessage()).contains("$.flags.invalid-flag.defaultVariant");
  }

  @Test
  @DisplayName("2.2.7 abnormal execution: GENERAL when targeting names no variant")
  void targetingNamesNoVariant() {
    ProviderEvaluation<String> r = p.getStringEvaluation("bad-variant-flag", "fallback", ctx("pick", "zzz"));
    assertThat(r.getErrorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(r.getValue()).isEqualTo("fallback");
  }

  @Test
  @DisplayName("2.2.7 abnormal execution never throws: null key, null context, null default")
  void nullsNeverThrow() {
    assertThat(p.getBooleanEvaluation(null, true, NO_CONTEXT).getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(p.getStringEvaluation("targeted-flag", "x", null).getValue()).isEqualTo("B");
    assertThat(p.getStringEvaluation("split-flag", "x", null).getReason()).isEqualTo(Reason.DEFAULT.name());
    assertThat(p.getStringEvaluation("string-flag", null, null).getValue()).isEqualTo("hello");
    ProviderEvaluation<Value> missing = p.getObjectEvaluation("nope", null, null);
    assertThat(missing.getValue()).isNull();
    assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
  }

  @Test
  @DisplayName("2.2.7 abnormal execution never throws: context values of unexpected types")
  void weirdContextNeverThrows() {
    MutableContext weird = new MutableContext("\ud800 lone surrogate");
    weird.add("when", Instant.parse("2026-01-01T00:00:00Z"));
    weird.add("list", List.of(new Value(), new Value(List.of(new Value(1))), new Value(new ImmutableStructure())));
    weird.add("nested", new ImmutableStructure(Map.of("deep", new Value(new ImmutableStructure(
        Map.of("er", new Value(List.of())))))));
    weird.add("nan", Double.NaN);
    weird.add("huge", Double.MAX_VALUE);
    weird.add("x", (String) null);
    for (EvaluationContext ctx : List.of(weird, NO_CONTEXT, new ImmutableContext(""))) {
      assertThatCode(() -> {
        ProviderEvaluation<String> r = p.getStringEvaluation("weird-context-flag", "fallback", ctx);
        assertThat(r.getValue()).isIn("Y", "N");
        assertThat(r.getErrorCode()).isNull();
      }).doesNotThrowAnyException();
    }
  }

  @Test
  @DisplayName("2.2.9, 2.2.10 flag metadata: string/number/boolean values, flag-set metadata merged under the flag's")
  void flagMetadata() {
    ImmutableMetadata own = p.getStringEvaluation("string-flag", "x", NO_CONTEXT).getFlagMetadata();
    assertThat(own.getString("team")).isEqualTo("payments");
    assertThat(own.getInteger("version")).isEqualTo(2);
    assertThat(own.getString("owner")).isEqualTo("ada");
    assertThat(own.getBoolean("beta")).isTrue();
    assertThat(own.getDouble("ratio")).isEqualTo(0.25);
    assertThat(own.asUnmodifiableMap()).hasSize(5);
    ImmutableMetadata inherited = p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getFlagMetadata();
    assertThat(inherited.asUnmodifiableMap()).isEqualTo(Map.of("team", "payments", "version", 1));
    // metadata describes the flag, so it comes with every result for that flag
    assertThat(p.getIntegerEvaluation("string-flag", 0, NO_CONTEXT).getFlagMetadata().getString("owner"))
        .isEqualTo("ada");
    assertThat(p.getBooleanEvaluation("disabled-flag", true, NO_CONTEXT).getFlagMetadata().getString("team"))
        .isEqualTo("payments");
  }

  @Test
  @DisplayName("2.3.1 the provider hook mechanism is available; Burnguard registers none")
  void providerHooks() {
    assertThat(p.getProviderHooks()).isEmpty();
  }

  @Test
  @DisplayName("2.3.2 normal execution leaves the error message empty")
  void noErrorMessageWhenNormal() {
    assertThat(p.getStringEvaluation("targeted-flag", "x", ctx("tier", "gold")).getErrorMessage()).isNull();
    assertThat(p.getBooleanEvaluation("disabled-flag", false, NO_CONTEXT).getErrorMessage()).isNull();
    assertThat(p.getStringEvaluation("no-default-flag", "x", NO_CONTEXT).getErrorMessage()).isNull();
  }

  @Test
  @DisplayName("2.3.3 abnormal execution may carry an error message: it names the flag and the problem")
  void errorMessageWhenAbnormal() {
    assertThat(p.getStringEvaluation("no-such-flag", "x", NO_CONTEXT).getErrorMessage()).contains("no-such-flag");
    assertThat(p.getIntegerEvaluation("string-flag", 0, NO_CONTEXT).getErrorMessage())
        .contains("string-flag").contains("Integer");
    assertThat(p.getStringEvaluation("bad-variant-flag", "x", ctx("pick", "zzz")).getErrorMessage())
        .contains("zzz");
  }

  @Test
  @DisplayName("2.2.7 before initialize every evaluation is PROVIDER_NOT_READY with the default value")
  void notReadyBeforeInitialize() {
    BurnguardProvider p = provider(FlagSource.inline(FLAGS));
    ProviderEvaluation<Boolean> r = p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT);
    assertThat(r.getErrorCode()).isEqualTo(ErrorCode.PROVIDER_NOT_READY);
    assertThat(r.getValue()).isFalse();
    assertThat(r.getReason()).isEqualTo(Reason.ERROR.name());
    assertThat(p.getObjectEvaluation("object-flag", new Value(1), NO_CONTEXT).getValue()).isEqualTo(new Value(1));
  }

  @Test
  @DisplayName("1.4.10 through the client nothing throws and abnormal results carry the default and an error code")
  void clientNeverThrows() {
    OpenFeatureAPI api = api();
    api.setProviderAndWait(provider(FlagSource.inline(FLAGS)));
    Client client = api.getClient();
    FlagEvaluationDetails<Integer> mismatch = client.getIntegerDetails("string-flag", 42);
    assertThat(mismatch.getValue()).isEqualTo(42);
    assertThat(mismatch.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(client.getStringValue("invalid-flag", "d")).isEqualTo("d");
    assertThat(client.getLongValue("long-flag", 0L)).isEqualTo(5_000_000_000L);
    assertThat(client.getBooleanDetails("bool-flag", false).getFlagMetadata().getString("team")).isEqualTo("payments");
  }

  // ---------------------------------------------------------------- 2.4 initialization, 2.5 shutdown

  @Test
  @DisplayName("2.4.1 initialize loads the flags; before it nothing is read")
  void initializeLoads() throws Exception {
    ManualSource source = new ManualSource(FLAGS);
    BurnguardProvider p = provider(source);
    assertThat(source.sink).isNull();
    assertThat(p.flagSet()).isEmpty();
    p.initialize(NO_CONTEXT);
    assertThat(p.flagSet()).get().extracting(FlagSet::flags).extracting(Map::size).isEqualTo(13);
    assertThat(p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getValue()).isTrue();
  }

  @Test
  @DisplayName("2.4.2.1 initialize terminates abnormally when it cannot make the provider ready")
  void initializeFails() {
    BurnguardProvider unreadable = provider(new ManualSource(null));
    assertThatThrownBy(() -> unreadable.initialize(NO_CONTEXT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("unreachable");
    BurnguardProvider invalid = BurnguardProvider.builder().source(FlagSource.inline(FLAGS))
        .invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE).build(); // the default loads the valid flags
    assertThatThrownBy(() -> invalid.initialize(NO_CONTEXT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("$.flags.invalid-flag.defaultVariant");
    assertThat(invalid.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getErrorCode())
        .isEqualTo(ErrorCode.PROVIDER_NOT_READY);
  }

  @Test
  @DisplayName("2.4.2.1 initialize gives up after the init timeout when the source says nothing")
  void initializeTimesOut() {
    BurnguardProvider silent = BurnguardProvider.builder().source(new ManualSource(ManualSource.SILENT))
        .initTimeout(Duration.ofMillis(20)).build();
    assertThatThrownBy(() -> silent.initialize(NO_CONTEXT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no flags from manual");
  }

  @Test
  @DisplayName("2.5.1, 2.5.3 shutdown releases the source and is idempotent")
  void shutdown() throws Exception {
    ManualSource source = new ManualSource(FLAGS);
    BurnguardProvider p = provider(source);
    p.initialize(NO_CONTEXT);
    p.shutdown();
    assertThat(source.closed).isEqualTo(1);
    assertThatCode(p::shutdown).doesNotThrowAnyException();
    assertThatCode(() -> p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT)).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("2.5.2 after shutdown the provider reverts to its uninitialized state")
  void shutdownRevertsToUninitialized() throws Exception {
    ManualSource source = new ManualSource(FLAGS);
    BurnguardProvider p = provider(source);
    p.initialize(NO_CONTEXT);
    assertThat(p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getValue()).isTrue();
    p.shutdown();
    assertThat(p.flagSet()).isEmpty();
    assertThat(p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getErrorCode())
        .isEqualTo(ErrorCode.PROVIDER_NOT_READY);
    source.sink.content(FLAGS, "late delivery after shutdown");
    assertThat(p.flagSet()).isEmpty();
    assertThatThrownBy(() -> p.initialize(NO_CONTEXT)).hasMessageContaining("shut down");
  }

  // ---------------------------------------------------------------- 5 events

  /** Collects the events of one isolated API. */
  private static final class Events {
    final Map<ProviderEvent, BlockingQueue<EventDetails>> byType = Map.of(
        ProviderEvent.PROVIDER_READY, new LinkedBlockingQueue<>(),
        ProviderEvent.PROVIDER_ERROR, new LinkedBlockingQueue<>(),
        ProviderEvent.PROVIDER_STALE, new LinkedBlockingQueue<>(),
        ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, new LinkedBlockingQueue<>());

    Events(OpenFeatureAPI api) {
      byType.forEach((type, queue) -> api.on(type, queue::add));
    }

    /** The next event of {@code type}; fails if none arrives (events are delivered on the SDK's thread). */
    EventDetails next(ProviderEvent type) throws InterruptedException {
      EventDetails e = byType.get(type).poll(10, TimeUnit.SECONDS);
      assertThat(e).as("a %s event", type).isNotNull();
      return e;
    }

    void assertNoMore(ProviderEvent type) {
      assertThat(byType.get(type)).as("further %s events", type).isEmpty();
    }
  }

  @Test
  @DisplayName("5.1.1, 5.3.1 PROVIDER_READY handlers run once the provider is initialized")
  void readyEvent() throws Exception {
    OpenFeatureAPI api = api();
    Events events = new Events(api);
    BurnguardProvider p = provider(FlagSource.inline(FLAGS));
    api.setProviderAndWait(p);
    EventDetails ready = events.next(ProviderEvent.PROVIDER_READY);
    assertThat(ready.getProviderName()).isEqualTo("burnguard");
    assertThat(api.getClient().getProviderState()).isEqualTo(ProviderState.READY);
    events.assertNoMore(ProviderEvent.PROVIDER_READY);
  }

  @Test
  @DisplayName("5.1.1, 5.3.2, 5.1.4, 5.1.5 PROVIDER_ERROR handlers run with a message when initialization fails")
  void errorEvent() throws Exception {
    OpenFeatureAPI api = api();
    Events events = new Events(api);
    ManualSource source = new ManualSource(null);
    api.setProvider(provider(source));
    EventDetails error = events.next(ProviderEvent.PROVIDER_ERROR);
    assertThat(error.getMessage()).contains("unreachable");
    assertThat(error.getErrorCode()).isNotNull();
    assertThat(api.getClient().getProviderState()).isEqualTo(ProviderState.ERROR);

    // the source keeps trying; its first good load makes the provider READY after all
    source.deliver(FLAGS);
    events.next(ProviderEvent.PROVIDER_READY);
    assertThat(api.getClient().getBooleanValue("bool-flag", false)).isTrue();
  }

  @Test
  @DisplayName("5.1.1 PROVIDER_CONFIGURATION_CHANGED names exactly the flags a reload added, removed or changed")
  void configurationChangedEvent() throws Exception {
    OpenFeatureAPI api = api();
    Events events = new Events(api);
    ManualSource source = new ManualSource(FLAGS);
    api.setProviderAndWait(provider(source));
    events.next(ProviderEvent.PROVIDER_READY);

    String changed = FLAGS
        .replace("\"defaultVariant\": \"ten\"", "\"defaultVariant\": \"one\"")          // int-flag changed
        .replace("\"no-default-flag\"", "\"renamed-flag\"")                             // one removed, one added
        .replace("\"team\": \"payments\"", "\"team\": \"payments\"");                   // no-op
    source.deliver(changed);
    EventDetails e = events.next(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);
    assertThat(e.getFlagsChanged()).containsExactlyInAnyOrder("int-flag", "no-default-flag", "renamed-flag");
    assertThat(api.getClient().getIntegerValue("int-flag", 0)).isEqualTo(1);

    source.deliver(changed); // same content: nothing changed, no event
    source.deliver(FLAGS.replace("\"ratio\": 0.25", "\"ratio\": 0.5")); // metadata counts as a change
    assertThat(events.next(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED).getFlagsChanged())
        .containsExactlyInAnyOrder("string-flag", "int-flag", "no-default-flag", "renamed-flag");
    events.assertNoMore(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);
  }

  @Test
  @DisplayName("5.1.1 PROVIDER_STALE when a reload fails (the last good flags stay), READY when one succeeds again")
  void staleEvent() throws Exception {
    OpenFeatureAPI api = api();
    Events events = new Events(api);
    ManualSource source = new ManualSource(FLAGS);
    BurnguardProvider p = provider(source);
    api.setProviderAndWait(p);
    events.next(ProviderEvent.PROVIDER_READY);

    source.deliver("{\"flags\": ");
    EventDetails stale = events.next(ProviderEvent.PROVIDER_STALE);
    assertThat(stale.getMessage()).contains("malformed JSON");
    assertThat(api.getClient().getProviderState()).isEqualTo(ProviderState.STALE);
    assertThat(p.getBooleanEvaluation("bool-flag", false, NO_CONTEXT).getValue()).isTrue();
    assertThat(p.lastLoadFailure()).isPresent();

    source.fail("disk unplugged"); // still stale: no second event
    source.deliver(FLAGS);
    events.next(ProviderEvent.PROVIDER_READY);
    assertThat(api.getClient().getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(p.lastLoadFailure()).isEmpty();
    events.assertNoMore(ProviderEvent.PROVIDER_STALE);
  }

  // ---------------------------------------------------------------- helpers

  private static EvaluationContext ctx(String key, String value) {
    return new ImmutableContext(Map.of(key, new Value(value)));
  }

  /** A source the test drives: it delivers (or fails) at start, then whatever the test pushes. */
  static final class ManualSource implements FlagSource {
    static final String SILENT = "(silent)";
    private final String initial;
    volatile FlagSink sink;
    volatile int closed;

    /** {@code initial}: content to deliver at start; null to fail; {@link #SILENT} to say nothing. */
    ManualSource(String initial) {
      this.initial = initial;
    }

    @Override
    public String describe() {
      return "manual";
    }

    @Override
    public void start(FlagSink sink) {
      this.sink = sink;
      if (initial == null) {
        fail("unreachable");
      } else if (!SILENT.equals(initial)) {
        deliver(initial);
      }
    }

    void deliver(String json) {
      sink.content(json, "manual");
    }

    void fail(String reason) {
      sink.failed("manual", reason, null);
    }

    @Override
    public void close() {
      closed++;
    }
  }
}
