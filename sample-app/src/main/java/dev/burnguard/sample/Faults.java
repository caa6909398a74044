package dev.burnguard.sample;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The faults injected at runtime into the candidates of the guarded flags (the new checkout, the new
 * shipping quote): per flag, a probability that a call fails and a latency added to every call. Set
 * from the dashboard, the admin API or the demo.
 *
 * <p>Concurrency: the faults are one immutable map of immutable {@link Fault}s behind a volatile
 * reference, replaced whole; request threads read it once per call without locking, so a call sees
 * either the old fault or the new one, never a mix.
 */
final class Faults {
  /** The most latency that can be injected: enough to break any SLO, little enough to keep the traffic going. */
  static final Duration MAX_ADDED_LATENCY = Duration.ofSeconds(5);

  /**
   * A fault.
   *
   * @param errorRate the probability that a candidate call fails, in [0, 1]
   * @param addedLatency added to every candidate call, from 0 to {@link #MAX_ADDED_LATENCY}
   */
  record Fault(double errorRate, Duration addedLatency) {
    static final Fault NONE = new Fault(0, Duration.ZERO);

    Fault {
      if (!(errorRate >= 0 && errorRate <= 1)) {
        throw new IllegalArgumentException("errorRate must be a fraction in [0, 1], e.g. 0.3 for 30 %, got " + errorRate);
      }
      if (addedLatency.isNegative() || addedLatency.compareTo(MAX_ADDED_LATENCY) > 0) {
        throw new IllegalArgumentException("latencyMs must be between 0 and " + MAX_ADDED_LATENCY.toMillis()
            + ", got " + addedLatency.toMillis());
      }
    }

    /**
     * Reads a fault from form fields {@code errorRate} (a fraction) and {@code latencyMs} (whole
     * milliseconds); both required, nothing else allowed.
     *
     * @throws IllegalArgumentException naming the field and the value when anything is wrong
     */
    static Fault parse(Map<String, String> form) {
      Set<String> unknown = new java.util.TreeSet<>(form.keySet());
      unknown.removeAll(Set.of("errorRate", "latencyMs"));
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("unknown fields " + unknown + "; a fault has errorRate and latencyMs");
      }
      String rate = required(form, "errorRate");
      String latency = required(form, "latencyMs");
      double errorRate;
      long latencyMs;
      try {
        errorRate = Double.parseDouble(rate);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("errorRate must be a number in [0, 1], got \"" + rate + "\"");
      }
      try {
        latencyMs = Long.parseLong(latency);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("latencyMs must be a whole number of milliseconds, got \"" + latency + "\"");
      }
      if (latencyMs < 0 || latencyMs > MAX_ADDED_LATENCY.toMillis()) {
        throw new IllegalArgumentException("latencyMs must be between 0 and " + MAX_ADDED_LATENCY.toMillis()
            + ", got " + latencyMs);
      }
      return new Fault(errorRate, Duration.ofMillis(latencyMs));
    }

    private static String required(Map<String, String> form, String field) {
      String v = form.get(field);
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(field + " is required");
      }
      return v.trim();
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1f %% errors, +%d ms", errorRate * 100, addedLatency.toMillis());
    }
  }

  private final Object setLock = new Object();
  private volatile Map<String, Fault> byFlag;

  /** No fault yet for any of {@code flags}, the flags whose candidates faults can be injected into. */
  Faults(String... flags) {
    Map<String, Fault> none = new java.util.LinkedHashMap<>();
    for (String flag : flags) {
      none.put(flag, Fault.NONE);
    }
    byFlag = java.util.Collections.unmodifiableMap(none);
  }

  /** The flags whose candidates faults can be injected into. */
  Set<String> flags() {
    return byFlag.keySet();
  }

  /** The fault of the new checkout ({@value Checkout#FLAG}). */
  Fault current() {
    return current(Checkout.FLAG);
  }

  /** The fault injected into {@code flag}'s candidate; {@link Fault#NONE} for any other flag. */
  Fault current(String flag) {
    return byFlag.getOrDefault(flag, Fault.NONE);
  }

  /** Sets the fault of the new checkout ({@value Checkout#FLAG}). */
  void set(Fault fault) {
    set(Checkout.FLAG, fault);
  }

  /** Sets the fault injected into {@code flag}'s candidate; {@link IllegalArgumentException} for another flag. */
  void set(String flag, Fault fault) {
    java.util.Objects.requireNonNull(fault, "fault");
    synchronized (setLock) {
      if (!byFlag.containsKey(flag)) {
        throw new IllegalArgumentException("no fault can be injected into flag \"" + flag + "\"; flags: " + flags());
      }
      Map<String, Fault> next = new java.util.LinkedHashMap<>(byFlag);
      next.put(flag, fault);
      byFlag = java.util.Collections.unmodifiableMap(next);
    }
  }

  /** Every flag's fault. */
  Map<String, Fault> all() {
    return byFlag;
  }
}
