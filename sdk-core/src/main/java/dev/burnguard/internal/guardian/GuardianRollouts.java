package dev.burnguard.internal.guardian;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.Rollouts;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link Rollouts} façade over a provider's guardian and rollout store: every call delegates.
 * Thread-safe because both are.
 */
public final class GuardianRollouts implements Rollouts {
  private final Guardian guardian;
  private final Supplier<RolloutStore> store;
  private final Reporter reporter;
  /** The error-budget policy at work, or null without one. */
  private final Budgets budgets;

  public GuardianRollouts(Guardian guardian, Supplier<RolloutStore> store) {
    this(guardian, store, (flagKey, format, out) -> {
      throw new UnsupportedOperationException("these rollouts make no reports");
    }, null);
  }

  /**
   * @param reporter writes a flag's rollout report (see {@link Rollouts#report})
   * @param budgets the error-budget policy the guardian reviews its decisions with; null for none
   */
  public GuardianRollouts(Guardian guardian, Supplier<RolloutStore> store, Reporter reporter, Budgets budgets) {
    this.guardian = Objects.requireNonNull(guardian, "guardian");
    this.store = Objects.requireNonNull(store, "store");
    this.reporter = Objects.requireNonNull(reporter, "reporter");
    this.budgets = budgets;
  }

  /** Writes a flag's rollout report; the report package implements it (it reads the guardian, not the other way round). */
  @FunctionalInterface
  public interface Reporter {
    void write(String flagKey, String format, java.io.Writer out) throws java.io.IOException;
  }

  /** What this façade needs of the error-budget policy (implemented in {@code internal.budget}). */
  public interface Budgets {
    Map<String, ErrorBudgetPolicy.Budget> budgets();

    /** Lets the rollout of {@code override} (a recorded OVERRIDE decision) advance once. */
    void overridden(Decision override);
  }

  @Override
  public Decision overrideBudgetPolicy(String flagKey, String actor, String reason) {
    if (budgets == null) {
      throw new IllegalStateException("no error-budget policy to override: this provider keeps no service SLOs");
    }
    Decision d = guardian.overrideBudgetPolicy(flagKey, actor, reason);
    budgets.overridden(d);
    return d;
  }

  @Override
  public Map<String, ErrorBudgetPolicy.Budget> errorBudgets() {
    return budgets == null ? Map.of() : budgets.budgets();
  }

  @Override
  public Map<String, RolloutState> states() {
    return guardian.states();
  }

  @Override
  public Optional<RolloutState> state(String flagKey) {
    return guardian.state(flagKey);
  }

  @Override
  public Map<String, RolloutHealth> health() {
    return guardian.health();
  }

  @Override
  public Optional<RolloutHealth> health(String flagKey) {
    return guardian.health(flagKey);
  }

  @Override
  public Map<String, RolloutPlan> plans() {
    return guardian.plans();
  }

  @Override
  public List<Decision> tick() {
    return guardian.tick();
  }

  @Override
  public List<Decision> recentDecisions(String flagKey) {
    return store.get().load().recentDecisions(flagKey);
  }

  @Override
  public Decision pause(String flagKey, String actor) {
    return guardian.pause(flagKey, actor);
  }

  @Override
  public Decision resume(String flagKey, String actor) {
    return guardian.resume(flagKey, actor);
  }

  @Override
  public Decision promote(String flagKey, String actor) {
    return guardian.promote(flagKey, actor);
  }

  @Override
  public Decision rollback(String flagKey, String actor) {
    return guardian.rollback(flagKey, actor);
  }

  @Override
  public Decision reset(String flagKey, String actor) {
    return guardian.reset(flagKey, actor);
  }

  @Override
  public void report(String flagKey, String format, java.io.Writer out) throws java.io.IOException {
    reporter.write(Objects.requireNonNull(flagKey, "flagKey"), Objects.requireNonNull(format, "format"),
        Objects.requireNonNull(out, "out"));
  }

  @Override
  public Registration onDecision(Consumer<Decision> listener) {
    Consumer<Decision> registered = Objects.requireNonNull(listener, "listener")::accept;
    guardian.addListener(registered);
    return () -> guardian.removeListener(registered);
  }
}
