package dev.burnguard.outcome;

import dev.burnguard.internal.recorder.SliRecorder;

import dev.burnguard.ReliabilityScale;
import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.TreeMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of the SLI recorder's windows while the clock crosses bucket
 * boundaries: one thread records and moves the clock, others read windows, and every execution must
 * be linearizable with respect to {@link ExactCounts}, a map of exact counts per second. That is what
 * the recorder's design comment promises to a reader: no call lost or counted twice, every call whose
 * recording finished before the read began seen, in the second it was counted in, and a call being
 * recorded during the read seen whole or not at all — including while that recording moves a past
 * second's counts into the windows.
 *
 * <p>Recording and clock moves stay on one thread because that is where the promise ends: a call
 * stamped before a clock move may become visible after it (it is counted in its own second, as it
 * should be, but a reader of the new second may miss it until it finishes), and like
 * {@code LongAdder.sum()} a read of several recording threads' stripes is not a snapshot of one
 * moment. {@link SliRecorderStressTest} and {@code ProviderReliabilityStressTest} check exact totals
 * with many recording threads and a racing clock.
 *
 * <p>The clock starts 8 seconds after the recorder, so that the first clock moves cross the first
 * 10-second bucket boundary. Windows: 10 s (one bucket), 20 s (two buckets) and 400 s (seven
 * 1-minute buckets).
 */
public class SliRecorderLinearizabilityTest {
  private static final String FLAG = "flag";
  private static final String VARIANT = "candidate";
  private static final long SLOW = Duration.ofMillis(400).toNanos();
  private static final long FAST = Duration.ofMillis(10).toNanos();
  private static final int START_SECOND = 8;

  private final ManualClock clock = new ManualClock();
  private final SliRecorder recorder = SliRecorder.builder().clock(clock).build();

  public SliRecorderLinearizabilityTest() {
    clock.advance(Duration.ofSeconds(START_SECOND));
  }

  /** Records one call; {@code kind} 0 is a fast success, 1 a fast error, 2 a slow success. */
  @Operation(nonParallelGroup = "writer")
  public void record(@Param(gen = IntGen.class, conf = "0:2") int kind) {
    recorder.record(FLAG, VARIANT, kind == 2 ? SLOW : FAST, kind == 1 ? Outcome.ERROR : Outcome.SUCCESS);
  }

  @Operation(nonParallelGroup = "writer")
  public void advance(@Param(gen = IntGen.class, conf = "1:3") int seconds) {
    clock.advance(Duration.ofSeconds(seconds));
  }

  /** Counts over window {@code w}: 0 is 10 s, 1 is 20 s, 2 is 400 s. */
  @Operation
  public Counts counts(@Param(gen = IntGen.class, conf = "0:2") int w) {
    WindowCounts c = recorder.counts(FLAG, VARIANT, Duration.ofSeconds(ExactCounts.WINDOW_SECONDS[w]));
    return new Counts(c.calls(), c.errors(), c.slow(0));
  }

  /** What a read returns; compared by value. */
  public record Counts(long calls, long errors, long slow) {}

  /**
   * The sequential specification: a clock in whole seconds and the exact counts recorded at each
   * second. A window of W seconds at resolution width w is the buckets of width w back to the one
   * holding now, plus the share of the bucket before them that W still covers (the current second
   * counted as half gone), rounded half up, bucket boundaries counted from the recorder's creation
   * (the SliRecorder class comment).
   */
  public static final class ExactCounts {
    static final long[] WINDOW_SECONDS = {10, 20, 400};
    private static final long[] WIDTH = {10, 10, 60};

    private long second = START_SECOND;
    private final TreeMap<Long, long[]> bySecond = new TreeMap<>();

    public void record(int kind) {
      long[] c = bySecond.computeIfAbsent(second, s -> new long[3]);
      c[0]++;
      c[1] += kind == 1 ? 1 : 0;
      c[2] += kind == 2 ? 1 : 0;
    }

    public void advance(int seconds) {
      second += seconds;
    }

    public Counts counts(int w) {
      long width = WIDTH[w];
      long window = WINDOW_SECONDS[w];
      long current = Math.floorDiv(second, width);
      long phase = second - current * width;
      long needHalves = 2 * window - (2 * phase + 1);
      long[] out = new long[3];
      if (needHalves <= 0) {
        long[] bucket = sum(current * width, second);
        for (int i = 0; i < 3; i++) {
          out[i] = share(bucket[i], 2 * window, 2 * phase + 1);
        }
      } else {
        long whole = needHalves / (2 * width);
        long rest = needHalves % (2 * width);
        long from = (current - whole) * width;
        long[] recent = sum(from, second);
        long[] before = sum(from - width, from - 1);
        for (int i = 0; i < 3; i++) {
          out[i] = recent[i] + (rest > 0 ? share(before[i], rest, 2 * width) : 0);
        }
      }
      return new Counts(out[0], out[1], out[2]);
    }

    private long[] sum(long from, long to) {
      long[] sum = new long[3];
      bySecond.subMap(from, true, to, true).values().forEach(c -> {
        for (int i = 0; i < 3; i++) {
          sum[i] += c[i];
        }
      });
      return sum;
    }

    private static long share(long count, long num, long den) {
      return (count * num + den / 2) / den;
    }
  }

  @Test
  void windowReadsAreLinearizableAcrossBucketBoundariesUnderModelChecking() {
    new ModelCheckingOptions()
        .sequentialSpecification(ExactCounts.class)
        .iterations(4 * ReliabilityScale.factor())
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(3)
        .check(SliRecorderLinearizabilityTest.class);
  }

  /**
   * Small scenarios, many of them: the model checker then reaches the interleaving of one read with
   * one recording quickly. Before reads took each stripe's packed word once, a read racing a slow
   * call returned its slow count without the call (calls 1, slow 1 after a fast and a slow call);
   * the larger scenarios above found that only at ten times their CI size, and the stress test on CI
   * once.
   */
  @Test
  void aCallRecordedDuringAReadIsSeenWholeOrNotAtAll() {
    new ModelCheckingOptions()
        .sequentialSpecification(ExactCounts.class)
        .iterations(30 * ReliabilityScale.factor())
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(2)
        .actorsBefore(1)
        .check(SliRecorderLinearizabilityTest.class);
  }

  @Test
  void windowReadsAreLinearizableAcrossBucketBoundariesUnderStress() {
    new StressOptions()
        .sequentialSpecification(ExactCounts.class)
        .iterations(2 * ReliabilityScale.factor())
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .minimizeFailedScenario(false) // minimizing a stress failure takes minutes
        .check(SliRecorderLinearizabilityTest.class);
  }
}
