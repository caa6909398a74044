package dev.burnguard.sample;

import dev.burnguard.outcome.Outcomes;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.Rollouts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every guarded rollout of the sample service, whichever provider serves its flag — Burnguard's own
 * (the flag file) and the {@link dev.burnguard.GuardedProvider} around another provider — as one
 * {@link Rollouts}: what the dashboard and the admin API read and act on. Each call about a flag
 * goes to the provider whose plans (or states) name it; the reads of all flags merge the providers'
 * answers, in the order the providers were given. Besides the façade: the plans in force and each
 * flag's recorded outcomes.
 *
 * <p>Concurrency: immutable; every provider's façades are thread-safe.
 */
final class ServiceRollouts implements Rollouts, dev.burnguard.dashboard.DashboardServer.Source {
  /**
   * One provider's rollouts.
   *
   * @param rollouts its {@code rollouts()}
   * @param plans its plans in force, by flag
   * @param outcomes its {@code outcomes()}
   */
  record Provider(Rollouts rollouts, Supplier<Map<String, RolloutPlan>> plans, Outcomes outcomes) {
    Provider {
      Objects.requireNonNull(rollouts, "rollouts");
      Objects.requireNonNull(plans, "plans");
      Objects.requireNonNull(outcomes, "outcomes");
    }

    boolean has(String flagKey) {
      return plans.get().containsKey(flagKey) || rollouts.state(flagKey).isPresent();
    }
  }

  private final List<Provider> providers;

  ServiceRollouts(List<Provider> providers) {
    if (providers.isEmpty()) {
      throw new IllegalArgumentException("at least one provider");
    }
    this.providers = List.copyOf(providers);
  }

  /** The provider of {@code flagKey}'s rollout, or empty when no provider has one. */
  private Optional<Provider> of(String flagKey) {
    return providers.stream().filter(p -> p.has(flagKey)).findFirst();
  }

  /** The provider of {@code flagKey}'s rollout; {@link IllegalArgumentException} naming the rollouts there are. */
  private Rollouts rolloutsOf(String flagKey) {
    return of(flagKey).orElseThrow(() -> new IllegalArgumentException("flag \"" + flagKey + "\" has no rollout; "
        + "rollouts: " + plans().keySet())).rollouts();
  }

  /** This façade, for the dashboard. */
  @Override
  public Rollouts rollouts() {
    return this;
  }

  /** The plans in force of every provider, by flag. */
  @Override
  public Map<String, RolloutPlan> plans() {
    Map<String, RolloutPlan> all = new LinkedHashMap<>();
    providers.forEach(p -> p.plans().get().forEach(all::putIfAbsent));
    return all;
  }

  /** The outcomes recorded for {@code flagKey}: its provider's (the first provider's, all zeros, for an unknown flag). */
  @Override
  public Outcomes outcomes(String flagKey) {
    return of(flagKey).orElse(providers.get(0)).outcomes();
  }

  @Override
  public Map<String, RolloutState> states() {
    Map<String, RolloutState> all = new LinkedHashMap<>();
    providers.forEach(p -> p.rollouts().states().forEach(all::putIfAbsent));
    return all;
  }

  @Override
  public Optional<RolloutState> state(String flagKey) {
    return of(flagKey).flatMap(p -> p.rollouts().state(flagKey));
  }

  /** Ticks every provider's guardian, in the order the providers were given. */
  @Override
  public List<Decision> tick() {
    List<Decision> all = new ArrayList<>();
    providers.forEach(p -> all.addAll(p.rollouts().tick()));
    return all;
  }

  @Override
  public Map<String, RolloutHealth> health() {
    Map<String, RolloutHealth> all = new LinkedHashMap<>();
    providers.forEach(p -> p.rollouts().health().forEach(all::putIfAbsent));
    return all;
  }

  @Override
  public List<Decision> recentDecisions(String flagKey) {
    return of(flagKey).map(p -> p.rollouts().recentDecisions(flagKey)).orElse(List.of());
  }

  @Override
  public Decision pause(String flagKey, String actor) {
    return rolloutsOf(flagKey).pause(flagKey, actor);
  }

  @Override
  public Decision resume(String flagKey, String actor) {
    return rolloutsOf(flagKey).resume(flagKey, actor);
  }

  @Override
  public Decision promote(String flagKey, String actor) {
    return rolloutsOf(flagKey).promote(flagKey, actor);
  }

  @Override
  public Decision rollback(String flagKey, String actor) {
    return rolloutsOf(flagKey).rollback(flagKey, actor);
  }

  @Override
  public Decision reset(String flagKey, String actor) {
    return rolloutsOf(flagKey).reset(flagKey, actor);
  }

  @Override
  public void report(String flagKey, String format, java.io.Writer out) throws java.io.IOException {
    rolloutsOf(flagKey).report(flagKey, format, out);
  }

  @Override
  public Decision overrideBudgetPolicy(String flagKey, String actor, String reason) {
    return rolloutsOf(flagKey).overrideBudgetPolicy(flagKey, actor, reason);
  }

  /** Every provider's error budgets; a service's SLOs are declared with its own flags, so names rarely overlap (the first wins). */
  @Override
  public Map<String, dev.burnguard.rollout.ErrorBudgetPolicy.Budget> errorBudgets() {
    Map<String, dev.burnguard.rollout.ErrorBudgetPolicy.Budget> all = new LinkedHashMap<>();
    providers.forEach(p -> p.rollouts().errorBudgets().forEach(all::putIfAbsent));
    return all;
  }

  @Override
  public Registration onDecision(Consumer<Decision> listener) {
    List<Registration> registrations = new ArrayList<>();
    providers.forEach(p -> registrations.add(p.rollouts().onDecision(listener)));
    return () -> registrations.forEach(Registration::close);
  }
}
