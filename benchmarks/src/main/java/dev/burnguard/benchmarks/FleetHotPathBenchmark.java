package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Guard;
import dev.burnguard.redis.RedisFleet;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.source.FlagSource;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Evaluation and guard cost with fleet mode off and on (issue 14): the same guarded flag under the
 * default rollout plan, on a provider with its own in-memory state ({@code fleet=off}) or joined to a
 * {@link RedisFleet} on a local {@code redis-server} started at setup ({@code fleet=on}), guardian
 * ticking every second in both (so fleet mode's pushes, lease and reads run in the background during
 * the measurement). Evaluation and recording never touch Redis, so both should cost the same and
 * allocate nothing: compare ns/op and {@code gc.alloc.rate.norm} between the two parameter values of
 * one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FleetHotPathBenchmark {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\"}}}";
  private static final Guard.Branch<Object, RuntimeException> EMPTY = () -> null;

  @Param({"off", "on"})
  public String fleet;

  private final EvaluationContext[] users = new EvaluationContext[64];
  private int next;
  private LocalRedis redis;
  private BurnguardProvider provider;
  private Guard guard;

  @Setup
  public void setUp() throws Exception {
    for (int i = 0; i < users.length; i++) {
      users[i] = new ImmutableContext("user-" + i);
    }
    BurnguardProvider.Builder b = BurnguardProvider.builder().source(FlagSource.inline(FLAGS))
        .clock(Clock.system()).rollout("checkout", RolloutPlan.builder("old", "new").build());
    if (fleet.equals("on")) {
      redis = LocalRedis.start();
      b.fleet(RedisFleet.builder(redis.uri()).service("bench-service").instanceId("bench").build());
    } else if (fleet.equals("off")) {
      b.inMemoryRolloutState();
    } else {
      throw new IllegalArgumentException("fleet must be off or on, got " + fleet);
    }
    provider = b.build();
    provider.initialize(users[0]);
    guard = provider.guard().build();
  }

  @TearDown
  public void tearDown() {
    provider.shutdown();
    if (redis != null) {
      redis.close();
    }
  }

  private EvaluationContext user() {
    return users[next++ & (users.length - 1)];
  }

  /** Provider-direct evaluation of the guarded flag: resolve, exposure gate. */
  @Benchmark
  public ProviderEvaluation<Boolean> evaluate() {
    return provider.getBooleanEvaluation("checkout", false, user());
  }

  /** guard.call around an empty branch: evaluate the guarded flag, time the branch, record the outcome. */
  @Benchmark
  public Object guardCall() {
    return guard.call("checkout", user(), EMPTY, EMPTY);
  }
}
