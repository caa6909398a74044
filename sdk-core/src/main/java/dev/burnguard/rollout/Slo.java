package dev.burnguard.rollout;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The candidate's service-level objectives: availability, and optionally latency as a ratio
 * ("at least 99 % of calls faster than 300 ms" is the SLI "slow calls / calls ≤ 1 %"). The guard
 * decides on exact counts of errors and slow calls, never on latency quantiles.
 */
public final class Slo {
  private final double availability;
  private final Duration latencyThreshold;
  private final double latencyObjective;

  private Slo(double availability, Duration latencyThreshold, double latencyObjective) {
    this.availability = availability;
    this.latencyThreshold = latencyThreshold;
    this.latencyObjective = latencyObjective;
  }

  /**
   * An availability objective: the fraction of calls that must succeed, in (0, 1), e.g. 0.999.
   */
  public static Slo availability(double objective) {
    checkObjective("availability", objective);
    return new Slo(objective, null, 0);
  }

  /**
   * Adds a latency objective: at least {@code objective} of the calls (in (0, 1), e.g. 0.99) take
   * no longer than {@code threshold}.
   */
  public Slo withLatency(Duration threshold, double objective) {
    Objects.requireNonNull(threshold, "threshold");
    if (threshold.isNegative() || threshold.isZero()) {
      throw new IllegalArgumentException("latency threshold must be positive, got " + threshold);
    }
    checkObjective("latency", objective);
    return new Slo(availability, threshold, objective);
  }

  private static void checkObjective(String what, double objective) {
    if (!(objective > 0 && objective < 1)) {
      throw new IllegalArgumentException(what + " objective must be a fraction in (0, 1), e.g. 0.999, got " + objective);
    }
  }

  public double availability() {
    return availability;
  }

  /** The error budget: the fraction of calls that may fail, {@code 1 - availability}. */
  public double errorBudget() {
    return 1 - availability;
  }

  /** The latency threshold, when there is a latency objective. */
  public Optional<Duration> latencyThreshold() {
    return Optional.ofNullable(latencyThreshold);
  }

  /** The fraction of calls that must be at most {@link #latencyThreshold()}; 0 without a latency objective. */
  public double latencyObjective() {
    return latencyObjective;
  }

  /** The latency budget: the fraction of calls that may be slow, {@code 1 - latencyObjective}. */
  public double latencyBudget() {
    return 1 - latencyObjective;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Slo && ((Slo) o).availability == availability && ((Slo) o).latencyObjective == latencyObjective
        && Objects.equals(((Slo) o).latencyThreshold, latencyThreshold);
  }

  @Override
  public int hashCode() {
    return Objects.hash(availability, latencyThreshold, latencyObjective);
  }

  @Override
  public String toString() {
    return "availability " + availability * 100 + " %"
        + (latencyThreshold == null ? "" : ", " + latencyObjective * 100 + " % within " + latencyThreshold);
  }
}
