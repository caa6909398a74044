package dev.burnguard.spring.boot.internal;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.HookContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Internal, not for public use. Burnguard's Micrometer meters, with the meanings of sdk-otel's
 * metrics and Micrometer's dotted names (a Prometheus registry shows {@code burnguard.rollout.exposure}
 * as {@code burnguard_rollout_exposure}):
 *
 * <ul>
 *   <li>{@value #EXPOSURE} (gauge, tag {@code flag}): fraction of eligible contexts served the candidate;
 *   <li>{@value #STAGE} (gauge, {@code flag}): index of the rollout's current stage;
 *   <li>{@value #STATUS} (gauge, {@code flag}, {@code status}): 1 for the current status, 0 for the others;
 *   <li>{@value #BURN_RATE} (gauge, {@code flag}, {@code sli}, {@code window}, {@code variant}): a
 *       variant's error-budget burn rate over one rule window as the guardian judged it at its last
 *       tick, read from sdk-core's {@link RolloutHealth} (the one place burn rates are computed;
 *       {@code variant} the variant's name, candidate's and control's; {@code window} every rule
 *       window, ISO-8601; {@code sli} {@code availability}, and {@code latency} when the plan has a
 *       latency objective); NaN before the guardian's first tick of the rollout;
 *   <li>{@value #DECISIONS} (counter, {@code flag}, {@code action}, {@code applied}): guardian and
 *       manual decisions;
 *   <li>{@value #EVALUATIONS} (counter, {@code flag}, {@code variant}, {@code reason}): flag
 *       evaluations through OpenFeature;
 *   <li>{@value #STORE_HEALTHY} (gauge): 1 while the store writes every decision and no rollout state
 *       is kept only in memory; {@value #STORE_PENDING} (gauge): decisions waiting for the store.
 * </ul>
 *
 * <p>Gauges read the provider at each collection; a rollout's gauges are registered, from its plan,
 * when the meters are bound and when a decision about it is seen (so a plan's new windows appear
 * after its first decision). Cardinality is bounded by the flag file.
 *
 * <p>Concurrency: decisions arrive on the guardian's thread, evaluations on callers' threads,
 * collection on the registry's; the counters' caches are concurrent maps, the rest is read-only.
 */
final class BurnguardMeters implements MeterBinder {
  static final String EXPOSURE = "burnguard.rollout.exposure";
  static final String STAGE = "burnguard.rollout.stage";
  static final String STATUS = "burnguard.rollout.status";
  static final String BURN_RATE = "burnguard.rollout.burn.rate";
  static final String DECISIONS = "burnguard.rollout.decisions";
  static final String EVALUATIONS = "burnguard.evaluations";
  static final String STORE_HEALTHY = "burnguard.rollout.store.healthy";
  static final String STORE_PENDING = "burnguard.rollout.store.pending";
  static final String AVAILABILITY = "availability";
  static final String LATENCY = "latency";

  private final BurnguardCore core;
  private final OpenFeatureRegistration registration;
  private final Set<String> registered = ConcurrentHashMap.newKeySet();
  private final Set<List<Object>> burnRates = ConcurrentHashMap.newKeySet();
  private volatile MeterRegistry registry;

  BurnguardMeters(BurnguardCore core, OpenFeatureRegistration registration) {
    this.core = core;
    this.registration = registration;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    if (this.registry != null) {
      return; // bound once, to the application's (composite) registry
    }
    this.registry = registry;
    Gauge.builder(STORE_HEALTHY, core, c -> c.storeSafe() ? 1 : 0)
        .description("1 while the rollout store writes every decision and no rollout state is kept only in memory")
        .register(registry);
    Gauge.builder(STORE_PENDING, core, BurnguardCore::storePending)
        .description("Decisions kept in memory because the rollout store cannot write").register(registry);
    for (String flag : core.rolloutFlags()) {
      registerRollout(flag);
    }
    core.onDecision(this::decided);
    registration.addHook(new EvaluationCounter(registry));
  }

  private void decided(Decision d) {
    try {
      registerRollout(d.flagKey());
      Counter.builder(DECISIONS).description("Guardian and manual decisions, by flag, action and whether applied")
          .tags("flag", d.flagKey(), "action", d.action().name().toLowerCase(Locale.ROOT), "applied",
              String.valueOf(d.applied()))
          .register(registry).increment();
    } catch (RuntimeException e) {
      // a meter must never disturb the guardian
    }
  }

  private void registerRollout(String flag) {
    registerBurnRates(flag);
    if (!registered.add(flag)) {
      return;
    }
    Gauge.builder(EXPOSURE, core, c -> value(c.state(flag), RolloutState::exposure)).tag("flag", flag)
        .description("Fraction of eligible contexts served the candidate").register(registry);
    Gauge.builder(STAGE, core, c -> value(c.state(flag), s -> s.stage())).tag("flag", flag)
        .description("Index of the rollout's current stage").register(registry);
    for (String status : BurnguardCore.statuses()) {
      Gauge.builder(STATUS, core, c -> value(c.state(flag),
              s -> s.status().name().toLowerCase(Locale.ROOT).equals(status) ? 1 : 0))
          .tags("flag", flag, "status", status).description("1 for the rollout's current status, 0 for the others")
          .register(registry);
    }
  }

  /** One gauge per variant, rule window and SLI of the flag's plan in force; idempotent. */
  private void registerBurnRates(String flag) {
    RolloutPlan plan = core.plan(flag);
    if (plan == null) {
      return;
    }
    Set<Duration> windows = new TreeSet<>();
    for (BurnRateRule r : plan.rules()) {
      windows.add(r.shortWindow());
      windows.add(r.longWindow());
    }
    boolean latency = plan.slo().latencyThreshold().isPresent();
    for (String variant : List.of(plan.candidate(), plan.control())) {
      for (Duration window : windows) {
        burnRate(flag, AVAILABILITY, window, variant);
        if (latency) {
          burnRate(flag, LATENCY, window, variant);
        }
      }
    }
  }

  private void burnRate(String flag, String sli, Duration window, String variant) {
    if (!burnRates.add(List.of(flag, sli, window, variant))) {
      return;
    }
    Gauge.builder(BURN_RATE, core, c -> burnRate(c.health(flag), sli, window, variant))
        .tags("flag", flag, "sli", sli, "window", window.toString(), "variant", variant)
        .description("Error-budget burn rate of a variant over a rule window at the guardian's last tick: "
            + "(bad / calls) / budget")
        .register(registry);
  }

  /** The figure {@code health} gives for one variant window and SLI; NaN when it gives none. */
  static double burnRate(RolloutHealth health, String sli, Duration window, String variant) {
    if (health == null) {
      return Double.NaN;
    }
    for (RolloutHealth.VariantWindow w : health.windows()) {
      if (w.variant().equals(variant) && w.window().equals(window)) {
        return sli.equals(LATENCY) ? w.latencyBurn() : w.availabilityBurn();
      }
    }
    return Double.NaN;
  }

  private static double value(RolloutState s, java.util.function.ToDoubleFunction<RolloutState> f) {
    return s == null ? Double.NaN : f.applyAsDouble(s);
  }

  /**
   * Counts evaluations by flag, variant and reason. The counters are cached in nested maps (flag,
   * then variant, then reason) so that counting allocates nothing once a combination was seen.
   */
  static final class EvaluationCounter implements Hook<Object> {
    private static final String NONE = "none";
    private final MeterRegistry registry;
    private final Map<String, Map<String, Map<String, Counter>>> counters = new ConcurrentHashMap<>();

    EvaluationCounter(MeterRegistry registry) {
      this.registry = registry;
    }

    @Override
    public void finallyAfter(HookContext<Object> ctx, FlagEvaluationDetails<Object> details, Map<String, Object> hints) {
      try {
        String flag = details.getFlagKey();
        String variant = details.getVariant() == null ? NONE : details.getVariant();
        String reason = details.getReason() == null ? NONE : details.getReason();
        Map<String, Map<String, Counter>> byVariant = counters.get(flag);
        Map<String, Counter> byReason = byVariant == null ? null : byVariant.get(variant);
        Counter counter = byReason == null ? null : byReason.get(reason);
        if (counter == null) {
          counter = register(flag, variant, reason); // first time only: the lambdas below allocate
        }
        counter.increment();
      } catch (RuntimeException e) {
        // a meter must never disturb an evaluation
      }
    }

    private Counter register(String flag, String variant, String reason) {
      return counters.computeIfAbsent(flag, k -> new ConcurrentHashMap<>())
          .computeIfAbsent(variant, k -> new ConcurrentHashMap<>())
          .computeIfAbsent(reason, r -> Counter.builder(EVALUATIONS)
              .description("Flag evaluations through OpenFeature, by flag, variant and reason")
              .tags("flag", flag, "variant", variant, "reason", r.toLowerCase(Locale.ROOT)).register(registry));
    }
  }
}
