package dev.burnguard.otel;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.FlagValueType;
import dev.openfeature.sdk.HookContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The evaluation hook: the exact event attributes for each kind of evaluation, and its options. */
class FlagEvaluationHookTest {
  static final String FLAGS = "{\"metadata\": {\"flagSetId\": \"shop\", \"version\": \"7\"}, \"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"},"
      + "\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"red\": \"#f00\", \"blue\": \"#00f\"}, \"defaultVariant\": \"red\","
      + "  \"metadata\": {\"version\": 3}},"
      + "\"legacy\": {\"state\": \"DISABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\"}}}";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final Tracer tracer = tracerProvider.get("test");
  private OpenFeatureAPI api;
  private BurnguardProvider provider;
  private Client client;

  @BeforeEach
  void start() {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(new ManualClock())
        .guardianTicking(false)
        .rollout("checkout", RolloutPlan.builder("old", "new")
            .stages(List.of(new Stage(100, Duration.ofMinutes(10), 0))).build())
        .build();
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    client = api.getClient();
  }

  @AfterEach
  void stop() {
    api.shutdown();
    tracerProvider.close();
  }

  private SpanData inSpan(FlagEvaluationHook hook, Consumer<Client> evaluation) {
    api.clearHooks();
    api.addHooks(hook);
    Span span = tracer.spanBuilder("request").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      evaluation.accept(client);
    } finally {
      span.end();
    }
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSize(1);
    return finished.get(0);
  }

  private static Attributes onlyEvent(SpanData span) {
    assertThat(span.getEvents()).hasSize(1);
    EventData e = span.getEvents().get(0);
    assertThat(e.getName()).isEqualTo("feature_flag.evaluation");
    return e.getAttributes();
  }

  @Test
  void aSuccessfulEvaluationCarriesKeyVariantProviderReasonContextSetAndVersion() {
    SpanData span = inSpan(FlagEvaluationHook.create(),
        c -> c.getBooleanValue("checkout", false, new ImmutableContext("user-1")));
    assertThat(onlyEvent(span)).isEqualTo(Attributes.builder()
        .put("feature_flag.key", "checkout")
        .put("feature_flag.provider.name", "burnguard")
        .put("feature_flag.result.variant", "new")
        .put("feature_flag.result.reason", "static")
        .put("feature_flag.context.id", "user-1")
        .put("feature_flag.set.id", "shop")
        .put("feature_flag.version", "7")
        .build());
    assertThat(span.getAttributes().isEmpty()).isTrue();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void flagMetadataOverridesTheSetsVersionAndNumbersBecomeStrings() {
    SpanData span = inSpan(FlagEvaluationHook.create(), c -> c.getStringValue("banner", "none"));
    Attributes a = onlyEvent(span);
    assertThat(a.get(stringKey("feature_flag.version"))).isEqualTo("3");
    assertThat(a.get(stringKey("feature_flag.result.variant"))).isEqualTo("red");
    assertThat(a.get(stringKey("feature_flag.context.id"))).as("no targeting key").isNull();
  }

  @Test
  void aMissingFlagIsAnErrorWithTypeAndMessageAndNoVariant() {
    FlagEvaluationHook hook = FlagEvaluationHook.builder().errorStatus(true).build();
    SpanData span = inSpan(hook, c -> c.getBooleanValue("nope", false, new ImmutableContext("user-1")));
    Attributes a = onlyEvent(span);
    assertThat(a.get(stringKey("feature_flag.key"))).isEqualTo("nope");
    assertThat(a.get(stringKey("error.type"))).isEqualTo("flag_not_found");
    assertThat(a.get(stringKey("feature_flag.error.message"))).contains("nope");
    assertThat(a.get(stringKey("feature_flag.result.reason"))).isEqualTo("error");
    assertThat(a.get(stringKey("feature_flag.result.variant"))).isNull();
    assertThat(a.get(stringKey("feature_flag.result.value"))).as("the default value served").isEqualTo("false");
    assertThat(a.get(stringKey("feature_flag.provider.name"))).isEqualTo("burnguard");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).contains("nope").contains("FLAG_NOT_FOUND");
  }

  @Test
  void aTypeMismatchIsAnErrorAndLeavesTheStatusAloneByDefault() {
    SpanData span = inSpan(FlagEvaluationHook.create(), c -> c.getStringValue("checkout", "x"));
    Attributes a = onlyEvent(span);
    assertThat(a.get(stringKey("error.type"))).isEqualTo("type_mismatch");
    assertThat(a.get(stringKey("feature_flag.error.message"))).isNotBlank();
    assertThat(a.get(stringKey("feature_flag.result.reason"))).isEqualTo("error");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aDisabledFlagHasReasonDisabled() {
    SpanData span = inSpan(FlagEvaluationHook.create(), c -> c.getBooleanValue("legacy", true));
    Attributes a = onlyEvent(span);
    assertThat(a.get(stringKey("feature_flag.result.reason"))).isEqualTo("disabled");
    assertThat(a.get(stringKey("error.type"))).isNull();
  }

  @Test
  void aRolledBackEvaluationServesTheControlWithReasonRolledBack() {
    provider.rollouts().rollback("checkout", "person:test");
    FlagEvaluationHook hook = FlagEvaluationHook.builder().spanAttributes(true).errorStatus(true).build();
    SpanData span = inSpan(hook, c -> c.getBooleanValue("checkout", true, new ImmutableContext("user-1")));
    Attributes a = onlyEvent(span);
    assertThat(a.get(stringKey("feature_flag.result.variant"))).isEqualTo("old");
    assertThat(a.get(stringKey("feature_flag.result.reason"))).isEqualTo("rolled_back");
    assertThat(span.getAttributes().asMap()).as("span attributes option").isEqualTo(a.asMap());
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aFailureInsideTheHookIsLoggedAndSwallowed() {
    HookContext<Object> broken = HookContext.from("checkout", FlagValueType.BOOLEAN, () -> "client", () -> {
      throw new IllegalStateException("broken provider metadata");
    }, new ImmutableContext("u1"), false);
    FlagEvaluationDetails<Object> details = new FlagEvaluationDetails<>();
    details.setFlagKey("checkout");
    FlagEvaluationHook hook = FlagEvaluationHook.create();
    Span span = tracer.spanBuilder("request").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      assertThatCode(() -> {
        hook.finallyAfter(broken, details, Map.of());
        hook.finallyAfter(broken, details, Map.of());
      }).doesNotThrowAnyException();
    } finally {
      span.end();
    }
    assertThat(spans.getFinishedSpanItems().get(0).getEvents()).isEmpty();
  }

  @Test
  void withoutARecordingSpanNothingIsRecordedAndNothingThrows() {
    api.addHooks(FlagEvaluationHook.builder().spanAttributes(true).errorStatus(true).build());
    assertThat(client.getBooleanValue("checkout", false)).isTrue();
    assertThat(client.getBooleanValue("nope", false)).isFalse();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }
}
