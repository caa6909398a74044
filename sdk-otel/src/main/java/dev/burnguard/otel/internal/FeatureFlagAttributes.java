package dev.burnguard.otel.internal;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The OpenTelemetry semantic-convention names Burnguard writes for flag evaluations (semantic
 * conventions "Feature flags", release-candidate attributes), and the few of its own.
 */
public final class FeatureFlagAttributes {
  /** The name of the span event recorded for each evaluation. */
  public static final String EVALUATION_EVENT = "feature_flag.evaluation";

  public static final AttributeKey<String> KEY = AttributeKey.stringKey("feature_flag.key");
  public static final AttributeKey<String> RESULT_VARIANT = AttributeKey.stringKey("feature_flag.result.variant");
  /** The value, as a string, only when the evaluation has no variant. */
  public static final AttributeKey<String> RESULT_VALUE = AttributeKey.stringKey("feature_flag.result.value");
  public static final AttributeKey<String> RESULT_REASON = AttributeKey.stringKey("feature_flag.result.reason");
  public static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey("feature_flag.provider.name");
  /** The evaluation context's targeting key. */
  public static final AttributeKey<String> CONTEXT_ID = AttributeKey.stringKey("feature_flag.context.id");
  /** From the flag's metadata key {@code flagSetId} (flagd's convention). */
  public static final AttributeKey<String> SET_ID = AttributeKey.stringKey("feature_flag.set.id");
  /** From the flag's metadata key {@code version} (flagd's convention). */
  public static final AttributeKey<String> VERSION = AttributeKey.stringKey("feature_flag.version");
  /** The OpenFeature error code, lower-cased. */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  public static final AttributeKey<String> ERROR_MESSAGE = AttributeKey.stringKey("feature_flag.error.message");

  /** The flag metadata key read for {@link #SET_ID}. */
  public static final String SET_ID_METADATA = "flagSetId";
  /** The flag metadata key read for {@link #VERSION}. */
  public static final String VERSION_METADATA = "version";

  private FeatureFlagAttributes() {}
}
