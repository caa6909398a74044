package dev.burnguard.internal.guardian;

import dev.burnguard.internal.report.RolloutReport;
import dev.burnguard.outcome.LatencyDistribution;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutHealth;
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
  private final dev.burnguard.time.Clock clock;
  private final java.util.function.BiFunction<String, String, LatencyDistribution> latency;

  public GuardianRollouts(Guardian guardian, Supplier<RolloutStore> store) {
    this(guardian, store, dev.burnguard.time.Clock.system(), (flag, variant) -> null);
  }

  /**
   * @param clock the provider's clock, for the reports' time
   * @param latency a variant's latency distribution by (flag, variant), for the reports; null when unknown
   */
  public GuardianRollouts(Guardian guardian, Supplier<RolloutStore> store, dev.burnguard.time.Clock clock,
      java.util.function.BiFunction<String, String, LatencyDistribution> latency) {
    this.guardian = Objects.requireNonNull(guardian, "guardian");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.latency = Objects.requireNonNull(latency, "latency");
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
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(out, "out");
    String f = RolloutReport.normalizedFormat(format);
    RolloutState state = guardian.state(flagKey).orElse(guardian.retainedStates().get(flagKey));
    List<Decision> decisions = store.get().decisions(flagKey, Integer.MAX_VALUE);
    if (state == null && decisions.isEmpty()) {
      throw new IllegalArgumentException("flag \"" + flagKey + "\" has no rollout; rollouts: "
          + guardian.states().keySet());
    }
    RolloutPlan plan = guardian.plans().get(flagKey);
    Map<String, LatencyDistribution> latencies = new java.util.HashMap<>();
    if (plan != null) {
      for (String variant : List.of(plan.candidate(), plan.control())) {
        LatencyDistribution d = latency.apply(flagKey, variant);
        if (d != null) {
          latencies.put(variant, d);
        }
      }
    }
    RolloutReport.of(flagKey, java.time.Instant.ofEpochMilli(clock.wallMillis()), plan, state, decisions,
        guardian.stageCounts(flagKey), latencies).write(f, out);
  }

  @Override
  public Registration onDecision(Consumer<Decision> listener) {
    Consumer<Decision> registered = Objects.requireNonNull(listener, "listener")::accept;
    guardian.addListener(registered);
    return () -> guardian.removeListener(registered);
  }
}
