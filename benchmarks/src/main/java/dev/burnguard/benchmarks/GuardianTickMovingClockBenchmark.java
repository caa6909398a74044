package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.Decision;
import dev.burnguard.testing.ManualClock;
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
 * {@link GuardianTickBenchmark} with the clock one second further at every tick, as a guardian
 * ticking every second sees it: windows slide, 10-second batches of sequential evidence complete
 * (one in ten ticks), the recorder's windows of a flag are read at a new second each tick. Not part
 * of {@code run.sh}; what a moving clock adds to the frozen-clock steady state.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GuardianTickMovingClockBenchmark {
  @Param({"10000"})
  public int rollouts;

  private final ManualClock clock = new ManualClock();
  private BurnguardProvider provider;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    provider = Fleet.guarded(rollouts, clock);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    provider.shutdown();
  }

  @Benchmark
  public List<Decision> tick() {
    clock.advance(Duration.ofSeconds(1));
    return provider.rollouts().tick();
  }
}
