package dev.burnguard.internal.eval;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;

/**
 * Reads the evaluation context on the evaluation path without the copies the SDK makes per read.
 * {@link ImmutableContext#getValue} (and {@code getTargetingKey}, which goes through it) returns a
 * clone of the stored {@link Value} on every call, one allocation per attribute read; its
 * {@code asUnmodifiableMap()} is a read-only view of the same map whose {@code get} returns the
 * stored (immutable) value itself, and the view does not escape, so the JIT removes it. Every other
 * context type is read through {@code getValue}, which for {@code MutableContext} does not copy.
 * Values read here are only read, never handed to user code. Internal, not for public use.
 */
public final class ContextValues {
  private ContextValues() {}

  /** Attribute {@code name} of {@code context} (not null), or null when it has none. */
  public static Value value(EvaluationContext context, String name) {
    if (context instanceof ImmutableContext) { // a final class: nothing overrides its reads
      return context.asUnmodifiableMap().get(name);
    }
    return context.getValue(name);
  }

  /** {@code context}'s targeting key, or null when it has none or {@code context} is null; as {@code getTargetingKey()}. */
  public static String targetingKey(EvaluationContext context) {
    if (context instanceof ImmutableContext) {
      Value key = context.asUnmodifiableMap().get(EvaluationContext.TARGETING_KEY);
      return key == null ? null : key.asString();
    }
    return context == null ? null : context.getTargetingKey();
  }
}
