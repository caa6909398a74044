package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.source.FlagSource;
import dev.burnguard.time.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One guardian tick over many active rollouts, each with recorded traffic for its candidate and
 * control: what the guardian thread spends every second. The clock does not move between ticks, so
 * every tick judges every rollout (baking, nothing to change): the steady state of a fleet of
 * rollouts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GuardianTickBenchmark {
  @Param({"100", "1000", "10000"})
  public int rollouts;

  private BurnguardProvider provider;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    StringBuilder json = new StringBuilder("{\"flags\": {");
    for (int i = 0; i < rollouts; i++) {
      json.append(i == 0 ? "" : ",").append("\"flag-").append(i).append("\": {\"state\": \"ENABLED\",")
          .append(" \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}");
    }
    json.append("}}");
    ManualClock clock = new ManualClock();
    RolloutPlan plan = RolloutPlan.builder("old", "new").build();
    BurnguardProvider.Builder b = BurnguardProvider.builder().source(FlagSource.inline(json.toString()))
        .clock(clock).guardianTicking(false).maxSeries(2 * rollouts);
    for (int i = 0; i < rollouts; i++) {
      b.rollout("flag-" + i, plan);
    }
    provider = b.build();
    provider.initialize(new ImmutableContext());
    for (int minute = 0; minute < 30; minute++) {
      for (int i = 0; i < rollouts; i++) {
        provider.recorder().record("flag-" + i, "new", Duration.ofMillis(20), Outcome.SUCCESS);
        provider.recorder().record("flag-" + i, "old", Duration.ofMillis(20), Outcome.SUCCESS);
      }
      clock.advance(Duration.ofSeconds(20));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    provider.shutdown();
  }

  @Benchmark
  public List<Decision> tick() {
    return provider.guardian().tick();
  }
}
