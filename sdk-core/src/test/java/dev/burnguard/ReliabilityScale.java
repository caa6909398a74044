package dev.burnguard;

/**
 * How much longer the reliability tests (model checking, concurrency stress) run: the system property
 * {@code burnguard.reliability.scale}, 1 by default (CI-bounded); the Maven profile {@code long}
 * raises it.
 */
public final class ReliabilityScale {
  /** The system property that sets the factor. */
  public static final String PROPERTY = "burnguard.reliability.scale";

  private ReliabilityScale() {}

  /** The factor the iteration counts of reliability tests are multiplied by; at least 1. */
  public static int factor() {
    String value = System.getProperty(PROPERTY, "1");
    int factor;
    try {
      factor = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PROPERTY + " must be a whole number, got \"" + value + "\"", e);
    }
    if (factor < 1) {
      throw new IllegalArgumentException(PROPERTY + " must be at least 1, got " + factor);
    }
    return factor;
  }
}
