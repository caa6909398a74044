package dev.burnguard.internal.eval;

import dev.openfeature.sdk.EvaluationContext;

/**
 * A targeting rule that is nothing but flagd's {@code fractional} over the default bucketing key
 * (flag key + targeting key) with literal variants and weights: the usual percentage rollout. It
 * reads only the targeting key, so a flag resolves it without a {@link Frame} and maps each bucket
 * to its variant once, when the flag loads. Its buckets are exactly those of the compiled
 * {@code fractional}.
 *
 * <p>Concurrency: immutable and shared by all threads. Internal, not for public use.
 */
public final class TargetingKeySplit {
  private final Operators.Fractional fractional;
  private final Object[] results;

  private TargetingKeySplit(Operators.Fractional fractional, Object[] results) {
    this.fractional = fractional;
    this.results = results;
  }

  /** The split {@code targeting} is, or null when it is anything else. */
  public static TargetingKeySplit of(Node targeting) {
    if (!(targeting instanceof Operators.Fractional)) {
      return null;
    }
    Operators.Fractional fractional = (Operators.Fractional) targeting;
    Object[] results = fractional.literalResults();
    return results == null ? null : new TargetingKeySplit(fractional, results);
  }

  /**
   * The index of the bucket {@code context} (may be null) falls in, or -1 where the targeting
   * yields null: no (non-empty) targeting key, or weights that void the split.
   */
  public int bucket(EvaluationContext context) {
    return fractional.literalBucket(context);
  }

  /** The number of buckets. */
  public int buckets() {
    return results.length;
  }

  /** What the targeting yields for bucket {@code i}: normally a variant name. */
  public Object result(int i) {
    return results[i];
  }
}
