package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.source.FlagSource;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Burnguard's own provider evaluating a flag under rollout at 50 % whose targeting assigns everyone
 * the candidate: every evaluation goes through the exposure gate, which admits half the contexts and
 * holds back the other half, and counts each evaluation for its arm (the sample-ratio test's served
 * counts). Run with {@code -prof gc} (and {@code -t} several threads: the counts are striped) to
 * check that gate and counting allocate nothing: {@code gc.alloc.rate.norm} must be 0 B/op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RolloutGateBenchmark {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";

  private final EvaluationContext[] users = new EvaluationContext[1024];
  private BurnguardProvider provider;

  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Setup
  public void setUp() throws Exception {
    for (int i = 0; i < users.length; i++) {
      users[i] = new ImmutableContext("user-" + i);
    }
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(Clock.system())
        .rollout("checkout", RolloutPlan.builder("old", "new")
            .stages(List.of(new Stage(50, Duration.ofDays(1), 0), new Stage(100, Duration.ofDays(1), 0))).build())
        .inMemoryRolloutState().build();
    provider.initialize(users[0]);
  }

  @TearDown
  public void tearDown() {
    provider.shutdown();
  }

  /** Evaluation of the guarded flag: resolve, gate (admit or hold back), count the arm served. */
  @Benchmark
  public ProviderEvaluation<Boolean> evaluateGuarded(Cursor cursor) {
    return provider.getBooleanEvaluation("checkout", false, users[cursor.next++ & (users.length - 1)]);
  }
}
