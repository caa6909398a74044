package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Guard;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.source.FlagSource;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.MutableContext;
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
 * The cost of recording one outcome and of guarding an empty code path, next to the floor any
 * in-process measurement pays: two clock reads and one {@link LongAdder#increment()}. Run with
 * {@code -t 1} and {@code -t 2}: all threads record into the same (flag, variant) series, the worst
 * case for contention, so per-thread time should stay flat.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OutcomeRecordingBenchmark {
  private static final long LATENCY = Duration.ofMillis(12).toNanos();

  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"candidate\": true, \"control\": false}, \"defaultVariant\": \"candidate\"}}}";
  private static final Guard.Branch<Object, RuntimeException> EMPTY = () -> null;

  private final Clock clock = Clock.system();
  private final LongAdder adder = new LongAdder();
  private final EvaluationContext context = new MutableContext("user-1");
  private SliRecorder recorder;
  private BurnguardProvider provider;
  private Guard guard;

  @Setup
  public void setUp() throws Exception {
    recorder = SliRecorder.builder().clock(clock).build();
    recorder.record("checkout", "candidate", LATENCY, Outcome.SUCCESS); // the series exists before timing
    // two journey SLOs over "checkout": availability and "95 % within 10 ms" (each recorded call is slow for it)
    recorder.journeys().declare(ErrorBudgetPolicy.builder()
        .slo(new ErrorBudgetPolicy.ServiceSlo("checkout", "checkout", 0.999, null,
            ErrorBudgetPolicy.Period.rolling(Duration.ofDays(28))))
        .slo(new ErrorBudgetPolicy.ServiceSlo("checkout-p95", "checkout", 0.95, Duration.ofMillis(10),
            ErrorBudgetPolicy.Period.calendarMonth()))
        .build());
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock).build();
    provider.initialize(context);
    guard = provider.guard().build();
  }

  /** guard.call around an empty branch: evaluate a static flag, time the branch, record the outcome. */
  @Benchmark
  public Object guardCall() {
    return guard.call("checkout", context, EMPTY, EMPTY);
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

  /**
   * A journey outcome for the error-budget policy: the journey's lookup, a clock read for the hour,
   * and for each of its two SLOs a compare-and-set on the hour's calls (and one on its bad calls).
   */
  @Benchmark
  public void recordJourney() {
    recorder.recordJourney("checkout", LATENCY, Outcome.SUCCESS);
  }

  /** What code that measures on its own pays: two clock reads and a record. */
  @Benchmark
  public void timeAndRecord() {
    long start = clock.monotonicNanos();
    long end = clock.monotonicNanos();
    recorder.record("checkout", "candidate", end - start, Outcome.SUCCESS);
  }
}
