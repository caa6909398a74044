package dev.burnguard.benchmarks;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.outcome.SliRecorder;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of recording one outcome, next to the floor any in-process measurement pays: two clock
 * reads and one {@link LongAdder#increment()}. Run with {@code -t 1} and {@code -t 2}: all threads
 * record into the same (flag, variant) series, the worst case for contention, so per-thread time
 * should stay flat.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OutcomeRecordingBenchmark {
  private static final long LATENCY = Duration.ofMillis(12).toNanos();

  private final Clock clock = Clock.system();
  private final LongAdder adder = new LongAdder();
  private SliRecorder recorder;

  @Setup
  public void setUp() {
    recorder = SliRecorder.builder().clock(clock).build();
    recorder.record("checkout", "candidate", LATENCY, Outcome.SUCCESS); // the series exists before timing
  }

  /** The floor: time a call (two clock reads) and count it in a LongAdder. */
  @Benchmark
  public long floorTwoClockReadsAndLongAdder() {
    long start = clock.monotonicNanos();
    long end = clock.monotonicNanos();
    adder.increment();
    return end - start;
  }

  /** Recording alone, with a latency measured elsewhere: series lookup, stripe add, histogram run. */
  @Benchmark
  public void record() {
    recorder.record("checkout", "candidate", LATENCY, Outcome.SUCCESS);
  }

  /** What code that measures on its own pays: two clock reads and a record. */
  @Benchmark
  public void timeAndRecord() {
    long start = clock.monotonicNanos();
    long end = clock.monotonicNanos();
    recorder.record("checkout", "candidate", end - start, Outcome.SUCCESS);
  }
}
