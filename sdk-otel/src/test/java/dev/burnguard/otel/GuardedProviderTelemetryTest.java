package dev.burnguard.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.GuardedProvider;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BurnguardTelemetry#install(io.opentelemetry.api.OpenTelemetry, GuardedProvider)}: a flag
 * served by OpenFeature's {@code InMemoryProvider} under a {@link GuardedProvider} gets the same
 * evaluation counter, rollout gauges, decision counter and decision log records, with the names and
 * attributes the README documents, as a flag of Burnguard's own provider; request spans feed its
 * guard and the call-duration histogram. In-memory exporters of the OpenTelemetry SDK.
 */
class GuardedProviderTelemetryTest {
  private static final String FLAG = "checkout";
  private static final int REQUESTS = 400;

  private final ManualClock clock = new ManualClock();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
      .setLoggerProvider(SdkLoggerProvider.builder().addLogRecordProcessor(SimpleLogRecordProcessor.create(logs)).build())
      .build();
  private GuardedProvider guarded;
  private OpenFeatureAPI api;
  private BurnguardTelemetry telemetry;
  private SdkTracerProvider tracing;

  @BeforeEach
  void start() {
    InMemoryProvider delegate = new InMemoryProvider(Map.of(
        FLAG, Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("on").build(),
        "plain", Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("on").build()));
    guarded = GuardedProvider.builder(delegate).clock(clock).guardianTicking(false).inMemoryRolloutState()
        .rollout(FLAG, RolloutPlan.builder("off", "on").stages(List.of(new Stage(50, Duration.ofMinutes(10), 0),
            new Stage(100, Duration.ofMinutes(10), 0))).build())
        .build();
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(guarded);
    telemetry = BurnguardTelemetry.install(otel, guarded);
    api.addHooks(telemetry.hook());
    tracing = SdkTracerProvider.builder()
        .addSpanProcessor(BurnguardSpanProcessor.create(guarded, otel.getMeterProvider())).build();
  }

  @AfterEach
  void stop() {
    telemetry.close();
    api.shutdown();
    tracing.close();
    otel.close();
  }

  /**
   * {@value #REQUESTS} request spans, each evaluating the guarded and the plain flag; every fifth
   * request served the candidate fails. Returns how many got the candidate.
   */
  private int requests() {
    Client client = api.getClient();
    Tracer tracer = tracing.get("test");
    int candidates = 0;
    for (int i = 0; i < REQUESTS; i++) {
      Span span = tracer.spanBuilder("GET /checkout").startSpan();
      try (Scope ignored = span.makeCurrent()) {
        boolean candidate = client.getBooleanValue(FLAG, false, new ImmutableContext("user-" + i));
        client.getBooleanValue("plain", false, new ImmutableContext("user-" + i));
        if (candidate && candidates++ % 5 == 0) {
          span.setStatus(StatusCode.ERROR);
        }
      } finally {
        span.end();
      }
    }
    return candidates;
  }

  private Map<String, MetricData> collect() {
    return metrics.collectAllMetrics().stream().collect(Collectors.toMap(MetricData::getName, Function.identity()));
  }

  private static Map<Attributes, Object> points(MetricData m, String flagKey) {
    Map<Attributes, Object> out = new HashMap<>();
    for (PointData p : m.getData().getPoints()) {
      if (flagKey.equals(p.getAttributes().get(AttributeKey.stringKey("feature_flag.key")))) {
        out.put(p.getAttributes(), p instanceof LongPointData l ? (Object) l.getValue()
            : p instanceof DoublePointData d ? (Object) d.getValue() : (Object) ((HistogramPointData) p).getCount());
      }
    }
    return out;
  }

  private static Attributes evaluation(String flag, String variant, String reason) {
    return Attributes.builder().put("feature_flag.key", flag).put("feature_flag.result.variant", variant)
        .put("feature_flag.result.reason", reason).build();
  }

  private static Attributes window(String variant, String window) {
    return Attributes.builder().put("feature_flag.key", FLAG).put("feature_flag.result.variant", variant)
        .put("burnguard.window", window).build();
  }

  @Test
  void aGuardedVendorFlagsEvaluationsRolloutAndDecisionAreExportedAsBurnguardsOwn() {
    int candidates = requests();
    int expected = 0;
    for (int i = 0; i < REQUESTS; i++) {
      expected += ExposureGate.position(FLAG, "user-" + i) < 0.5 ? 1 : 0;
    }
    assertThat(candidates).isEqualTo(expected).isBetween(150, 250);
    int errors = (candidates + 4) / 5;

    Map<String, MetricData> before = collect();
    assertThat(points(before.get("burnguard.evaluations"), FLAG)).isEqualTo(Map.of(
        evaluation(FLAG, "on", "static"), (long) candidates,
        evaluation(FLAG, "off", "rollout"), (long) (REQUESTS - candidates)));
    assertThat(points(before.get("burnguard.evaluations"), "plain"))
        .isEqualTo(Map.of(evaluation("plain", "on", "static"), (long) REQUESTS));
    Attributes flag = Attributes.of(AttributeKey.stringKey("feature_flag.key"), FLAG);
    assertThat(points(before.get("burnguard.rollout.exposure"), FLAG)).isEqualTo(Map.of(flag, 0.5));
    assertThat(points(before.get("burnguard.rollout.stage"), FLAG)).isEqualTo(Map.of(flag, 0L));
    assertThat(points(before.get("burnguard.rollout.exposure"), "plain")).as("no plan, no rollout gauge").isEmpty();
    assertThat(before.get("burnguard.rollout.store.healthy").getLongGaugeData().getPoints())
        .as("rollout state in memory only: not safe").singleElement().satisfies(p -> assertThat(p.getValue()).isZero());
    MetricData duration = before.get("burnguard.call.duration");
    assertThat(duration.getUnit()).isEqualTo("s");
    assertThat(points(duration, FLAG)).isEqualTo(Map.of(
        Attributes.builder().put("feature_flag.key", FLAG).put("feature_flag.result.variant", "on")
            .put("burnguard.outcome", "success").build(), (long) (candidates - errors),
        Attributes.builder().put("feature_flag.key", FLAG).put("feature_flag.result.variant", "on")
            .put("burnguard.outcome", "error").build(), (long) errors,
        Attributes.builder().put("feature_flag.key", FLAG).put("feature_flag.result.variant", "off")
            .put("burnguard.outcome", "success").build(), (long) (REQUESTS - candidates)));

    clock.advance(Duration.ofSeconds(10)); // the sequential test reads whole 10-second buckets
    List<Decision> decided = guarded.rollouts().tick();
    assertThat(decided).as(decided.toString()).extracting(Decision::action).containsExactly(DecisionAction.ROLLBACK);

    Map<String, MetricData> after = collect();
    assertThat(points(after.get("burnguard.rollout.exposure"), FLAG)).isEqualTo(Map.of(flag, 0.0));
    Map<String, Object> byStatus = new HashMap<>();
    points(after.get("burnguard.rollout.status"), FLAG)
        .forEach((a, v) -> byStatus.put(a.get(AttributeKey.stringKey("burnguard.rollout.status")), v));
    assertThat(byStatus).isEqualTo(Map.of("ramping", 0L, "cooling_down", 0L, "paused", 0L, "watching", 0L,
        "completed", 0L, "rolled_back", 1L));
    assertThat(points(after.get("burnguard.rollout.decisions"), FLAG)).isEqualTo(Map.of(
        Attributes.builder().put("feature_flag.key", FLAG).put("burnguard.decision.action", "rollback")
            .put("burnguard.decision.applied", true).build(), 1L));
    assertThat(points(after.get("burnguard.rollout.window.calls"), FLAG))
        .containsEntry(window("on", "5m"), (long) candidates).containsEntry(window("off", "1h"), (long) (REQUESTS - candidates));
    assertThat(points(after.get("burnguard.rollout.window.errors"), FLAG)).containsEntry(window("on", "5m"), (long) errors);
    assertThat(points(after.get("burnguard.rollout.burn_rate"), FLAG)).containsKey(
        window("on", "5m").toBuilder().put("burnguard.sli", "availability").build());

    LogRecordData log = logs.getFinishedLogRecordItems().get(logs.getFinishedLogRecordItems().size() - 1);
    assertThat(log.getEventName()).isEqualTo("burnguard.rollout.decision");
    assertThat(log.getSeverity()).isEqualTo(Severity.WARN);
    assertThat(log.getBodyValue().asString()).isEqualTo(decided.get(0).describe());
    assertThat(log.getAttributes().get(AttributeKey.stringKey("feature_flag.key"))).isEqualTo(FLAG);
    assertThat(log.getAttributes().get(AttributeKey.stringKey("burnguard.decision.action"))).isEqualTo("rollback");
    assertThat(log.getAttributes().get(AttributeKey.stringKey("burnguard.decision.actor"))).isEqualTo("guardian");
    assertThat(log.getAttributes().get(AttributeKey.stringKey("burnguard.rollout.status"))).isEqualTo("rolled_back");
    assertThat(log.getAttributes().get(AttributeKey.doubleKey("burnguard.rollout.exposure.before"))).isEqualTo(0.5);
    assertThat(log.getAttributes().get(AttributeKey.longArrayKey("burnguard.evidence.bad_short")))
        .contains((long) errors);
  }

  @Test
  void manualActionsOnTheGuardedFlagAreCountedAndLoggedUntilClose() {
    guarded.rollouts().pause(FLAG, "person:ann");
    assertThat(points(collect().get("burnguard.rollout.decisions"), FLAG)).isEqualTo(Map.of(
        Attributes.builder().put("feature_flag.key", FLAG).put("burnguard.decision.action", "pause")
            .put("burnguard.decision.applied", true).build(), 1L));
    LogRecordData log = logs.getFinishedLogRecordItems().get(0);
    assertThat(log.getSeverity()).isEqualTo(Severity.INFO);
    assertThat(log.getAttributes().get(AttributeKey.stringKey("burnguard.decision.actor"))).isEqualTo("person:ann");

    telemetry.close();
    guarded.rollouts().resume(FLAG, "person:ann");
    assertThat(logs.getFinishedLogRecordItems()).as("the decision listener is removed by close").hasSize(1);
    assertThat(collect()).doesNotContainKey("burnguard.rollout.exposure");
  }
}
