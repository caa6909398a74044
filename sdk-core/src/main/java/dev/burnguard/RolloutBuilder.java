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

/**
 * The rollout settings both provider builders share ({@link BurnguardProvider.Builder},
 * {@link GuardedProvider.Builder}), written once: each setter validates and records its setting in
 * {@link RolloutRuntime.Options} and returns the concrete builder. Not public: users see the setters
 * on the two builders.
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

  /**
   * Guards flag {@code flagKey}'s rollout of {@code plan.candidate()} in place of {@code
   * plan.control()} (for a {@link GuardedProvider}: the delegate's variant names). A plan given in
   * code takes precedence over one read from a file for the same flag.
   */
  public B rollout(String flagKey, RolloutPlan plan) {
    plans.put(Objects.requireNonNull(flagKey, "flagKey"), Objects.requireNonNull(plan, "plan"));
    return self();
  }

  /**
   * Latency thresholds (0 to 3) that the provider's recorder ({@code outcomes()}) counts slow calls
   * against; default 300 ms.
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
   * {@linkplain BurnguardProvider#DEFAULT_STATE_DIRECTORY default directory}. Choose one of the three.
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

  /** How often the guardian judges the rollouts; default 1 s, at least 10 ms. */
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
