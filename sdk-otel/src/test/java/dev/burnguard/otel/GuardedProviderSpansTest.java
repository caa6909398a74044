package dev.burnguard.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.GuardedProvider;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Spans feed the guard of a flag served by another provider: the evaluation events name the
 * delegate's provider ({@code "InMemoryProvider"}), and the processor built for the
 * {@link GuardedProvider} records them against the variant the wrapper served.
 */
class GuardedProviderSpansTest {
  @Test
  void requestSpansAreRecordedAgainstTheVariantTheWrapperServed() {
    ManualClock clock = new ManualClock();
    InMemoryProvider delegate = new InMemoryProvider(Map.of(
        "checkout", Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("on").build(),
        "other", Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("on").build()));
    GuardedProvider guarded = GuardedProvider.builder(delegate).clock(clock).guardianTicking(false).inMemoryRolloutState()
        .rollout("checkout", RolloutPlan.builder("off", "on").stages(List.of(new Stage(50, Duration.ofMinutes(10), 0),
            new Stage(100, Duration.ofMinutes(10), 0))).build())
        .build();
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(guarded);
    api.addHooks(FlagEvaluationHook.create());
    Client client = api.getClient();
    SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
        .addSpanProcessor(BurnguardSpanProcessor.create(guarded, null)).build();
    Tracer tracer = tracerProvider.get("test");
    try {
      int admitted = 0;
      for (int i = 0; i < 400; i++) {
        Span span = tracer.spanBuilder("GET /checkout").startSpan();
        try (Scope ignored = span.makeCurrent()) {
          boolean candidate = client.getBooleanValue("checkout", false, new ImmutableContext("user-" + i));
          assertThat(candidate).isEqualTo(ExposureGate.position("checkout", "user-" + i) < 0.5);
          client.getBooleanValue("other", false, new ImmutableContext("user-" + i));
          if (candidate) {
            admitted++;
            span.setStatus(StatusCode.ERROR);
          }
        } finally {
          span.end();
        }
      }
      var on = guarded.outcomes().counts("checkout", "on", Duration.ofMinutes(5));
      var off = guarded.outcomes().counts("checkout", "off", Duration.ofMinutes(5));
      assertThat(on.calls()).isEqualTo(admitted);
      assertThat(on.errors()).isEqualTo(admitted);
      assertThat(off.calls()).isEqualTo(400 - admitted);
      assertThat(off.errors()).isZero();
      assertThat(ProviderInternals.recorder(guarded).series()).containsOnlyKeys("checkout"); // "other" has no plan
    } finally {
      api.shutdown();
      tracerProvider.close();
    }
  }
}
