package dev.burnguard.internal.resolve;

import dev.burnguard.internal.eval.Frame;
import dev.burnguard.internal.eval.Node;
import dev.burnguard.internal.eval.TargetingKeySplit;
import dev.burnguard.internal.eval.Values;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A flag ready to resolve: compiled targeting and, for every variant, the results for each type and
 * reason built in advance, so that resolving a flag allocates nothing beyond what targeting itself
 * reads from the context. Resolution follows flagd: disabled flags give the caller's default with
 * reason DISABLED; no targeting gives the default variant (STATIC); targeting that yields null gives
 * the default variant (DEFAULT); a boolean result names the variant "true" or "false"; a result
 * chosen by {@code fractional} has reason SPLIT, any other TARGETING_MATCH; no default variant means
 * the caller's default with reason DEFAULT.
 *
 * <p>Concurrency: immutable after construction and shared by all threads. Internal, not for public use.
 */
public final class CompiledFlag {
  private static final int STATIC = 0;
  private static final int TARGETING_MATCH = 1;
  private static final int SPLIT = 2;
  private static final int DEFAULT = 3;
  /** The control served because a rollout's gate held the context back from the candidate. */
  private static final int HELD_BACK = 4;

  private final String key;
  private final boolean enabled;
  private final Map<String, Variant> variants;
  private final Variant defaultVariant;
  private final Node targeting;
  /** The targeting when it is a plain percentage split, resolved without a frame; else null. */
  private final TargetingKeySplit split;
  /** The variant each bucket of {@link #split} names, null where its result names none. */
  private final Variant[] splitVariants;
  private final String invalidReason;
  private final ImmutableMetadata metadata;
  private final Clock clock;
  // kept to rebuild the flag with a rollout gate
  private final Map<String, Object> variantValues;
  private final Map<String, Object> rawMetadata;
  private final String defaultVariantName;
  private final ExposureGate gate;
  private final Variant gateCandidate;
  private final Variant gateControl;

  /** One variant's results, indexed by [type][reason]; null where the value is not of that type. */
  private static final class Variant {
    final String name;
    final Object json;
    final ProviderEvaluation<?>[][] results;

    Variant(String name, Object json, ImmutableMetadata metadata, String[] reasons) {
      this.name = name;
      this.json = json;
      Value objectValue = json instanceof Map || json instanceof List ? JsonValues.toValue(json) : null;
      this.results = new ProviderEvaluation<?>[ValueType.ALL.length][];
      for (ValueType type : ValueType.ALL) {
        Object converted = type.convert(json, objectValue);
        if (converted != null) {
          ProviderEvaluation<?>[] byReason = new ProviderEvaluation<?>[reasons.length];
          for (int r = 0; r < reasons.length; r++) {
            byReason[r] = new FrozenEvaluation<>(converted, name, reasons[r], metadata);
          }
          results[type.ordinal()] = byReason;
        }
      }
    }
  }

  /**
   * A valid flag.
   *
   * @param variants variant name to JSON value (Boolean, String, Long, Double, Map or List)
   * @param defaultVariant the default variant's name, or null
   * @param targeting compiled targeting, or null when the flag has none
   */
  public CompiledFlag(String key, boolean enabled, Map<String, Object> variants, String defaultVariant,
      Node targeting, Map<String, Object> metadata, Clock clock) {
    this(key, enabled, variants, defaultVariant, targeting, null, metadata, clock, null);
  }

  private CompiledFlag(String key, boolean enabled, Map<String, Object> variants, String defaultVariant,
      Node targeting, String invalidReason, Map<String, Object> metadata, Clock clock, ExposureGate gate) {
    this.key = key;
    this.enabled = enabled;
    this.variantValues = variants;
    this.rawMetadata = metadata;
    this.defaultVariantName = defaultVariant;
    Map<String, Object> merged = metadata;
    if (gate != null) {
      merged = new java.util.LinkedHashMap<>(metadata);
      merged.putAll(gate.metadata());
    }
    this.metadata = toMetadata(merged);
    String[] reasons = {
      Reason.STATIC.name(), Reason.TARGETING_MATCH.name(), Reason.SPLIT.name(), Reason.DEFAULT.name(),
      gate == null ? Reason.TARGETING_MATCH.name() : gate.heldBackReason()
    };
    Map<String, Variant> compiled = new HashMap<>();
    variants.forEach((name, json) -> compiled.put(name, new Variant(name, json, this.metadata, reasons)));
    this.variants = Collections.unmodifiableMap(compiled);
    this.defaultVariant = defaultVariant == null ? null : compiled.get(defaultVariant);
    this.targeting = targeting;
    this.split = targeting == null ? null : TargetingKeySplit.of(targeting);
    this.splitVariants = split == null ? null : new Variant[split.buckets()];
    if (split != null) {
      for (int i = 0; i < splitVariants.length; i++) {
        splitVariants[i] = variantNamedBy(split.result(i));
      }
    }
    this.invalidReason = invalidReason;
    this.clock = clock;
    this.gate = gate;
    this.gateCandidate = gate == null ? null : compiled.get(gate.candidate());
    this.gateControl = gate == null ? null : compiled.get(gate.control());
  }

  /** A flag whose definition is invalid: it resolves to the caller's default with PARSE_ERROR. */
  public static CompiledFlag invalid(String key, String reason, Map<String, Object> metadata, Clock clock) {
    return new CompiledFlag(key, true, Map.of(), null, null, reason, metadata, clock, null);
  }

  /**
   * This flag behind a rollout gate (or without one, for null): same definition, with the gate's
   * metadata in every result and the control served to contexts the gate holds back.
   */
  public CompiledFlag withGate(ExposureGate newGate) {
    if (newGate != null && (!variants.containsKey(newGate.candidate()) || !variants.containsKey(newGate.control()))) {
      throw new IllegalArgumentException("flag \"" + key + "\" has no variant \"" + newGate.candidate()
          + "\" or \"" + newGate.control() + "\"");
    }
    return new CompiledFlag(key, enabled, variantValues, defaultVariantName, targeting, invalidReason, rawMetadata,
        clock, newGate);
  }

  /**
   * The variant the gate serves instead of the candidate for a context it holds back. With
   * {@code count} (an evaluation, not a look-up), the gate counts what was served to either arm.
   */
  private Variant gated(Variant chosen, EvaluationContext context, boolean count) {
    if (gate == null) {
      return chosen;
    }
    if (chosen != gateCandidate) {
      if (count && chosen == gateControl) {
        gate.servedControl();
      }
      return chosen;
    }
    String targetingKey = context == null ? null : context.getTargetingKey();
    boolean admitted = count ? gate.admit(targetingKey) : gate.admits(targetingKey);
    return admitted ? chosen : gateControl;
  }

  /** Whether {@code type} is one of the types OpenFeature resolves. */
  public static boolean supports(Class<?> type) {
    return ValueType.of(type) != null;
  }

  /**
   * Resolves this flag as {@code type} (Boolean, String, Integer, Long, Double or Value) for
   * {@code context}. Never throws; errors are results with an error code.
   */
  @SuppressWarnings("unchecked")
  public <T> ProviderEvaluation<T> resolve(Class<T> type, T defaultValue, EvaluationContext context) {
    if (!enabled) {
      return new ProviderEvaluation<>(defaultValue, null, Reason.DISABLED.name(), null, null, metadata);
    }
    if (invalidReason != null) {
      return error(defaultValue, ErrorCode.PARSE_ERROR, invalidReason);
    }
    Variant chosen;
    int reason;
    if (targeting == null) {
      chosen = defaultVariant;
      reason = STATIC;
    } else if (split != null) {
      int bucket;
      try {
        bucket = split.bucket(context);
      } catch (RuntimeException e) {
        return targetingFailed(defaultValue, e);
      }
      Object result = bucket < 0 ? null : split.result(bucket);
      if (result == null) {
        chosen = defaultVariant;
        reason = DEFAULT;
      } else {
        chosen = splitVariants[bucket];
        if (chosen == null) {
          return error(defaultValue, ErrorCode.GENERAL, notAVariant(result));
        }
        reason = SPLIT;
      }
    } else {
      Frame frame = Frame.acquire(context, key, clock);
      Object result;
      try {
        result = targeting.eval(frame);
      } catch (RuntimeException e) {
        return targetingFailed(defaultValue, e);
      } finally {
        frame.release();
      }
      if (result == null) {
        chosen = defaultVariant;
        reason = DEFAULT;
      } else {
        chosen = variantNamedBy(result);
        if (chosen == null) {
          return error(defaultValue, ErrorCode.GENERAL, notAVariant(result));
        }
        reason = frame.splitDecided() ? SPLIT : TARGETING_MATCH;
      }
    }
    if (chosen == null) {
      return new ProviderEvaluation<>(defaultValue, null, Reason.DEFAULT.name(), null, null, metadata);
    }
    Variant served = gated(chosen, context, true);
    if (served != chosen) {
      chosen = served;
      reason = HELD_BACK;
    }
    ValueType valueType = ValueType.of(type);
    ProviderEvaluation<?>[] byReason = valueType == null ? null : chosen.results[valueType.ordinal()];
    if (byReason == null) {
      return error(defaultValue, ErrorCode.TYPE_MISMATCH, "flag \"" + key + "\" variant \"" + chosen.name
          + "\" has a " + ValueType.describe(chosen.json) + " value, which cannot be resolved as " + type.getSimpleName());
    }
    return (ProviderEvaluation<T>) byReason[reason];
  }

  /**
   * The variant {@code context} is assigned, whatever its type, or null when it gets none (flag
   * disabled or invalid, no default variant, or an error). Same rules as {@link #resolve}; a
   * look-up (recording an outcome), not counted by the rollout gate.
   */
  public String assignedVariant(EvaluationContext context) {
    return variant(context, false);
  }

  /**
   * Like {@link #assignedVariant}, but counted by the rollout gate as an evaluation, as
   * {@link #resolve} counts it: for tools that evaluate a flag of any type by its variant.
   */
  public String servedVariant(EvaluationContext context) {
    return variant(context, true);
  }

  private String variant(EvaluationContext context, boolean count) {
    if (!enabled || invalidReason != null) {
      return null;
    }
    Variant chosen = defaultVariant;
    if (split != null) {
      try {
        int bucket = split.bucket(context);
        if (bucket >= 0 && split.result(bucket) != null) {
          chosen = splitVariants[bucket];
        }
      } catch (RuntimeException e) {
        return null;
      }
    } else if (targeting != null) {
      Frame frame = Frame.acquire(context, key, clock);
      try {
        Object result = targeting.eval(frame);
        if (result != null) {
          chosen = variantNamedBy(result);
        }
      } catch (RuntimeException e) {
        return null;
      } finally {
        frame.release();
      }
    }
    return chosen == null ? null : gated(chosen, context, count).name;
  }

  /** The variant a targeting result names: a string, or a boolean naming "true"/"false"; null if none. */
  private Variant variantNamedBy(Object result) {
    String name = result instanceof String ? (String) result
        : result instanceof Boolean ? ((Boolean) result ? "true" : "false") : null;
    return name == null ? null : variants.get(name);
  }

  private String notAVariant(Object result) {
    if (!(result instanceof String) && !(result instanceof Boolean)) {
      return "targeting of flag \"" + key + "\" returned " + Values.toJsString(result) + ", which is not a variant name";
    }
    return "targeting of flag \"" + key + "\" chose variant \"" + Values.toJsString(result)
        + "\", which the flag does not define (variants: " + String.join(", ", variants.keySet()) + ")";
  }

  private <T> ProviderEvaluation<T> targetingFailed(T defaultValue, RuntimeException e) {
    return error(defaultValue, ErrorCode.PARSE_ERROR, "targeting of flag \"" + key + "\" failed: " + e);
  }

  private <T> ProviderEvaluation<T> error(T defaultValue, ErrorCode code, String message) {
    return new ProviderEvaluation<>(defaultValue, null, Reason.ERROR.name(), code, message, metadata);
  }

  private static ImmutableMetadata toMetadata(Map<String, Object> metadata) {
    if (metadata.isEmpty()) {
      return ImmutableMetadata.EMPTY;
    }
    ImmutableMetadata.ImmutableMetadataBuilder b = ImmutableMetadata.builder();
    metadata.forEach((k, v) -> {
      if (v instanceof String) {
        b.addString(k, (String) v);
      } else if (v instanceof Boolean) {
        b.addBoolean(k, (Boolean) v);
      } else if (v instanceof Long && (Long) v == ((Long) v).intValue()) {
        b.addInteger(k, ((Long) v).intValue());
      } else if (v instanceof Long) {
        b.addLong(k, (Long) v);
      } else if (v instanceof Number) {
        b.addDouble(k, ((Number) v).doubleValue());
      }
    });
    return b.build();
  }
}
