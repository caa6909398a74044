package dev.burnguard.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BurnguardTelemetry#install}: every metric's name, unit and attributes, and decisions as log records. */
class BurnguardTelemetryTest {
  private static final String FLAGS = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"},"
      + "\"search\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";
  private static final Duration MS_50 = Duration.ofMillis(50);

  private final ManualClock clock = new ManualClock();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
      .setLoggerProvider(SdkLoggerProvider.builder().addLogRecordProcessor(SimpleLogRecordProcessor.create(logs)).build())
      .build();
  private OpenFeatureAPI api;
  private BurnguardProvider provider;
  private BurnguardTelemetry telemetry;
  private Client client;

  @BeforeEach
  void start() {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock).guardianTicking(false)
        .rollout("checkout", RolloutPlan.builder("old", "new")
            .stages(List.of(new Stage(100, Duration.ofMinutes(10), 0))).watch(Duration.ofDays(1)).build())
        .rollout("search", RolloutPlan.builder("old", "new")
            .stages(List.of(new Stage(100, Duration.ofMinutes(10), 0))).watch(Duration.ofDays(1))
            .slo(Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.99)).build())
        .build();
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    telemetry = BurnguardTelemetry.install(otel, provider);
    api.addHooks(telemetry.hook());
    client = api.getClient();
  }

  @AfterEach
  void stop() {
    telemetry.close();
    api.shutdown();
    otel.close();
  }

  private Map<String, MetricData> collect() {
    Collection<MetricData> all = metrics.collectAllMetrics();
    return all.stream().collect(Collectors.toMap(MetricData::getName, Function.identity()));
  }

  /** Each point's value by its attributes, for the flag checkout. */
  private static Map<Attributes, Object> points(MetricData m) {
    return points(m, "checkout");
  }

  private static Map<Attributes, Object> points(MetricData m, String flagKey) {
    Map<Attributes, Object> out = new HashMap<>();
    for (PointData p : m.getData().getPoints()) {
      if (!flagKey.equals(p.getAttributes().get(AttributeKey.stringKey("feature_flag.key")))) {
        continue;
      }
      Object v = p instanceof LongPointData l ? (Object) l.getValue() : ((DoublePointData) p).getValue();
      out.put(p.getAttributes(), v);
    }
    return out;
  }

  private static Attributes flag() {
    return Attributes.of(AttributeKey.stringKey("feature_flag.key"), "checkout");
  }

  private static Attributes window(String variant, String window) {
    return Attributes.builder().put("feature_flag.key", "checkout").put("feature_flag.result.variant", variant)
        .put("burnguard.window", window).build();
  }

  private static Attributes burn(String variant, String window) {
    return window(variant, window).toBuilder().put("burnguard.sli", "availability").build();
  }

  private void recordTraffic() {
    for (int i = 0; i < 200; i++) {
      provider.outcomes().record("checkout", "new", MS_50.toNanos(), i % 20 == 0 ? Outcome.ERROR : Outcome.SUCCESS);
    }
    for (int i = 0; i < 20; i++) { // too few to compare with: the guardian blames the candidate
      provider.outcomes().record("checkout", "old", MS_50.toNanos(), Outcome.SUCCESS);
    }
    clock.advance(Duration.ofSeconds(10)); // the guardian's sequential test reads whole 10-second buckets
  }

  @Test
  void evaluationsAreCountedByFlagVariantAndLowerCasedReason() {
    client.getBooleanValue("checkout", false, new ImmutableContext("u1"));
    client.getBooleanValue("checkout", false, new ImmutableContext("u2"));
    client.getBooleanValue("nope", false);

    MetricData m = collect().get("burnguard.evaluations");
    assertThat(m.getUnit()).isEqualTo("{evaluation}");
    assertThat(m.getLongSumData().isMonotonic()).isTrue();
    Map<Attributes, Object> all = new HashMap<>(points(m));
    all.putAll(points(m, "nope"));
    assertThat(all).isEqualTo(Map.of(
        Attributes.builder().put("feature_flag.key", "checkout").put("feature_flag.result.variant", "new")
            .put("feature_flag.result.reason", "static").build(), 2L,
        Attributes.builder().put("feature_flag.key", "nope").put("feature_flag.result.reason", "error").build(), 1L));
  }

  @Test
  void unknownFlagKeysCannotGrowTheEvaluationCounterPastItsCap() {
    for (int i = 0; i < 1_200; i++) {
      client.getBooleanValue("made-up-" + i, false);
    }
    MetricData m = collect().get("burnguard.evaluations");
    assertThat(m.getLongSumData().getPoints()).hasSize(1_001);
    assertThat(points(m, "_OTHER")).isEqualTo(Map.of(flagKey("_OTHER"), 200L));
  }

  private static Attributes flagKey(String key) {
    return Attributes.of(AttributeKey.stringKey("feature_flag.key"), key);
  }

  @Test
  void theStoreGaugesSayWhetherRolloutStateIsSafe() {
    // this provider names no store and the build keeps such state in memory: not safe
    Map<String, MetricData> all = collect();
    assertThat(provider.health().warnings()).isNotEmpty();
    assertThat(all.get("burnguard.rollout.store.healthy").getLongGaugeData().getPoints())
        .singleElement().satisfies(p -> assertThat(p.getValue()).isZero());
    assertThat(all.get("burnguard.rollout.store.pending").getUnit()).isEqualTo("{decision}");
    assertThat(all.get("burnguard.rollout.store.pending").getLongGaugeData().getPoints())
        .singleElement().satisfies(p -> assertThat(p.getValue()).isZero());
  }

  @Test
  void rolloutGaugesReadTheGuardianAndTheRolloutHealthOfItsLastTick() {
    recordTraffic();
    assertThat(collect()).as("no tick yet: no window gauges").doesNotContainKey("burnguard.rollout.window.calls");
    provider.rollouts().tick(); // 10 of 200 errors: the candidate is rolled back
    Map<String, MetricData> all = collect();

    assertThat(all.get("burnguard.rollout.exposure").getUnit()).isEqualTo("1");
    assertThat(points(all.get("burnguard.rollout.exposure"))).isEqualTo(Map.of(flag(), 0.0));
    assertThat(all.get("burnguard.rollout.stage").getUnit()).isEqualTo("{stage}");
    assertThat(points(all.get("burnguard.rollout.stage"))).isEqualTo(Map.of(flag(), 0L));

    MetricData status = all.get("burnguard.rollout.status");
    assertThat(status.getUnit()).isEqualTo("1");
    Map<String, Object> byStatus = new HashMap<>();
    points(status).forEach((a, v) -> byStatus.put(a.get(AttributeKey.stringKey("burnguard.rollout.status")), v));
    assertThat(byStatus).isEqualTo(Map.of("ramping", 0L, "cooling_down", 0L, "paused", 0L, "watching", 0L,
        "completed", 0L, "rolled_back", 1L));

    Map<Attributes, Object> calls = points(all.get("burnguard.rollout.window.calls"));
    assertThat(all.get("burnguard.rollout.window.calls").getUnit()).isEqualTo("{call}");
    assertThat(calls).hasSize(8); // 2 variants × windows 5m, 30m, 1h, 6h of the default rules
    assertThat(calls).containsEntry(window("new", "5m"), 200L).containsEntry(window("old", "6h"), 20L);
    Map<Attributes, Object> errors = points(all.get("burnguard.rollout.window.errors"));
    assertThat(all.get("burnguard.rollout.window.errors").getUnit()).isEqualTo("{call}");
    assertThat(errors).containsEntry(window("new", "1h"), 10L).containsEntry(window("old", "1h"), 0L);

    MetricData burn = all.get("burnguard.rollout.burn_rate");
    assertThat(burn.getUnit()).isEqualTo("1");
    assertThat(points(burn)).hasSize(8);
    assertThat((double) points(burn).get(burn("new", "5m"))).isCloseTo(50.0, offset(1e-9));
    assertThat(points(burn)).containsEntry(burn("old", "1h"), 0.0);
  }

  @Test
  void aLatencyObjectiveAddsALatencyBurnRateFromTheSlowCounts() {
    for (int i = 0; i < 100; i++) {
      provider.outcomes().record("search", "new", (i < 5 ? Duration.ofMillis(500) : MS_50).toNanos(), Outcome.SUCCESS);
    }
    clock.advance(Duration.ofSeconds(1));
    provider.rollouts().tick();
    Map<Attributes, Object> burn = points(collect().get("burnguard.rollout.burn_rate"), "search");
    Attributes window = Attributes.builder().put("feature_flag.key", "search").put("feature_flag.result.variant", "new")
        .put("burnguard.window", "5m").build();
    assertThat(burn).containsEntry(window.toBuilder().put("burnguard.sli", "availability").build(), 0.0);
    assertThat((double) burn.get(window.toBuilder().put("burnguard.sli", "latency").build()))
        .as("(5 / 100) / 1 %").isCloseTo(5.0, offset(1e-9));
    assertThat(burn).hasSize(8).as("no calls on the control: no burn rate for it");
  }

  @Test
  void withTheNoOpApiEverythingWorks() {
    BurnguardTelemetry noop = BurnguardTelemetry.install(OpenTelemetry.noop(), provider);
    api.clearHooks();
    api.addHooks(noop.hook());
    assertThat(client.getBooleanValue("checkout", false, new ImmutableContext("u1"))).isTrue();
    assertThat(client.getBooleanValue("nope", false)).isFalse();
    provider.rollouts().rollback("search", "person:ann");
    noop.close();
    assertThat(client.getBooleanValue("search", true, new ImmutableContext("u1"))).isFalse();
    assertThat(collect()).doesNotContainKey("burnguard.evaluations");
  }

  @Test
  void aGuardianDecisionIsCountedAndEmittedAsALogRecordWithItsEvidence() {
    recordTraffic();
    List<Decision> decided = provider.rollouts().tick();
    assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.ROLLBACK);
    Decision d = decided.get(0);

    Map<String, MetricData> all = collect();
    MetricData decisions = all.get("burnguard.rollout.decisions");
    assertThat(decisions.getUnit()).isEqualTo("{decision}");
    assertThat(points(decisions)).isEqualTo(Map.of(Attributes.builder().put("feature_flag.key", "checkout")
        .put("burnguard.decision.action", "rollback").put("burnguard.decision.applied", true).build(), 1L));
    assertThat(points(all.get("burnguard.rollout.exposure"))).isEqualTo(Map.of(flag(), 0.0));

    assertThat(logs.getFinishedLogRecordItems()).hasSize(1);
    LogRecordData log = logs.getFinishedLogRecordItems().get(0);
    assertThat(log.getEventName()).isEqualTo("burnguard.rollout.decision");
    assertThat(log.getSeverity()).isEqualTo(Severity.WARN);
    assertThat(log.getInstrumentationScopeInfo().getName()).isEqualTo("dev.burnguard.otel");
    assertThat(log.getTimestampEpochNanos()).isEqualTo(clock.now().toEpochMilli() * 1_000_000L);
    assertThat(log.getBodyValue().asString()).isEqualTo(d.describe());

    List<RuleCheck> ev = d.evidence();
    assertThat(ev).hasSize(2);
    Attributes expected = Attributes.builder()
        .put("feature_flag.key", "checkout")
        .put("burnguard.decision.action", "rollback")
        .put("burnguard.decision.applied", true)
        .put("burnguard.decision.actor", "guardian")
        .put("burnguard.decision.reason", d.reason())
        .put("burnguard.rollout.status", "rolled_back")
        .put("burnguard.rollout.stage", 0L)
        .put("burnguard.rollout.exposure", 0.0)
        .put("burnguard.rollout.exposure.before", 1.0)
        .put(AttributeKey.stringArrayKey("burnguard.evidence.rule"), ev.stream().map(c -> c.rule().toString()).toList())
        .put(AttributeKey.stringArrayKey("burnguard.evidence.sli"), List.of("availability", "availability"))
        .put(AttributeKey.doubleArrayKey("burnguard.evidence.factor"), List.of(14.4, 6.0))
        .put(AttributeKey.doubleArrayKey("burnguard.evidence.budget"), ev.stream().map(RuleCheck::budget).toList())
        .put(AttributeKey.doubleArrayKey("burnguard.evidence.burn_long"), ev.stream().map(RuleCheck::burnLong).toList())
        .put(AttributeKey.doubleArrayKey("burnguard.evidence.burn_short"), ev.stream().map(RuleCheck::burnShort).toList())
        .put(AttributeKey.longArrayKey("burnguard.evidence.calls_long"), List.of(200L, 200L))
        .put(AttributeKey.longArrayKey("burnguard.evidence.bad_long"), List.of(10L, 10L))
        .put(AttributeKey.longArrayKey("burnguard.evidence.calls_short"), List.of(200L, 200L))
        .put(AttributeKey.longArrayKey("burnguard.evidence.bad_short"), List.of(10L, 10L))
        .put(AttributeKey.doubleArrayKey("burnguard.evidence.control_burn_short"), List.of(0.0, 0.0))
        .put(AttributeKey.longArrayKey("burnguard.evidence.control_calls_short"), List.of(20L, 20L))
        .put(AttributeKey.doubleArrayKey("burnguard.evidence.llr"), ev.stream().map(RuleCheck::logLikelihoodRatio).toList())
        .put(AttributeKey.doubleArrayKey("burnguard.evidence.llr_threshold"), ev.stream().map(RuleCheck::testThreshold).toList())
        .put(AttributeKey.booleanArrayKey("burnguard.evidence.fires"), ev.stream().map(RuleCheck::fires).toList())
        .put(AttributeKey.booleanArrayKey("burnguard.evidence.shared_cause"), List.of(false, false))
        .build();
    assertThat(log.getAttributes().asMap()).isEqualTo(expected.asMap());
    assertThat(ev.get(0).burnLong()).isCloseTo(50.0, offset(1e-9));
    assertThat(ev.get(0).logLikelihoodRatio()).isGreaterThan(ev.get(0).testThreshold());
  }

  @Test
  void manualDecisionsAreLoggedAtInfoWithoutEvidenceAndNothingAfterClose() {
    provider.rollouts().pause("checkout", "person:ann");
    LogRecordData log = logs.getFinishedLogRecordItems().get(0);
    assertThat(log.getSeverity()).isEqualTo(Severity.INFO);
    assertThat(log.getAttributes().get(AttributeKey.stringKey("burnguard.decision.actor"))).isEqualTo("person:ann");
    assertThat(log.getAttributes().get(AttributeKey.stringArrayKey("burnguard.evidence.rule"))).isNull();

    telemetry.close();
    provider.rollouts().resume("checkout", "person:ann");
    assertThat(logs.getFinishedLogRecordItems()).hasSize(1);
    assertThat(collect()).doesNotContainKey("burnguard.rollout.exposure");
  }
}
