package dev.burnguard.sample;

import dev.burnguard.outcome.Guard;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sample's service: prices a cart at checkout. The new implementation (volume discount,
 * computed in cents) is the candidate of the guarded flag {@value #FLAG}; the old one the control.
 * Every call goes through {@link Guard#call}, which picks the implementation for the user, times it
 * and records its outcome for the guardian.
 *
 * <p>Both implementations "call a dependency" that takes a few milliseconds ({@link Work}); the
 * new one also suffers whatever {@link Faults} injects.
 *
 * <p>Concurrency: immutable; any number of request threads call {@link #checkout} at once. The
 * guard, the fault holder and the work are thread-safe.
 */
final class Checkout {
  /** The guarded flag. */
  static final String FLAG = "new-checkout";
  /** The user journey every checkout counts for: the flag file's SLO "checkout" is declared over it. */
  static final String JOURNEY = "checkout";
  static final long UNIT_PRICE_CENTS = 1250;
  static final int MAX_ITEMS = 100;

  /** The time a call spends waiting on its (simulated) dependency. */
  @FunctionalInterface
  interface Work {
    void take(Duration time);

    /** Really waits: the dependency call of a running service. */
    static Work sleeping() {
      return time -> {
        try {
          Thread.sleep(time.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CheckoutFailedException("interrupted while waiting for the payment service");
        }
      };
    }
  }

  /** A priced cart: what the API returns. */
  record Receipt(String user, int items, long totalCents, String implementation) {}

  /** The checkout failed: the API answers 503. */
  static final class CheckoutFailedException extends RuntimeException {
    CheckoutFailedException(String message) {
      super(message, null, false, false);
    }
  }

  private final Guard guard;
  private final Faults faults;
  private final Work work;

  /**
   * @param work how a call spends time on its dependency and on injected latency: {@link
   *     Work#sleeping()} in the service; tests on a manual clock advance the clock instead
   */
  Checkout(Guard guard, Faults faults, Work work) {
    this.guard = guard;
    this.faults = faults;
    this.work = work;
  }

  /**
   * Prices {@code items} items for {@code user}.
   *
   * @throws IllegalArgumentException for a blank user or an item count outside 1..{@value #MAX_ITEMS}
   * @throws CheckoutFailedException when the implementation serving the user fails
   */
  Receipt checkout(String user, int items) {
    if (user == null || user.isBlank() || user.length() > 64) {
      throw new IllegalArgumentException("user must be 1 to 64 characters, got \"" + user + "\"");
    }
    if (items < 1 || items > MAX_ITEMS) {
      throw new IllegalArgumentException("items must be between 1 and " + MAX_ITEMS + ", got " + items);
    }
    EvaluationContext ctx = new ImmutableContext(user, Map.of("email", new Value(user + "@shop.example")));
    return guard.call(FLAG, ctx, () -> newCheckout(user, items), () -> oldCheckout(user, items));
  }

  private Receipt oldCheckout(String user, int items) {
    dependency();
    return new Receipt(user, items, items * UNIT_PRICE_CENTS, "old");
  }

  /** The risky change: 5 % off from five items on. */
  private Receipt newCheckout(String user, int items) {
    Faults.Fault fault = faults.current();
    dependency();
    if (!fault.addedLatency().isZero()) {
      work.take(fault.addedLatency());
    }
    if (fault.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < fault.errorRate()) {
      throw new CheckoutFailedException("new checkout failed (injected fault: " + fault + ")");
    }
    long gross = items * UNIT_PRICE_CENTS;
    return new Receipt(user, items, items >= 5 ? gross - gross * 5 / 100 : gross, "new");
  }

  /** 5 to 25 ms, and 1 % of calls 80 to 150 ms: a dependency with a tail. */
  private void dependency() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    work.take(Duration.ofMillis(r.nextDouble() < 0.01 ? 80 + r.nextInt(71) : 5 + r.nextInt(21)));
  }
}
