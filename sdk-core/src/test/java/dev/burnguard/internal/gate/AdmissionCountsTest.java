package dev.burnguard.internal.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AdmissionCountsTest {
  @Test
  void stripesArePowersOfTwoAtLeastTwiceTheProcessorsAndAtMost16() {
    assertThat(new AdmissionCounts(1).stripes()).isEqualTo(2);
    assertThat(new AdmissionCounts(2).stripes()).isEqualTo(4);
    assertThat(new AdmissionCounts(3).stripes()).isEqualTo(8);
    assertThat(new AdmissionCounts(8).stripes()).isEqualTo(16);
    assertThat(new AdmissionCounts(500).stripes()).isEqualTo(16);
  }

  @Test
  void everyCountFromManyThreadsIsSeenExactlyOnce() throws InterruptedException {
    AdmissionCounts counts = new AdmissionCounts(2); // fewer cells than threads: threads share cells
    int threads = 16;
    int each = 50_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          if ((i + id) % 3 == 0) {
            counts.servedCandidate();
          } else {
            counts.servedControl();
          }
        }
      });
      thread.start();
      running.add(thread);
    }
    start.countDown();
    for (Thread thread : running) {
      thread.join();
    }
    long candidate = 0;
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < each; i++) {
        candidate += (i + t) % 3 == 0 ? 1 : 0;
      }
    }
    assertThat(counts.candidate()).isEqualTo(candidate);
    assertThat(counts.control()).isEqualTo((long) threads * each - candidate);
  }

  @Test
  void aGateCountsWhatItServesAndOnlyWhenAsked() {
    AdmissionCounts counts = new AdmissionCounts();
    ExposureGate gate = new ExposureGate("checkout", "new", "old", 0.5, true, "ROLLOUT", java.util.Map.of(), counts);
    long admitted = 0;
    for (int i = 0; i < 1000; i++) {
      admitted += gate.admit("user-" + i) ? 1 : 0;
      gate.admits("user-" + i); // asking does not count
    }
    gate.servedControl();
    assertThat(counts.candidate()).isEqualTo(admitted).isBetween(400L, 600L);
    assertThat(counts.control()).isEqualTo(1000 - admitted + 1);
    assertThat(gate.served()).isSameAs(counts);
  }
}
