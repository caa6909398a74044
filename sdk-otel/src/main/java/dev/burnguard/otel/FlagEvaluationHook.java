package dev.burnguard.otel;

import dev.burnguard.otel.internal.FeatureFlagAttributes;

import dev.burnguard.otel.internal.EvaluationCounter;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.HookContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.Value;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenFeature hook that records every flag evaluation as a {@value
 * FeatureFlagAttributes#EVALUATION_EVENT} event on the current span, with the semantic-convention
 * attributes of {@link FeatureFlagAttributes}, and optionally counts evaluations in a metric.
 *
 * <p>It works with any provider. Add it to the API or a client:
 * {@code OpenFeatureAPI.getInstance().addHooks(hook)}. Everything happens in {@code finallyAfter},
 * once per evaluation, successful or not. When the current span is not recording (no OpenTelemetry
 * SDK, or the span is not sampled) the hook builds nothing: the cost is one thread-local read and one
 * virtual call. It never throws: a failure is logged (once per hook) and swallowed.
 *
 * <p>Concurrency: immutable after build, except the evaluation counter's attribute cache, which is a
 * concurrent map; safe to share across threads.
 */
public final class FlagEvaluationHook implements Hook<Object> {
  private static final Logger LOG = LoggerFactory.getLogger(FlagEvaluationHook.class);

  private final boolean spanAttributes;
  private final boolean errorStatus;
  private final EvaluationCounter counter;
  private volatile boolean failureLogged;

  private FlagEvaluationHook(Builder b) {
    this.spanAttributes = b.spanAttributes;
    this.errorStatus = b.errorStatus;
    // A no-op meter provider would count nothing: skip the attribute lookup altogether.
    this.counter = b.meterProvider == null || b.meterProvider == MeterProvider.noop() ? null
        : new EvaluationCounter(b.meterProvider);
  }

  /** A hook with the defaults: events only, no span attributes, span status untouched, no metric. */
  public static FlagEvaluationHook create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void finallyAfter(HookContext<Object> ctx, FlagEvaluationDetails<Object> details, Map<String, Object> hints) {
    try {
      if (counter != null) {
        counter.add(details);
      }
      Span span = Span.current();
      if (!span.isRecording()) {
        return;
      }
      Attributes attributes = attributes(ctx, details);
      span.addEvent(FeatureFlagAttributes.EVALUATION_EVENT, attributes);
      if (spanAttributes) {
        span.setAllAttributes(attributes);
      }
      if (errorStatus && details.getErrorCode() != null) {
        span.setStatus(StatusCode.ERROR, "feature flag " + details.getFlagKey() + " failed to evaluate: "
            + details.getErrorCode());
      }
    } catch (RuntimeException e) {
      if (!failureLogged) {
        failureLogged = true;
        LOG.warn("recording a flag evaluation on the current span failed; further failures are not logged", e);
      }
    }
  }

  /** The event's attributes for one evaluation. */
  static Attributes attributes(HookContext<?> ctx, FlagEvaluationDetails<?> details) {
    AttributesBuilder b = Attributes.builder();
    b.put(FeatureFlagAttributes.KEY, details.getFlagKey());
    Metadata provider = ctx.getProviderMetadata();
    if (provider != null && provider.getName() != null) {
      b.put(FeatureFlagAttributes.PROVIDER_NAME, provider.getName());
    }
    if (details.getVariant() != null) {
      b.put(FeatureFlagAttributes.RESULT_VARIANT, details.getVariant());
    } else if (details.getValue() != null) {
      b.put(FeatureFlagAttributes.RESULT_VALUE, valueString(details.getValue()));
    }
    if (details.getReason() != null) {
      b.put(FeatureFlagAttributes.RESULT_REASON, details.getReason().toLowerCase(Locale.ROOT));
    }
    EvaluationContext context = ctx.getCtx();
    if (context != null && context.getTargetingKey() != null && !context.getTargetingKey().isEmpty()) {
      b.put(FeatureFlagAttributes.CONTEXT_ID, context.getTargetingKey());
    }
    ImmutableMetadata metadata = details.getFlagMetadata();
    if (metadata != null && !metadata.isEmpty()) {
      putScalar(b, FeatureFlagAttributes.SET_ID, metadata, FeatureFlagAttributes.SET_ID_METADATA);
      putScalar(b, FeatureFlagAttributes.VERSION, metadata, FeatureFlagAttributes.VERSION_METADATA);
    }
    ErrorCode error = details.getErrorCode();
    if (error != null) {
      b.put(FeatureFlagAttributes.ERROR_TYPE, error.name().toLowerCase(Locale.ROOT));
      if (details.getErrorMessage() != null) {
        b.put(FeatureFlagAttributes.ERROR_MESSAGE, details.getErrorMessage());
      }
    }
    return b.build();
  }

  private static void putScalar(AttributesBuilder b, AttributeKey<String> key,
      ImmutableMetadata metadata, String metadataKey) {
    Object v = metadata.asUnmodifiableMap().get(metadataKey);
    if (v != null) {
      b.put(key, String.valueOf(v));
    }
  }

  private static String valueString(Object value) {
    if (value instanceof Value v) {
      return v.isStructure() || v.isList() ? v.toString() : String.valueOf(v.asObject());
    }
    return String.valueOf(value);
  }

  /** Options of a {@link FlagEvaluationHook}. Not thread-safe; the hook it builds is immutable. */
  public static final class Builder {
    private boolean spanAttributes;
    private boolean errorStatus;
    private MeterProvider meterProvider;

    private Builder() {}

    /**
     * Also set the event's attributes on the span itself (default false). A span with several
     * evaluations keeps the last one's; the events keep all of them.
     */
    public Builder spanAttributes(boolean enabled) {
      this.spanAttributes = enabled;
      return this;
    }

    /** Set the span's status to ERROR when an evaluation fails (default false). */
    public Builder errorStatus(boolean enabled) {
      this.errorStatus = enabled;
      return this;
    }

    /**
     * Count evaluations in {@code burnguard.evaluations} by flag, variant and reason, with meters of
     * {@code meterProvider} (default: no metric).
     */
    public Builder meterProvider(MeterProvider meterProvider) {
      this.meterProvider = Objects.requireNonNull(meterProvider, "meterProvider");
      return this;
    }

    public FlagEvaluationHook build() {
      return new FlagEvaluationHook(this);
    }
  }
}
