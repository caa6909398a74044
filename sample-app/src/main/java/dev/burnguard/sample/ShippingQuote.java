package dev.burnguard.sample;

import dev.burnguard.outcome.Guard;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sample's second guarded change, a new shipping quote, whose flag {@value #FLAG} is <b>not</b>
 * Burnguard's: it is served by the team's existing flag system — here OpenFeature's {@link
 * InMemoryProvider}, standing in for flagd, LaunchDarkly or an in-house provider — wrapped by a
 * {@link dev.burnguard.GuardedProvider} with a rollout plan given in code. The delegate serves the
 * candidate {@code new} to everyone; the guard admits the plan's exposure and serves the control
 * {@code old} to the rest. Every quote goes through {@link Guard#call}, which records its outcome
 * for the guardian; the new quote suffers whatever {@link Faults} injects for {@value #FLAG}.
 *
 * <p>Concurrency: immutable; any number of request threads call {@link #quote} at once.
 */
final class ShippingQuote {
  /** The flag, served by the wrapped provider. */
  static final String FLAG = "new-shipping-quote";
  /** The OpenFeature domain the wrapped provider is registered under in the sample's API instance. */
  static final String DOMAIN = "shipping";
  static final long FLAT_CENTS = 499;

  /** A shipping quote: what a checkout adds for delivery. */
  record Quote(String user, int items, long cents, String implementation) {}

  private final Guard guard;
  private final Faults faults;
  private final Checkout.Work work;

  ShippingQuote(Guard guard, Faults faults, Checkout.Work work) {
    this.guard = guard;
    this.faults = faults;
    this.work = work;
  }

  /** The team's existing flag system: {@value #FLAG} with variants {@code new} (true, the default) and {@code old}. */
  static FeatureProvider flagSystem() {
    return new InMemoryProvider(Map.of(FLAG, Flag.<Boolean>builder().variant("new", true).variant("old", false)
        .defaultVariant("new").build()));
  }

  /**
   * The rollout plan of {@value #FLAG}, in code: the accelerated demo plan with {@code --demo},
   * else the same stages, SLO and rules as the flag file's plan for {@value Checkout#FLAG} (5, 25, 50,
   * 100 % over 1, 2, 2 and 5 minutes; 99.9 % availability, 99 % within 300 ms; the SRE Workbook's
   * 1 h / 5 min × 14.4 rollback and 6 h / 30 min × 6 shrink).
   */
  static RolloutPlan plan(boolean demo) {
    if (demo) {
      return DemoScenario.plan();
    }
    return RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(5, Duration.ofMinutes(1), 200), new Stage(25, Duration.ofMinutes(2), 1000),
            new Stage(50, Duration.ofMinutes(2), 2000), new Stage(100, Duration.ofMinutes(5), 5000)))
        .slo(Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.99))
        .build();
  }

  /**
   * Quotes shipping of {@code items} items for {@code user}.
   *
   * @throws Checkout.CheckoutFailedException when the implementation serving the user fails
   */
  Quote quote(String user, int items) {
    EvaluationContext ctx = new ImmutableContext(user);
    return guard.call(FLAG, ctx, () -> newQuote(user, items), () -> oldQuote(user, items));
  }

  private Quote oldQuote(String user, int items) {
    dependency();
    return new Quote(user, items, FLAT_CENTS, "old");
  }

  /** The change: free shipping from five items on. */
  private Quote newQuote(String user, int items) {
    Faults.Fault fault = faults.current(FLAG);
    dependency();
    if (!fault.addedLatency().isZero()) {
      work.take(fault.addedLatency());
    }
    if (fault.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < fault.errorRate()) {
      throw new Checkout.CheckoutFailedException("new shipping quote failed (injected fault: " + fault + ")");
    }
    return new Quote(user, items, items >= 5 ? 0 : FLAT_CENTS, "new");
  }

  /** 1 to 5 ms: the carrier's rate service. */
  private void dependency() {
    work.take(Duration.ofMillis(1 + ThreadLocalRandom.current().nextInt(5)));
  }
}
