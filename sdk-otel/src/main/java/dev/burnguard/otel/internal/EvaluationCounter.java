package dev.burnguard.otel.internal;

import dev.openfeature.sdk.FlagEvaluationDetails;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.MeterProvider;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Internal, not for public use. The {@code burnguard.evaluations} counter, with its attribute sets
 * cached by flag, variant and reason so that counting allocates nothing once a combination is
 * known.
 *
 * <p>Cardinality: flag keys and variants of a loaded flag set are bounded by the flag file, but a
 * caller can ask for any key (answered FLAG_NOT_FOUND). The cache therefore holds at most {@link
 * #MAX_COMBINATIONS} combinations; beyond that, evaluations are counted under the flag key {@value
 * #OVERFLOW}.
 *
 * <p>Concurrency: lock-free; concurrent maps and an atomic size. Two threads may both build the
 * same attribute set once; one wins, both count.
 */
public final class EvaluationCounter {
  public static final String NAME = "burnguard.evaluations";
  public static final int MAX_COMBINATIONS = 1_000;
  public static final String OVERFLOW = "_OTHER";
  private static final String NONE = "";

  private final LongCounter counter;
  private final Map<String, Map<String, Map<String, Attributes>>> cache = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final Attributes overflow = Attributes.of(FeatureFlagAttributes.KEY, OVERFLOW);

  public EvaluationCounter(MeterProvider meterProvider) {
    this.counter = meterProvider.get(Instruments.SCOPE).counterBuilder(NAME).setUnit("{evaluation}")
        .setDescription("Flag evaluations, by flag, variant and reason").build();
  }

  public void add(FlagEvaluationDetails<?> details) {
    counter.add(1, attributes(details.getFlagKey(), orNone(details.getVariant()), orNone(details.getReason())));
  }

  private Attributes attributes(String flag, String variant, String reason) {
    Map<String, Map<String, Attributes>> byVariant = cache.get(flag);
    Map<String, Attributes> byReason = byVariant == null ? null : byVariant.get(variant);
    Attributes a = byReason == null ? null : byReason.get(reason);
    if (a != null) {
      return a;
    }
    if (size.incrementAndGet() > MAX_COMBINATIONS) {
      size.decrementAndGet();
      return overflow;
    }
    AttributesBuilder b = Attributes.builder().put(FeatureFlagAttributes.KEY, flag);
    if (!variant.isEmpty()) {
      b.put(FeatureFlagAttributes.RESULT_VARIANT, variant);
    }
    if (!reason.isEmpty()) {
      b.put(FeatureFlagAttributes.RESULT_REASON, reason.toLowerCase(Locale.ROOT));
    }
    Attributes built = b.build();
    Attributes previous = cache.computeIfAbsent(flag, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(variant, k -> new ConcurrentHashMap<>()).putIfAbsent(reason, built);
    if (previous != null) {
      size.decrementAndGet();
      return previous;
    }
    return built;
  }

  private static String orNone(String s) {
    return s == null ? NONE : s;
  }
}
