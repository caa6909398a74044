package dev.burnguard.flag;

import dev.burnguard.flag.FlagSet.FlagSetBuilder;
import dev.burnguard.internal.resolve.CompiledFlag;
import dev.burnguard.rollout.RolloutPlan;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One flag of a {@link FlagSet}, as defined in flagd's flag-definition format: its state, variants
 * (all booleans, all strings, all numbers or all objects), optional default variant, optional
 * targeting rule and metadata; and, Burnguard's extension, an optional {@link RolloutPlan} that
 * rolls one variant out in place of another under guard. Immutable.
 */
public final class Flag {
  private final String key;
  private final FlagState state;
  private final Map<String, Object> variants;
  private final String defaultVariant;
  private final Object targeting;
  private final Map<String, Object> metadata;
  private final RolloutPlan rollout;
  final Object definition;
  final CompiledFlag compiled;

  Flag(String key, FlagState state, Map<String, Object> variants, String defaultVariant, Object targeting,
      Map<String, Object> metadata, RolloutPlan rollout, Object definition, CompiledFlag compiled) {
    this.key = key;
    this.state = state;
    this.variants = variants;
    this.defaultVariant = defaultVariant;
    this.targeting = targeting;
    this.metadata = metadata;
    this.rollout = rollout;
    this.definition = definition;
    this.compiled = compiled;
  }

  public String key() {
    return key;
  }

  public FlagState state() {
    return state;
  }

  /**
   * Variant name to value: {@link Boolean}, {@link String}, {@link Long} or {@link Double} for
   * numbers, or unmodifiable {@link Map}/{@link java.util.List} for objects. Empty for a flag whose
   * definition is invalid (see {@link FlagSet#problems()}).
   */
  public Map<String, Object> variants() {
    return variants;
  }

  /** The variant served when targeting does not decide; empty when the caller's default is served. */
  public Optional<String> defaultVariant() {
    return Optional.ofNullable(defaultVariant);
  }

  /** The targeting rule as JSON (maps, lists and scalars), as written; empty when there is none. */
  public Optional<Object> targeting() {
    return Optional.ofNullable(targeting);
  }

  /** The flag's own metadata (without the flag set's), scalar values only. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /**
   * The guarded rollout of this flag's candidate variant, from the flag's {@code "rollout"} member
   * or {@link FlagSetBuilder.FlagDefinition#rollout(RolloutPlan)}; empty when the flag has none
   * (and for a flag whose definition is invalid). Its control and candidate are variants of this
   * flag.
   */
  public Optional<RolloutPlan> rollout() {
    return Optional.ofNullable(rollout);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Flag && key.equals(((Flag) o).key) && Objects.equals(definition, ((Flag) o).definition);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  @Override
  public String toString() {
    return "Flag[" + key + ", " + state + ", variants=" + variants.keySet()
        + ", defaultVariant=" + defaultVariant + (targeting == null ? "" : ", targeted")
        + (rollout == null ? "" : ", rollout " + rollout.control() + " -> " + rollout.candidate()) + "]";
  }

  /** Whether a flag is served ({@code ENABLED}) or resolves to the caller's default ({@code DISABLED}). */
  public enum FlagState {
    ENABLED,
    DISABLED
  }
}
