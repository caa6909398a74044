package dev.burnguard.outcome;

import dev.burnguard.internal.recorder.SliRecorder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Recorders, a reader and a moving clock all at once: no call may be lost or counted twice, and no
 * reading may show more errors or slow calls than calls.
 */
class SliRecorderStressTest {
  private static final int THREADS = 2;
  private static final int RECORDS_PER_THREAD = 5_000_000;
  private static final long SLOW = Duration.ofMillis(400).toNanos();
  private static final long FAST = Duration.ofMillis(10).toNanos();

  @Test
  void countsAreExactAfterConcurrentRecordingReadingAndClockMoves() throws Exception {
    ManualClock clock = new ManualClock();
    SliRecorder recorder = SliRecorder.builder().clock(clock).build();
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean recording = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();

    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread w = new Thread(() -> {
        await(start);
        for (int n = 0; n < RECORDS_PER_THREAD; n++) {
          recorder.record("flag", "candidate", n % 5 == 0 ? SLOW : FAST, n % 7 == 0 ? Outcome.ERROR : Outcome.SUCCESS);
        }
      }, "writer-" + t);
      writers.add(w);
      w.start();
    }
    Thread reader = new Thread(() -> {
      await(start);
      int advances = 0;
      try {
        while (recording.get()) {
          WindowCounts c = recorder.counts("flag", "candidate", Duration.ofMinutes(5));
          assertThat(c.errors()).isLessThanOrEqualTo(c.calls());
          recorder.counts("flag", "candidate", Duration.ofHours(72));
          recorder.latency("flag", "candidate");
          reads.incrementAndGet();
          if (advances < 36_000) { // at most 10 hours, well inside the 72 h window
            clock.advance(Duration.ofMillis(1000));
            advances++;
          }
        }
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "reader");
    reader.start();
    start.countDown();
    for (Thread w : writers) {
      w.join();
    }
    recording.set(false);
    reader.join();

    assertThat(failure.get()).isNull();
    assertThat(reads.get()).isPositive();
    long total = (long) THREADS * RECORDS_PER_THREAD;
    long errorsPerThread = (RECORDS_PER_THREAD + 6) / 7;
    long slowPerThread = (RECORDS_PER_THREAD + 4) / 5;
    WindowCounts all = recorder.counts("flag", "candidate", Duration.ofHours(72));
    assertThat(all.calls()).isEqualTo(total);
    assertThat(all.errors()).isEqualTo(THREADS * errorsPerThread);
    assertThat(all.slow(0)).isEqualTo(THREADS * slowPerThread);
    // the display-only histogram may drop samples when two threads share a stripe, never invent any
    assertThat(recorder.latency("flag", "candidate").count()).isPositive().isLessThanOrEqualTo(total);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
