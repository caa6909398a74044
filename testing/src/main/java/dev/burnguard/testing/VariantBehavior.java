package dev.burnguard.testing;

import java.time.Duration;
import java.util.Random;

/**
 * How a variant's calls behave in a {@link Simulation}: the probability that a call fails, its
 * latency — log-normal around a median with a given p99 (a common shape for service latency) — and
 * the share of its calls whose outcome is never recorded (a variant that crashes or hangs before
 * recording, or code that forgets to). Immutable.
 */
public final class VariantBehavior {
  private final double errorRate;
  private final double mu;
  private final double sigma;
  private final double droppedShare;

  private VariantBehavior(double errorRate, double mu, double sigma, double droppedShare) {
    this.errorRate = errorRate;
    this.mu = mu;
    this.sigma = sigma;
    this.droppedShare = droppedShare;
  }

  /** Calls fail with probability {@code errorRate} (in [0, 1]); latency 20 ms median, 80 ms p99. */
  public static VariantBehavior errors(double errorRate) {
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("errorRate must be in [0, 1], got " + errorRate);
    }
    return new VariantBehavior(errorRate, 0, 0, 0).latency(Duration.ofMillis(20), Duration.ofMillis(80));
  }

  /** This behavior with log-normal latency of the given median and 99th percentile (p99 ≥ median). */
  public VariantBehavior latency(Duration median, Duration p99) {
    if (median.isNegative() || median.isZero() || p99.compareTo(median) < 0) {
      throw new IllegalArgumentException("latency needs 0 < median <= p99, got median " + median + ", p99 " + p99);
    }
    double m = Math.log(median.toNanos());
    double s = (Math.log(p99.toNanos()) - m) / 2.326_347_874; // z of the 99th percentile
    return new VariantBehavior(errorRate, m, s, droppedShare);
  }

  /**
   * This behavior with {@code share} (in [0, 1]) of the calls served this variant never recorded:
   * the evaluation happens, the outcome is lost. Default 0.
   */
  public VariantBehavior dropsOutcomes(double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("dropsOutcomes share must be in [0, 1], got " + share);
    }
    return new VariantBehavior(errorRate, mu, sigma, share);
  }

  /** The share of calls whose outcome is never recorded. */
  public double droppedShare() {
    return droppedShare;
  }

  boolean drops(Random random) {
    return droppedShare > 0 && random.nextDouble() < droppedShare;
  }

  public double errorRate() {
    return errorRate;
  }

  boolean fails(Random random) {
    return errorRate > 0 && random.nextDouble() < errorRate;
  }

  long latencyNanos(Random random) {
    return (long) Math.exp(mu + sigma * random.nextGaussian());
  }
}
