package dev.burnguard.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of a rollout: the share of eligible traffic that gets the candidate, and what must hold
 * before the rollout moves on.
 *
 * @param exposurePercent the percentage (0 &lt; p &le; 100) of the contexts the flag assigns to
 *     the candidate that actually get it
 * @param bake the least time to spend at this stage
 * @param minSamples the least number of candidate calls to see at this stage
 */
public record Stage(double exposurePercent, Duration bake, long minSamples) {
  public Stage {
    if (!(exposurePercent > 0 && exposurePercent <= 100)) {
      throw new IllegalArgumentException("stage exposure must be in (0, 100] percent, got " + exposurePercent);
    }
    Objects.requireNonNull(bake, "bake");
    if (bake.isNegative()) {
      throw new IllegalArgumentException("stage bake time must not be negative, got " + bake);
    }
    if (minSamples < 0) {
      throw new IllegalArgumentException("stage minSamples must not be negative, got " + minSamples);
    }
  }

  /** The exposure as a fraction in (0, 1]. */
  public double exposure() {
    return exposurePercent / 100;
  }
}
