package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.Decision;
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
 * rollouts (see {@link Fleet}).
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
    provider = Fleet.guarded(rollouts);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    provider.shutdown();
  }

  @Benchmark
  public List<Decision> tick() {
    return provider.rollouts().tick();
  }
}
