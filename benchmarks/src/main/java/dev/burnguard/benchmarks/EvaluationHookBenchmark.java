package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.otel.BurnguardTelemetry;
import dev.burnguard.otel.FlagEvaluationHook;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of {@link FlagEvaluationHook} on one evaluation through an OpenFeature client, with no
 * OpenTelemetry (the no-op API: no span is current) and with the OpenTelemetry SDK's tracer (a
 * sampled span is current and records the event). Compare each hooked benchmark with its baseline:
 * {@code noOtelWithHook − noOtelEmptyHook} is the hook's own cost without OpenTelemetry ({@code
 * noOtelEmptyHook − noOtelNoHook} is what the OpenFeature SDK charges for running any hook), {@code
 * sdkSpanWithHook − sdkSpanEmptyHook} its cost on a recording span (the span's own start and end are
 * in both).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EvaluationHookBenchmark {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"}}}";

  private OpenFeatureAPI plainApi;
  private OpenFeatureAPI hookedApi;
  private OpenFeatureAPI emptyHookApi;
  private Client plain;
  private Client emptyHook;
  private Client hooked;
  private BurnguardTelemetry telemetry;
  private SdkTracerProvider tracerProvider;
  private Tracer tracer;
  private final EvaluationContext context = new MutableContext("user-42");

  @Setup
  public void setUp() {
    plainApi = OpenFeatureAPI.createIsolated();
    plainApi.setProviderAndWait(BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).build());
    plain = plainApi.getClient();

    emptyHookApi = OpenFeatureAPI.createIsolated();
    emptyHookApi.setProviderAndWait(BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).build());
    emptyHookApi.addHooks(new Hook<Object>() {});
    emptyHook = emptyHookApi.getClient();

    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).build();
    hookedApi = OpenFeatureAPI.createIsolated();
    hookedApi.setProviderAndWait(provider);
    telemetry = BurnguardTelemetry.install(OpenTelemetry.noop(), provider);
    hookedApi.addHooks(telemetry.hook());
    hooked = hookedApi.getClient();

    // An SDK tracer provider without processors hands out non-recording spans; this one records and
    // drops each span when it ends, so the cost measured is the span's and the hook's, not an exporter's.
    tracerProvider = SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {}

      @Override
      public boolean isEndRequired() {
        return true;
      }
    }).build();
    tracer = tracerProvider.get("benchmark");
    if (!Boolean.TRUE.equals(hooked.getBooleanValue("checkout", false, context))) {
      throw new IllegalStateException("the flag does not evaluate to true");
    }
    Span span = tracer.spanBuilder("check").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      hooked.getBooleanValue("checkout", false, context);
    } finally {
      span.end();
    }
    if (((ReadableSpan) span).toSpanData().getEvents().size() != 1) {
      throw new IllegalStateException("the hook did not record its event on the SDK span");
    }
  }

  @TearDown
  public void tearDown() {
    telemetry.close();
    plainApi.shutdown();
    hookedApi.shutdown();
    emptyHookApi.shutdown();
    tracerProvider.close();
  }

  @Benchmark
  public boolean noOtelNoHook() {
    return plain.getBooleanValue("checkout", false, context);
  }

  @Benchmark
  public boolean noOtelEmptyHook() {
    return emptyHook.getBooleanValue("checkout", false, context);
  }

  @Benchmark
  public boolean noOtelWithHook() {
    return hooked.getBooleanValue("checkout", false, context);
  }

  @Benchmark
  public boolean sdkSpanNoHook() {
    return inSpan(plain);
  }

  @Benchmark
  public boolean sdkSpanEmptyHook() {
    return inSpan(emptyHook);
  }

  @Benchmark
  public boolean sdkSpanWithHook() {
    return inSpan(hooked);
  }

  private boolean inSpan(Client client) {
    Span span = tracer.spanBuilder("request").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      return client.getBooleanValue("checkout", false, context);
    } finally {
      span.end();
    }
  }
}
