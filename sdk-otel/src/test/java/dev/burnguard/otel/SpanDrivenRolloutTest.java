package dev.burnguard.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard fed only by spans: requests are spans made through the SDK tracer, flags are evaluated
 * with the hook while the request span is current, and {@link BurnguardSpanProcessor} records each
 * request against the variant served. No Guard, no track(), no direct recording.
 */
class SpanDrivenRolloutTest {
  private static final String FLAGS = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"},"
      + "\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"red\": \"r\", \"blue\": \"b\"}, \"defaultVariant\": \"red\"}}}";

  private final ManualClock clock = new ManualClock();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final SdkMeterProvider meterProvider = SdkMeterProvider.builder().registerMetricReader(metrics).build();
  private BurnguardProvider provider;
  private OpenFeatureAPI api;
  private Client client;
  private SdkTracerProvider tracerProvider;
  private Tracer tracer;

  /** The tracer reads the same manual clock as the provider, so span durations are exact. */
  private static Clock otelClock(ManualClock clock) {
    return new Clock() {
      @Override
      public long now() {
        return clock.wallMillis() * 1_000_000L;
      }

      @Override
      public long nanoTime() {
        return clock.monotonicNanos();
      }
    };
  }

  private void start(RolloutPlan plan) {
    BurnguardProvider.Builder b = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock)
        .guardianTicking(false);
    if (plan != null) {
      b.rollout("checkout", plan);
    }
    provider = b.build();
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    api.addHooks(FlagEvaluationHook.create());
    client = api.getClient();
    tracerProvider = SdkTracerProvider.builder().setClock(otelClock(clock))
        .addSpanProcessor(BurnguardSpanProcessor.create(provider, meterProvider)).build();
    tracer = tracerProvider.get("test");
  }

  @AfterEach
  void stop() {
    api.shutdown();
    tracerProvider.close();
    meterProvider.close();
  }

  /**
   * One request: a server span, the flag evaluated inside it, {@code latency} of work, then its
   * status: ERROR when {@code candidateFails} and the candidate ({@code true}) was served.
   */
  private void request(int user, Duration latency, boolean candidateFails) {
    Span span = tracer.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      boolean candidate = client.getBooleanValue("checkout", false, new ImmutableContext("user-" + user));
      clock.advance(latency);
      if (candidateFails && candidate) {
        span.setStatus(StatusCode.ERROR);
      }
    } finally {
      span.end();
    }
  }

  @Test
  void twoPercentFailingRequestSpansAfterTwoHealthyHoursRollTheCandidateBackAfter43Minutes() {
    // SLO 99.9 %, default rules (1 h / 5 min × 14.4 → rollback). All traffic on the candidate.
    start(RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(60)).build());
    int perSecond = 20;
    Duration latency = Duration.ofMillis(1000 / perSecond);
    long change = Duration.ofHours(2).toSeconds();
    long end = change + Duration.ofMinutes(50).toSeconds();
    List<Decision> decisions = new ArrayList<>();
    long rolledBackAt = -1;
    long n = 0;
    for (long second = 0; second < end && rolledBackAt < 0; second++) {
      for (int i = 0; i < perSecond; i++, n++) {
        request((int) (n % 5_000), latency, second >= change && n % 50 == 0);
      }
      for (Decision d : provider.rollouts().tick()) {
        decisions.add(d);
        if (d.action() == DecisionAction.ROLLBACK) {
          rolledBackAt = second + 1;
        }
      }
    }
    assertThat(rolledBackAt).as("rolled back").isPositive();
    Duration detection = Duration.ofSeconds(rolledBackAt - change);
    System.out.println("spans, 2 % errors: rolled back " + detection + " after the change");
    // t = W × factor × (1 − SLO) / e = 1 h × 14.4 × 0.001 / 0.02 = 43.2 min, ± one bucket of the hour window and a tick
    assertThat(detection).isBetween(Duration.ofSeconds(2592 - 61), Duration.ofSeconds(2592 + 61));
    assertThat(decisions).noneMatch(d -> d.action() == DecisionAction.SHRINK);
    assertThat(provider.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    Decision rollback = decisions.get(decisions.size() - 1);
    assertThat(rollback.evidence()).anyMatch(c -> c.fires() && c.burnLong() > 14.4 && c.burnShort() > 14.4);
  }

  @Test
  void aTotalOutageOfRequestSpansRollsBackAfter52Seconds() {
    start(RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(60)).build());
    long change = Duration.ofHours(2).toSeconds();
    long rolledBackAt = -1;
    for (long second = 0; second < change + 300 && rolledBackAt < 0; second++) {
      for (int i = 0; i < 100; i++) {
        request((int) (second * 100 + i) % 5_000, Duration.ofMillis(10), second >= change);
      }
      if (provider.rollouts().tick().stream().anyMatch(d -> d.action() == DecisionAction.ROLLBACK)) {
        rolledBackAt = second + 1;
      }
    }
    System.out.println("spans, total outage: rolled back " + Duration.ofSeconds(rolledBackAt - change) + " after the change");
    // 1 h × 14.4 × 0.001 / 1 = 51.84 s. With two hours of history the 6 h / 30 min × 6 shrink rule
    // fires first (≈ 43 s: 0.6 % of 7,200 s), halving the candidate's traffic; the rollback follows
    // within the same tolerance as RolloutScenarioTest's (one bucket of the hour window and a tick).
    assertThat(Duration.ofSeconds(rolledBackAt - change))
        .isBetween(Duration.ofMillis(51_840 - 61_000), Duration.ofMillis(51_840 + 61_000));
  }

  @Test
  void onlyLocalRootSpansCountOncePerFlagAndVariantWithTheSpansDurationAndStatus() {
    start(null);
    // A root span evaluating two flags, one of them twice: one call each, 250 ms, an error.
    Span root = tracer.spanBuilder("root").startSpan();
    try (Scope ignored = root.makeCurrent()) {
      client.getBooleanValue("checkout", false, new ImmutableContext("u1"));
      client.getBooleanValue("checkout", false, new ImmutableContext("u2"));
      client.getStringValue("banner", "x");
      client.getBooleanValue("nope", false); // an error: no variant, not counted
      // A child span's evaluations are not counted: only local roots are requests.
      Span child = tracer.spanBuilder("child").startSpan();
      try (Scope c = child.makeCurrent()) {
        client.getStringValue("banner", "x");
      } finally {
        child.end();
      }
      clock.advance(Duration.ofMillis(250));
      root.setStatus(StatusCode.ERROR);
    } finally {
      root.end();
    }
    // A span whose parent is remote (a server span of an incoming request) is a local root: it counts.
    SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.getDefault());
    Span server = tracer.spanBuilder("server").setParent(Context.root().with(Span.wrap(remote)))
        .setSpanKind(SpanKind.SERVER).startSpan();
    try (Scope ignored = server.makeCurrent()) {
      client.getBooleanValue("checkout", false, new ImmutableContext("u3"));
      clock.advance(Duration.ofMillis(100));
    } finally {
      server.end();
    }
    // Evaluation events of another provider are not Burnguard's to judge.
    Span other = tracer.spanBuilder("other").startSpan();
    other.addEvent("feature_flag.evaluation", Attributes.builder().put("feature_flag.key", "checkout")
        .put("feature_flag.result.variant", "new").put("feature_flag.provider.name", "someone-else").build());
    other.end();
    clock.advance(Duration.ofSeconds(1));

    WindowCounts checkout = provider.outcomes().counts("checkout", "new", Duration.ofMinutes(5));
    assertThat(checkout.calls()).isEqualTo(2);
    assertThat(checkout.errors()).isEqualTo(1);
    WindowCounts banner = provider.outcomes().counts("banner", "red", Duration.ofMinutes(5));
    assertThat(banner.calls()).isEqualTo(1);
    assertThat(banner.errors()).isEqualTo(1);

    MetricData duration = metrics.collectAllMetrics().stream()
        .filter(m -> m.getName().equals("burnguard.call.duration")).findFirst().orElseThrow();
    assertThat(duration.getUnit()).isEqualTo("s");
    Map<Attributes, HistogramPointData> points = duration.getHistogramData().getPoints().stream()
        .collect(Collectors.toMap(HistogramPointData::getAttributes, p -> p));
    AttributeKey<String> outcome = AttributeKey.stringKey("burnguard.outcome");
    Attributes checkoutError = Attributes.builder().put("feature_flag.key", "checkout")
        .put("feature_flag.result.variant", "new").put(outcome, "error").build();
    Attributes checkoutSuccess = checkoutError.toBuilder().put(outcome, "success").build();
    Attributes bannerError = Attributes.builder().put("feature_flag.key", "banner")
        .put("feature_flag.result.variant", "red").put(outcome, "error").build();
    assertThat(points.keySet()).containsExactlyInAnyOrder(checkoutError, checkoutSuccess, bannerError);
    assertThat(points.get(checkoutError).getCount()).isEqualTo(1);
    assertThat(points.get(checkoutError).getSum()).isEqualTo(0.25);
    assertThat(points.get(checkoutSuccess).getSum()).isEqualTo(0.1);
  }
}
