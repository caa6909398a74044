package dev.burnguard.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.ErrorBudgetPolicy.Period;
import dev.burnguard.rollout.ErrorBudgetPolicy.ServiceSlo;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Concurrency stress: threads recording one journey while the hour changes under them lose no call
 * and count none twice (the totals over the period are exact), however the calls fall into hours.
 */
class JourneyCountsStressTest {
  @Test
  void fourThreadsAcrossTwoHourBoundariesCountEveryCallOnce() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-10T11:59:00Z"));
    JourneyCounts counts = new JourneyCounts(clock);
    counts.declare(ErrorBudgetPolicy.builder()
        .slo(new ServiceSlo("checkout", "checkout", 0.999, null, Period.rolling(Duration.ofDays(28)))).build());
    int threads = 4;
    int perThread = 200_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          counts.record("checkout", 1_000_000, i % 8 == 0);
        }
      });
      w.start();
      workers.add(w);
    }
    go.countDown();
    clock.advance(Duration.ofHours(1));
    clock.advance(Duration.ofHours(1));
    for (Thread w : workers) {
      w.join();
    }
    long now = counts.currentHour();
    long[] total = counts.counts("checkout", now - 671, now);
    assertThat(total).containsExactly(800_000L, 100_000L);
    // and the hourly rows a restart writes add up to the same
    long calls = 0;
    long bad = 0;
    for (long[] row : counts.hourly(now).values().iterator().next()) {
      calls += row[1];
      bad += row[2];
    }
    assertThat(new long[] {calls, bad}).containsExactly(800_000L, 100_000L);
  }
}
