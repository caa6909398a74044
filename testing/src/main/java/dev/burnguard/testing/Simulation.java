package dev.burnguard.testing;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.GuardedProvider;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.outcome.Outcomes.LatencyDistribution;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Drives a real {@link BurnguardProvider} and its guardian with synthetic traffic on a
 * {@link ManualClock}, and returns the decision timeline: how users tune a rollout plan before
 * production, and how Burnguard's own scenario tests run hours or days of traffic in seconds.
 *
 * <pre>{@code
 * SimulationResult r = Simulation.builder(flagsJson, "new-checkout", plan)
 *     .requestsPerSecond(100)
 *     .behavior("new", VariantBehavior.errors(0.0005))
 *     .behavior("old", VariantBehavior.errors(0.0005))
 *     .at(Duration.ofHours(2), "new", VariantBehavior.errors(0.02))   // a regression appears
 *     .seed(42)
 *     .run(Duration.ofHours(4));
 * r.first(DecisionAction.ROLLBACK).map(Decision::at);
 * }</pre>
 *
 * <p>Each second of simulated time: the requests of that second each pick a user (a targeting
 * key from a fixed pool), are served the variant the flag and its rollout gate assign (an
 * evaluation, which the gate counts), fail with the variant's error probability, take a latency
 * from its distribution, and are recorded as a guard would record them unless the variant
 * {@linkplain VariantBehavior#dropsOutcomes drops} that call's outcome; then the clock moves on and the guardian ticks as configured.
 * Deterministic for a given seed. Not thread-safe; one simulation per thread.
 */
public final class Simulation {
  private final String flagsJson;
  private final FeatureProvider delegate;
  private final boolean stringFlag;
  private final String flagKey;
  private final RolloutPlan plan;
  private final double requestsPerSecond;
  private final int users;
  private final long seed;
  private final Duration tick;
  private final Duration[] latencyThresholds;
  private final Map<String, VariantBehavior> behaviors;
  private final TreeMap<Long, Map<String, VariantBehavior>> phases;
  private final Duration prefill;
  private final Duration restartAt;
  private final boolean recordHealth;

  private Simulation(Builder b) {
    this.flagsJson = b.flagsJson;
    this.delegate = b.delegate;
    this.stringFlag = b.stringFlag;
    this.flagKey = b.flagKey;
    this.plan = b.plan;
    this.requestsPerSecond = b.requestsPerSecond;
    this.users = b.users;
    this.seed = b.seed;
    this.tick = b.tick;
    this.latencyThresholds = b.latencyThresholds;
    this.behaviors = Map.copyOf(b.behaviors);
    this.phases = new TreeMap<>(b.phases);
    this.prefill = b.prefill;
    this.restartAt = b.restartAt;
    this.recordHealth = b.recordHealth;
  }

  /** A simulation of {@code flagKey} (defined in {@code flagsJson}) rolled out under {@code plan}. */
  public static Builder builder(String flagsJson, String flagKey, RolloutPlan plan) {
    return new Builder(Objects.requireNonNull(flagsJson, "flagsJson"), null, flagKey, plan);
  }

  /**
   * A simulation of {@code flagKey} served by {@code delegate} (any OpenFeature provider, not yet
   * initialized; the simulation initializes and shuts it down) and guarded by a {@link
   * GuardedProvider} under {@code plan}.
   */
  public static Builder guarding(FeatureProvider delegate, String flagKey, RolloutPlan plan) {
    return new Builder(null, Objects.requireNonNull(delegate, "delegate"), flagKey, plan);
  }

  /**
   * Runs {@code duration} of simulated time (after the {@linkplain Builder#prefill pre-fill}) and
   * returns what the guardian decided.
   */
  public SimulationResult run(Duration duration) {
    ManualClock clock = new ManualClock();
    java.nio.file.Path stateDirectory = null;
    try {
      if (restartAt != null) {
        stateDirectory = java.nio.file.Files.createTempDirectory("burnguard-simulation");
      }
      return run(duration, clock, stateDirectory);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create the simulation's state directory", e);
    } finally {
      if (stateDirectory != null) {
        deleteQuietly(stateDirectory);
      }
    }
  }

  private SimulationResult run(Duration duration, ManualClock clock, java.nio.file.Path stateDirectory) {
    Random random = new Random(seed);
    EvaluationContext[] contexts = new EvaluationContext[users];
    for (int i = 0; i < users; i++) {
      contexts[i] = new ImmutableContext("user-" + Long.toHexString(random.nextLong()));
    }
    Served provider = served(clock, stateDirectory);
    Map<String, VariantBehavior> current = new HashMap<>(behaviors);
    List<Decision> decisions = new ArrayList<>();
    List<RolloutHealth> health = new ArrayList<>();
    start(provider, decisions);
    prefill(provider, clock, random, current);
    Instant start = clock.now();
    long tickNanos = tick.toNanos();
    long seconds = duration.toSeconds();
    long restartSecond = restartAt == null ? -1 : restartAt.toSeconds();
    double owed = 0;
    long requests = 0;
    long sinceTick = 0;
    for (long second = 0; second < seconds; second++) {
      if (second == restartSecond) {
        provider.shutdown();
        provider = served(clock, stateDirectory);
        start(provider, decisions);
      }
      Map<String, VariantBehavior> change = phases.get(second);
      if (change != null) {
        current.putAll(change);
      }
      owed += requestsPerSecond;
      int now = (int) owed;
      owed -= now;
      long end = clock.monotonicNanos();
      for (int r = 0; r < now; r++) {
        EvaluationContext ctx = contexts[random.nextInt(users)];
        String variant = provider.variant(ctx);
        VariantBehavior behavior = variant == null ? null : current.get(variant);
        if (behavior == null) {
          continue;
        }
        boolean failed = behavior.fails(random);
        long latency = behavior.latencyNanos(random);
        requests++;
        if (behavior.drops(random)) {
          continue; // served, never recorded
        }
        provider.outcomes().recordCall(flagKey, variant, end - latency, end, failed ? Outcome.ERROR : Outcome.SUCCESS);
      }
      clock.advance(Duration.ofSeconds(1));
      sinceTick += 1_000_000_000L;
      if (sinceTick >= tickNanos) {
        sinceTick = 0;
        provider.rollouts().tick();
        if (recordHealth) {
          provider.rollouts().health(flagKey).ifPresent(health::add);
        }
      }
    }
    RolloutState end = provider.rollouts().state(flagKey).orElse(null);
    RolloutHealth last = provider.rollouts().health(flagKey).orElse(null);
    Map<String, LatencyDistribution> latencies = new HashMap<>();
    for (String variant : List.of(plan.candidate(), plan.control())) {
      latencies.put(variant, provider.outcomes().latency(flagKey, variant));
    }
    provider.shutdown();
    return new SimulationResult(start, decisions, end, requests, health, last, latencies);
  }

  private static void start(Served provider, List<Decision> decisions) {
    provider.rollouts().onDecision(decisions::add);
    try {
      provider.initialize();
    } catch (Exception e) {
      throw new IllegalArgumentException("the simulated flags do not load: " + e.getMessage(), e);
    }
  }

  /**
   * Records the pre-fill's traffic once the rollout has started, before the run proper: at the run's
   * rate, each request on the candidate with the first stage's exposure, else on the control,
   * behaving as configured from the start; the guardian does not tick meanwhile.
   */
  private void prefill(Served provider, ManualClock clock, Random random, Map<String, VariantBehavior> current) {
    double exposure = plan.stages().get(0).exposure();
    double owed = 0;
    for (long second = 0; second < prefill.toSeconds(); second++) {
      owed += requestsPerSecond;
      int now = (int) owed;
      owed -= now;
      long end = clock.monotonicNanos();
      for (int r = 0; r < now; r++) {
        String variant = random.nextDouble() < exposure ? plan.candidate() : plan.control();
        VariantBehavior behavior = current.get(variant);
        if (behavior != null && !behavior.drops(random)) {
          long latency = behavior.latencyNanos(random);
          provider.outcomes().recordCall(flagKey, variant, end - latency, end,
              behavior.fails(random) ? Outcome.ERROR : Outcome.SUCCESS);
        }
      }
      clock.advance(Duration.ofSeconds(1));
    }
  }

  private Served served(ManualClock clock, java.nio.file.Path stateDirectory) {
    return delegate != null ? guarded(clock, stateDirectory) : ownProvider(clock, stateDirectory);
  }

  /**
   * The provider a simulation drives — Burnguard's own, or a guard around a delegate — with its
   * rollouts, its outcomes and how it serves the simulated flag.
   */
  private record Served(FeatureProvider provider, Rollouts rollouts, Outcomes outcomes,
      Function<EvaluationContext, String> variant) {
    void initialize() throws Exception {
      provider.initialize(new ImmutableContext());
    }

    /** The variant served to {@code ctx}, or null. */
    String variant(EvaluationContext ctx) {
      return variant.apply(ctx);
    }

    void shutdown() {
      provider.shutdown();
    }
  }

  private Served ownProvider(ManualClock clock, java.nio.file.Path stateDirectory) {
    BurnguardProvider.Builder b = BurnguardProvider.builder()
        .source(FlagSource.inline(flagsJson))
        .clock(clock)
        .latencyThresholds(latencyThresholds)
        .rollout(flagKey, plan)
        .guardianTicking(false);
    // a simulation starts afresh every run; one that restarts keeps its state in a directory of its own
    BurnguardProvider provider = stateDirectory == null ? b.inMemoryRolloutState().build()
        : b.stateDirectory(stateDirectory).build();
    return new Served(provider, provider.rollouts(), provider.outcomes(),
        ctx -> provider.flagSet().orElseThrow().servedVariant(flagKey, ctx));
  }

  private Served guarded(ManualClock clock, java.nio.file.Path stateDirectory) {
    GuardedProvider.Builder b = GuardedProvider.builder(delegate)
        .clock(clock)
        .latencyThresholds(latencyThresholds)
        .rollout(flagKey, plan)
        .guardianTicking(false);
    GuardedProvider provider = stateDirectory == null ? b.inMemoryRolloutState().build()
        : b.stateDirectory(stateDirectory).build();
    return new Served(provider, provider.rollouts(), provider.outcomes(),
        ctx -> stringFlag ? provider.getStringEvaluation(flagKey, "", ctx).getVariant()
            : provider.getBooleanEvaluation(flagKey, false, ctx).getVariant());
  }

  private static void deleteQuietly(java.nio.file.Path dir) {
    try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  /** Builds a {@link Simulation}. Defaults: 100 requests/s, 100,000 users, seed 1, a 1 s tick, one 300 ms latency threshold. */
  public static final class Builder {
    private final String flagsJson;
    private final FeatureProvider delegate;
    private boolean stringFlag;
    private final String flagKey;
    private final RolloutPlan plan;
    private double requestsPerSecond = 100;
    private int users = 100_000;
    private long seed = 1;
    private Duration tick = Duration.ofSeconds(1);
    private Duration[] latencyThresholds = {Duration.ofMillis(300)};
    private final Map<String, VariantBehavior> behaviors = new HashMap<>();
    private final Map<Long, Map<String, VariantBehavior>> phases = new HashMap<>();
    private Duration prefill = Duration.ZERO;
    private Duration restartAt;
    private boolean recordHealth;

    private Builder(String flagsJson, FeatureProvider delegate, String flagKey, RolloutPlan plan) {
      this.flagsJson = flagsJson;
      this.delegate = delegate;
      this.flagKey = Objects.requireNonNull(flagKey, "flagKey");
      this.plan = Objects.requireNonNull(plan, "plan");
    }

    /** Requests per second of simulated time, over all variants; positive (fractions accumulate). */
    public Builder requestsPerSecond(double rate) {
      if (!(rate > 0)) {
        throw new IllegalArgumentException("requestsPerSecond must be positive, got " + rate);
      }
      this.requestsPerSecond = rate;
      return this;
    }

    /** How many distinct users (targeting keys) send the requests. */
    public Builder users(int users) {
      if (users < 1) {
        throw new IllegalArgumentException("users must be at least 1, got " + users);
      }
      this.users = users;
      return this;
    }

    /** For {@link Simulation#guarding}: the delegate's flag is a string flag (default: boolean). */
    public Builder stringFlag() {
      if (delegate == null) {
        throw new IllegalStateException("stringFlag() is for a simulation guarding a delegate");
      }
      this.stringFlag = true;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** How often the guardian ticks, in whole seconds of simulated time (default 1 s). */
    public Builder tick(Duration tick) {
      if (tick.toSeconds() < 1 || tick.toNanosPart() != 0) {
        throw new IllegalArgumentException("tick must be a whole number of seconds, got " + tick);
      }
      this.tick = tick;
      return this;
    }

    /** The recorder's latency thresholds; a plan's latency SLO threshold must be one of them. */
    public Builder latencyThresholds(Duration... thresholds) {
      this.latencyThresholds = thresholds.clone();
      return this;
    }

    /** How calls served by {@code variant} behave from the start. */
    public Builder behavior(String variant, VariantBehavior behavior) {
      behaviors.put(Objects.requireNonNull(variant, "variant"), Objects.requireNonNull(behavior, "behavior"));
      return this;
    }

    /** From {@code after} the start on, calls served by {@code variant} behave as {@code behavior}. */
    public Builder at(Duration after, String variant, VariantBehavior behavior) {
      phases.computeIfAbsent(after.toSeconds(), k -> new HashMap<>()).put(variant, behavior);
      return this;
    }

    /**
     * Before the run proper, {@code duration} of traffic at the same rate, split by the first stage's
     * exposure and behaving as configured from the start, fills the recorder's windows while the
     * guardian does not tick: the rollout has started (its first stage's bake time runs, its
     * sequential tests count these calls), and the result's times count from the end of the
     * pre-fill. Default none.
     */
    public Builder prefill(Duration duration) {
      if (duration.isNegative() || duration.compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException("prefill must be between 0 and 30 days, got " + duration);
      }
      this.prefill = duration;
      return this;
    }

    /**
     * At {@code after} the start, the provider shuts down and a new one starts on the same rollout
     * state (a directory of the run's own): the recorded windows are lost, as in a real restart, and
     * the rollout continues from its stored state.
     */
    public Builder restartAt(Duration after) {
      if (after.isNegative() || after.isZero()) {
        throw new IllegalArgumentException("restartAt must be positive, got " + after);
      }
      this.restartAt = after;
      return this;
    }

    /** Keep the guardian's {@link RolloutHealth} of every tick in the result (memory grows with the ticks). */
    public Builder recordHealth(boolean record) {
      this.recordHealth = record;
      return this;
    }

    public Simulation build() {
      return new Simulation(this);
    }

    /** Builds and runs; see {@link Simulation#run}. */
    public SimulationResult run(Duration duration) {
      return build().run(duration);
    }
  }

  /**
   * What a simulation produced: every decision the guardian published, in order, the final state,
   * the number of requests, the guardian's {@link RolloutHealth} of every tick (when
   * {@linkplain Builder#recordHealth recorded}) and of the last one — window counts, burn rates and
   * every rule check with its statistic and threshold — and each variant's latency distribution over
   * the run (since the last restart).
   */
  public record SimulationResult(Instant start, List<Decision> decisions, RolloutState finalState, long requests,
      List<RolloutHealth> ticks, RolloutHealth finalHealth, Map<String, LatencyDistribution> latency) {
    public SimulationResult {
      decisions = List.copyOf(decisions);
      ticks = List.copyOf(ticks);
      latency = Map.copyOf(latency);
    }

    /** The first decision with {@code action}. */
    public Optional<Decision> first(DecisionAction action) {
      return decisions.stream().filter(d -> d.action() == action).findFirst();
    }

    /** Time from the start to the first decision with {@code action}. */
    public Optional<Duration> timeTo(DecisionAction action) {
      return first(action).map(d -> Duration.between(start, d.at()));
    }

    /** Whether any decision shrank or rolled back the candidate. */
    public boolean everShrankOrRolledBack() {
      return decisions.stream().anyMatch(d -> d.action() == DecisionAction.SHRINK || d.action() == DecisionAction.ROLLBACK);
    }
  }
}
