package dev.burnguard.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Journey outcomes from spans: a local root span with {@code burnguard.journey} counts for the journey's SLOs. */
class SpanJourneyTest {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\":"
      + " {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}, \"slos\": {"
      + "\"checkout-p95\": {\"journey\": \"checkout\", \"latency\": {\"threshold\": \"400ms\", \"objective\": 95},"
      + " \"period\": \"28d\"},"
      + "\"checkout\": {\"journey\": \"checkout\", \"availability\": 99.9, \"period\": \"28d\"}}}";

  private final ManualClock clock = new ManualClock();
  private BurnguardProvider provider;
  private SdkTracerProvider tracerProvider;

  @AfterEach
  void stop() {
    tracerProvider.close();
    provider.shutdown();
  }

  @Test
  void aRootSpanWithAJourneyAttributeCountsForTheJourneysSlos() throws Exception {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock).guardianTicking(false)
        .inMemoryRolloutState().build();
    provider.initialize(new ImmutableContext());
    tracerProvider = SdkTracerProvider.builder().setClock(new Clock() {
      @Override
      public long now() {
        return clock.wallMillis() * 1_000_000L;
      }

      @Override
      public long nanoTime() {
        return clock.monotonicNanos();
      }
    }).addSpanProcessor(BurnguardSpanProcessor.create(provider)).build();
    Tracer tracer = tracerProvider.get("test");
    // 10 root spans of the journey: 3 take 500 ms, 7 take 100 ms, 2 of these fail; their child spans,
    // and a root span without the attribute, do not count
    for (int i = 0; i < 10; i++) {
      Span span = tracer.spanBuilder("POST /checkout").setSpanKind(SpanKind.SERVER)
          .setAttribute(BurnguardSpanProcessor.JOURNEY, "checkout").startSpan();
      try (Scope ignored = span.makeCurrent()) {
        Span child = tracer.spanBuilder("db").setAttribute(BurnguardSpanProcessor.JOURNEY, "checkout").startSpan();
        clock.advance(Duration.ofMillis(i < 3 ? 500 : 100));
        child.end();
        if (i >= 8) {
          span.setStatus(StatusCode.ERROR);
        }
      } finally {
        span.end();
      }
    }
    tracer.spanBuilder("GET /health").startSpan().end();

    ErrorBudgetPolicy.Budget latency = provider.rollouts().errorBudgets().get("checkout-p95");
    assertThat(List.of(latency.calls(), latency.badCalls())).containsExactly(10L, 3L);
    ErrorBudgetPolicy.Budget availability = provider.rollouts().errorBudgets().get("checkout");
    assertThat(List.of(availability.calls(), availability.badCalls())).containsExactly(10L, 2L);
  }
}
