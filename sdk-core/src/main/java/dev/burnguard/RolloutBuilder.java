package dev.burnguard;

import dev.burnguard.internal.store.FileRolloutStore;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The rollout settings both provider builders share ({@link BurnguardProvider.Builder},
 * {@link GuardedProvider.Builder}), written once: each setter validates and records its setting in
 * {@link RolloutRuntime.Options} and returns the concrete builder. Not public: users see the setters
 * on the two builders.
 *
 * <p>Conflicting settings are refused with an {@link IllegalStateException} that names both, as
 * Caffeine's builders do: a second place for rollout state ({@link #stateDirectory}, {@link
 * #rolloutStore}, {@link #inMemoryRolloutState}, {@link #fleet}) or one of them given twice with
 * another value, and a second plan for the same flag, at the second setter; at {@code build()}, a
 * {@link #guardianTick} or an {@link #executor} with {@code guardianTicking(false)}, and a plan
 * given in code whose latency threshold is not one of the {@link #latencyThresholds}. Tuning values
 * given twice (clock, thresholds, tick, ticking, retention, series, init timeout) are not
 * conflicts: the last one wins.
 *
 * @param <B> the concrete builder
 */
abstract class RolloutBuilder<B extends RolloutBuilder<B>> {
  /** The rollout settings, handed to the provider's {@link RolloutRuntime}. */
  final RolloutRuntime.Options options = new RolloutRuntime.Options();
  /** The plans given in code, by flag. */
  final Map<String, RolloutPlan> plans = new LinkedHashMap<>();
  Duration initTimeout = Duration.ofSeconds(10);

  RolloutBuilder() {}

  /** This builder, as its concrete type. */
  abstract B self();

  /** The cross-field checks of {@code build()}; see the class comment. */
  final void check() {
    options.check(plans);
  }

  /**
   * Guards flag {@code flagKey}'s rollout of {@code plan.candidate()} in place of {@code
   * plan.control()} (for a {@link GuardedProvider}: the delegate's variant names). A plan given in
   * code takes precedence over one read from a file for the same flag.
   */
  public B rollout(String flagKey, RolloutPlan plan) {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(plan, "plan");
    RolloutPlan given = plans.get(flagKey);
    if (given != null) {
      throw new IllegalStateException("rollout(\"" + flagKey + "\", ...) was already set to " + given.candidate()
          + " against " + given.control() + "; got " + plan.candidate() + " against " + plan.control());
    }
    plans.put(flagKey, plan);
    return self();
  }

  /**
   * Latency thresholds (0 to 3, all different) that the provider's recorder ({@code outcomes()})
   * counts slow calls against; default 300 ms. A rollout plan's latency objective must use one of
   * them, or it could never be judged on latency: a plan given in code with another threshold is
   * refused by {@code build()}, a flag file's is an invalid flag (its problem names the JSON path of
   * the threshold).
   */
  public B latencyThresholds(Duration... thresholds) {
    options.latencyThresholds(thresholds);
    return self();
  }

  /** The most (flag, variant) series the recorder keeps; default 10,000. */
  public B maxSeries(int maxSeries) {
    options.maxSeries(maxSeries);
    return self();
  }

  /**
   * Persists rollout states and decisions in {@code directory} with a {@link FileRolloutStore}
   * (opened by the provider's {@code initialize}, which fails if it cannot), so that a restart
   * restores every rollout exactly and a rolled-back flag stays rolled back. Without it (and
   * without {@link #rolloutStore} or {@link #inMemoryRolloutState}) the state is kept in the
   * {@linkplain BurnguardProvider#DEFAULT_STATE_DIRECTORY default directory}. Choose one of the
   * four places (with {@link #fleet}): a second one is refused, naming both.
   */
  public B stateDirectory(Path directory) {
    options.stateDirectory(directory);
    return self();
  }

  /**
   * Runs this provider as one replica of a fleet sharing one rollout state, one decision per
   * version and fleet-wide SLI windows, e.g. {@code fleet(RedisFleet.builder(uri).service("checkout")
   * .build())} from {@code burnguard-redis}; see {@link Fleet}. The fleet's store keeps the rollout
   * state: do not also set {@link #stateDirectory}, {@link #rolloutStore} or
   * {@link #inMemoryRolloutState}.
   */
  public B fleet(Fleet fleet) {
    options.fleet(fleet);
    return self();
  }

  /** Keeps rollout states and decisions in {@code store} instead; see {@link #stateDirectory}. */
  public B rolloutStore(RolloutStore store) {
    options.rolloutStore(store);
    return self();
  }

  /**
   * Keeps rollout states and decisions in memory only: a restart starts every rollout over and may
   * re-expose users to a rolled-back candidate. For tests and for services that accept that; the
   * provider warns (log, its {@code health()}, a STALE event) once a rollout is guarded.
   */
  public B inMemoryRolloutState() {
    options.inMemoryRolloutState();
    return self();
  }

  /**
   * How long the state of a flag whose rollout plan disappeared from the flags is kept in case
   * the plan returns (a rolled-back flag that comes back stays rolled back); default 30 days.
   */
  public B removedRolloutRetention(Duration retention) {
    options.removedRolloutRetention(retention);
    return self();
  }

  /**
   * How often the guardian judges the rollouts; default 1 s, at least 10 ms. Conflicts with
   * {@code guardianTicking(false)}.
   */
  public B guardianTick(Duration tick) {
    options.guardianTick(tick);
    return self();
  }

  /**
   * Whether the provider ticks its guardian on a timer (the default). Off, the guardian decides
   * only when {@link Rollouts#tick()} is called: for simulations and tests on a ManualClock.
   */
  public B guardianTicking(boolean ticking) {
    options.guardianTicking(ticking);
    return self();
  }

  /**
   * Runs the provider's background work (the guardian's tick, every {@link #guardianTick}) on
   * {@code executor} instead of a daemon thread of the provider's own, as Caffeine's {@code
   * executor(...)} does. The provider schedules one periodic task on it, cancels that task on
   * {@code shutdown()}, and never shuts the executor down: it stays the caller's. The task must not
   * wait behind long-running work: a tick that starts late judges late. Conflicts with {@code
   * guardianTicking(false)}. The flag sources and a fleet keep their own threads.
   */
  public B executor(ScheduledExecutorService executor) {
    options.executor(executor);
    return self();
  }

  /** The clock for timestamps, windows and {@code $flagd.timestamp}; inject a ManualClock in tests. */
  public B clock(Clock clock) {
    options.clock(clock);
    return self();
  }

  /**
   * How long the provider's {@code initialize} waits for the first load of its flags (a
   * {@link GuardedProvider}: of its plans file); positive, default 10 s.
   */
  public B initTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "initTimeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("initTimeout must be positive, got " + timeout);
    }
    this.initTimeout = timeout;
    return self();
  }
}
