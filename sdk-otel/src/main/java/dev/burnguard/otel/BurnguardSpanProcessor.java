package dev.burnguard.otel;

import dev.burnguard.otel.internal.FeatureFlagAttributes;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.GuardedProvider;
import dev.burnguard.otel.internal.Instruments;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.outcome.Outcomes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the guard from the spans a service already produces: when a <b>local root span</b> ends (a
 * span without a parent, or whose parent is remote: the server span of an incoming request, or the
 * root of a job) and it carries {@value FeatureFlagAttributes#EVALUATION_EVENT} events recorded by
 * {@link FlagEvaluationHook} for Burnguard's flags, the span's duration and outcome are recorded in
 * the provider's {@link Outcomes} against each evaluated (flag, variant), once per pair.
 *
 * <ul>
 *   <li>Outcome: a span whose status is ERROR is an error; OK and UNSET are successes. (HTTP server
 *       instrumentations set ERROR for 5xx responses and uncaught exceptions, not for 4xx.)
 *   <li>Which evaluations: events with {@code feature_flag.provider.name} = {@value
 *       BurnguardProvider#NAME} (or no provider name), a variant, and no {@code error.type}. Events
 *       on child spans are not seen: evaluate flags while the request's root span is current.
 *   <li>Time: the latency is the span's own (end − start, by the tracer's clock); the call is placed
 *       at the recorder clock's "now" when the span ends, which is when {@code onEnd} runs. Span
 *       timestamps are wall-clock epoch nanos and cannot be mapped onto the recorder's monotonic
 *       clock exactly; ending now is what they would say anyway.
 * </ul>
 *
 * <p>Register it with the SDK's tracer provider: {@code
 * SdkTracerProvider.builder().addSpanProcessor(BurnguardSpanProcessor.create(provider))}. It needs
 * the OpenTelemetry SDK (an optional dependency of this module).
 *
 * <p>Concurrency: stateless apart from immutable configuration; {@code onEnd} runs on the thread that
 * ends the span, records into the lock-free recorder and never throws (a failure is logged once and
 * swallowed).
 */
public final class BurnguardSpanProcessor implements SpanProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(BurnguardSpanProcessor.class);
  /** The outcome attribute of {@code burnguard.call.duration}: {@code success} or {@code error}. */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("burnguard.outcome");
  /**
   * Span attribute naming the user journey a local root span belongs to (e.g. {@code "checkout"}):
   * the span's duration and status are also recorded as a call of that journey, for the service
   * SLOs declared over it (see the README's "Error-budget policy").
   */
  public static final AttributeKey<String> JOURNEY = AttributeKey.stringKey("burnguard.journey");

  private final Outcomes recorder;
  /** The provider name of the evaluations recorded: Burnguard's, or the delegate's of a GuardedProvider. */
  private final String providerName;
  private final DoubleHistogram duration;
  private volatile boolean failureLogged;

  private BurnguardSpanProcessor(Outcomes recorder, String providerName, MeterProvider meterProvider) {
    this.recorder = recorder;
    this.providerName = providerName;
    this.duration = meterProvider == null ? null
        : meterProvider.get(Instruments.SCOPE).histogramBuilder("burnguard.call.duration").setUnit("s")
            .setDescription("Duration of the calls recorded for a flag's variant from spans").build();
  }

  /** A processor recording into {@code provider}'s recorder, without the duration histogram. */
  public static BurnguardSpanProcessor create(BurnguardProvider provider) {
    return new BurnguardSpanProcessor(Objects.requireNonNull(provider, "provider").outcomes(), BurnguardProvider.NAME,
        null);
  }

  /**
   * A processor recording into a {@link GuardedProvider}'s recorder: the evaluations of the flags it
   * guards, named in the spans with its delegate's provider name (its metadata's name); evaluations
   * of flags without a plan are refused by the recorder. With {@code meterProvider} (may be null)
   * also the {@code burnguard.call.duration} histogram.
   */
  public static BurnguardSpanProcessor create(GuardedProvider provider, MeterProvider meterProvider) {
    Objects.requireNonNull(provider, "provider");
    return new BurnguardSpanProcessor(provider.outcomes(), provider.getMetadata().getName(), meterProvider);
  }

  /**
   * A processor recording into {@code provider}'s recorder that also records each call in the
   * {@code burnguard.call.duration} histogram (seconds) by flag, variant and outcome, with meters of
   * {@code meterProvider}.
   */
  public static BurnguardSpanProcessor create(BurnguardProvider provider, MeterProvider meterProvider) {
    return new BurnguardSpanProcessor(Objects.requireNonNull(provider, "provider").outcomes(), BurnguardProvider.NAME,
        Objects.requireNonNull(meterProvider, "meterProvider"));
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    try {
      SpanContext parent = span.getParentSpanContext();
      if (parent.isValid() && !parent.isRemote()) {
        return;
      }
      SpanData data = span.toSpanData();
      String journey = data.getAttributes().get(JOURNEY);
      if (journey != null) {
        recorder.recordJourney(journey, span.getLatencyNanos(),
            data.getStatus().getStatusCode() == StatusCode.ERROR ? Outcome.ERROR : Outcome.SUCCESS);
      }
      List<EventData> events = data.getEvents();
      List<String> seen = null;
      for (EventData e : events) {
        if (!FeatureFlagAttributes.EVALUATION_EVENT.equals(e.getName())) {
          continue;
        }
        Attributes a = e.getAttributes();
        String flag = a.get(FeatureFlagAttributes.KEY);
        String variant = a.get(FeatureFlagAttributes.RESULT_VARIANT);
        String providerName = a.get(FeatureFlagAttributes.PROVIDER_NAME);
        if (flag == null || variant == null || a.get(FeatureFlagAttributes.ERROR_TYPE) != null
            || (providerName != null && !this.providerName.equals(providerName))) {
          continue;
        }
        String pair = flag + '\u0000' + variant;
        if (seen == null) {
          seen = new ArrayList<>(2);
        } else if (seen.contains(pair)) {
          continue;
        }
        seen.add(pair);
        Outcome outcome = data.getStatus().getStatusCode() == StatusCode.ERROR ? Outcome.ERROR : Outcome.SUCCESS;
        long latencyNanos = span.getLatencyNanos();
        recorder.record(flag, variant, latencyNanos, outcome);
        if (duration != null) {
          duration.record(latencyNanos / 1e9, Attributes.of(FeatureFlagAttributes.KEY, flag,
              FeatureFlagAttributes.RESULT_VARIANT, variant, OUTCOME, outcome == Outcome.ERROR ? "error" : "success"));
        }
      }
    } catch (RuntimeException e) {
      if (!failureLogged) {
        failureLogged = true;
        LOG.warn("recording a span's outcome failed; further failures are not logged", e);
      }
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }
}
