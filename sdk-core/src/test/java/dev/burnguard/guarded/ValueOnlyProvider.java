package dev.burnguard.guarded;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.TrackingEventDetails;
import dev.openfeature.sdk.Value;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hand-written provider of the kind many in-house flag systems are: it reports values only, never
 * a variant name, and returns its errors as results (no exceptions). Not an EventProvider. Records
 * the tracking calls it receives.
 */
final class ValueOnlyProvider implements FeatureProvider {
  final List<String> tracked = new CopyOnWriteArrayList<>();
  private static final ImmutableMetadata METADATA = ImmutableMetadata.builder().addString("owner", "team-a")
      .addInteger("version", 7).build();

  @Override
  public Metadata getMetadata() {
    return () -> "value-only";
  }

  @Override
  public void track(String eventName, EvaluationContext context, TrackingEventDetails details) {
    tracked.add(eventName + " " + (context == null ? null : context.getTargetingKey()));
  }

  private static <T> ProviderEvaluation<T> ok(T value, String reason) {
    return new ProviderEvaluation<>(value, null, reason, null, null, METADATA);
  }

  private static <T> ProviderEvaluation<T> error(T defaultValue, ErrorCode code, String message) {
    return new ProviderEvaluation<>(defaultValue, null, Reason.ERROR.name(), code, message, ImmutableMetadata.EMPTY);
  }

  private static <T> ProviderEvaluation<T> unknown(String key, T defaultValue) {
    return error(defaultValue, ErrorCode.FLAG_NOT_FOUND, "no flag " + key);
  }

  private static <T> ProviderEvaluation<T> mismatch(String key, T defaultValue) {
    return error(defaultValue, ErrorCode.TYPE_MISMATCH, "flag " + key + " is not of that type");
  }

  private static boolean isFlag(String key) {
    return List.of("guarded-bool", "plain-bool", "plain-string", "plain-int", "plain-double", "price").contains(key);
  }

  private static int tier(EvaluationContext ctx) {
    Value v = ctx == null ? null : ctx.getValue("tier");
    return v != null && v.isNumber() ? v.asInteger() : 0;
  }

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
    if ("guarded-bool".equals(key)) {
      return ok(true, Reason.STATIC.name());
    }
    if ("plain-bool".equals(key)) {
      return ok(tier(ctx) % 2 == 0, Reason.TARGETING_MATCH.name());
    }
    return isFlag(key) ? mismatch(key, defaultValue) : unknown(key, defaultValue);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
    if ("plain-string".equals(key)) {
      Value email = ctx == null ? null : ctx.getValue("email");
      return ok(email != null && email.asString().endsWith("@example.com") ? "blue" : "red",
          Reason.TARGETING_MATCH.name());
    }
    return isFlag(key) ? mismatch(key, defaultValue) : unknown(key, defaultValue);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
    if ("plain-int".equals(key)) {
      return ok(tier(ctx), Reason.TARGETING_MATCH.name());
    }
    if ("price".equals(key)) {
      return ok(1299, Reason.STATIC.name()); // the candidate price, for everyone
    }
    return isFlag(key) ? mismatch(key, defaultValue) : unknown(key, defaultValue);
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
    if ("plain-double".equals(key)) {
      return ok(tier(ctx) / 4.0, Reason.TARGETING_MATCH.name());
    }
    return isFlag(key) ? mismatch(key, defaultValue) : unknown(key, defaultValue);
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
    return isFlag(key) ? mismatch(key, defaultValue) : unknown(key, defaultValue);
  }
}
