package dev.burnguard.testing;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.GuardedProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.DecisionAction;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
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
 * key from a fixed pool), are served the variant the flag and its rollout gate assign, fail with
 * the variant's error probability and take a latency from its distribution, and are recorded as a
 * guard would record them; then the clock moves on and the guardian ticks as configured.
 * Deterministic for a given seed. Not thread-safe; one simulation per thread.
 *
 * <p>{@link #guarding} simulates a flag served by another OpenFeature provider instead: the
 * delegate, wrapped in a {@link GuardedProvider} on the simulation's clock, resolves every request
 * (as a boolean flag, or a string flag with {@link Builder#stringFlag()}), and the variant the
 * wrapper serves is the one whose behaviour applies.
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

  /** Runs {@code duration} of simulated time and returns what the guardian decided. */
  public SimulationResult run(Duration duration) {
    ManualClock clock = new ManualClock();
    Instant start = clock.now();
    Served served = delegate != null ? guarded(clock) : ownProvider(clock);
    List<Decision> decisions = new ArrayList<>();
    served.guardian().addListener(decisions::add);
    try {
      served.initialize();
    } catch (Exception e) {
      throw new IllegalArgumentException("the simulated flags do not load: " + e.getMessage(), e);
    }
    Random random = new Random(seed);
    EvaluationContext[] contexts = new EvaluationContext[users];
    for (int i = 0; i < users; i++) {
      contexts[i] = new ImmutableContext("user-" + Long.toHexString(random.nextLong()));
    }
    Map<String, VariantBehavior> current = new HashMap<>(behaviors);
    long tickNanos = tick.toNanos();
    long seconds = duration.toSeconds();
    double owed = 0;
    long requests = 0;
    long sinceTick = 0;
    for (long second = 0; second < seconds; second++) {
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
        String variant = served.variant(ctx);
        VariantBehavior behavior = variant == null ? null : current.get(variant);
        if (behavior == null) {
          continue;
        }
        boolean failed = behavior.fails(random);
        long latency = behavior.latencyNanos(random);
        served.recorder().recordCall(flagKey, variant, end - latency, end, failed ? Outcome.ERROR : Outcome.SUCCESS);
        requests++;
      }
      clock.advance(Duration.ofSeconds(1));
      sinceTick += 1_000_000_000L;
      if (sinceTick >= tickNanos) {
        sinceTick = 0;
        served.guardian().tick();
      }
    }
    RolloutState end = served.guardian().state(flagKey).orElse(null);
    served.shutdown();
    return new SimulationResult(start, decisions, end, requests);
  }

  /** The provider a simulation drives: Burnguard's own, or a guard around a delegate. */
  private interface Served {
    void initialize() throws Exception;

    Guardian guardian();

    SliRecorder recorder();

    /** The variant served to {@code ctx}, or null. */
    String variant(EvaluationContext ctx);

    void shutdown();
  }

  private Served ownProvider(ManualClock clock) {
    BurnguardProvider provider = BurnguardProvider.builder()
        .source(FlagSource.inline(flagsJson))
        .clock(clock)
        .latencyThresholds(latencyThresholds)
        .rollout(flagKey, plan)
        .guardianTicking(false)
        .inMemoryRolloutState() // a simulation starts afresh every run
        .build();
    return new Served() {
      @Override
      public void initialize() throws Exception {
        provider.initialize(new ImmutableContext());
      }

      @Override
      public Guardian guardian() {
        return provider.guardian();
      }

      @Override
      public SliRecorder recorder() {
        return provider.recorder();
      }

      @Override
      public String variant(EvaluationContext ctx) {
        FlagSet flags = provider.flagSet().orElseThrow();
        return flags.assignedVariant(flagKey, ctx);
      }

      @Override
      public void shutdown() {
        provider.shutdown();
      }
    };
  }

  private Served guarded(ManualClock clock) {
    GuardedProvider provider = GuardedProvider.builder(delegate)
        .clock(clock)
        .latencyThresholds(latencyThresholds)
        .rollout(flagKey, plan)
        .guardianTicking(false)
        .inMemoryRolloutState() // a simulation starts afresh every run
        .build();
    return new Served() {
      @Override
      public void initialize() throws Exception {
        provider.initialize(new ImmutableContext());
      }

      @Override
      public Guardian guardian() {
        return provider.guardian();
      }

      @Override
      public SliRecorder recorder() {
        return provider.recorder();
      }

      @Override
      public String variant(EvaluationContext ctx) {
        return stringFlag ? provider.getStringEvaluation(flagKey, "", ctx).getVariant()
            : provider.getBooleanEvaluation(flagKey, false, ctx).getVariant();
      }

      @Override
      public void shutdown() {
        provider.shutdown();
      }
    };
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

    public Simulation build() {
      return new Simulation(this);
    }

    /** Builds and runs; see {@link Simulation#run}. */
    public SimulationResult run(Duration duration) {
      return build().run(duration);
    }
  }

  /**
   * What a simulation produced: every decision the guardian published, in order, the final state
   * and the number of requests.
   */
  public record SimulationResult(Instant start, List<Decision> decisions, RolloutState finalState, long requests) {
    public SimulationResult {
      decisions = List.copyOf(decisions);
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
