package dev.burnguard.outcome;

import dev.burnguard.internal.recorder.SliRecorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.burnguard.outcome.Outcomes.LatencyDistribution;
import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SliRecorderTest {
  private static final Duration MS = Duration.ofMillis(1);
  private final ManualClock clock = new ManualClock();
  private final SliRecorder recorder = SliRecorder.builder().clock(clock).build();

  private void at(Duration sinceStart) {
    long target = sinceStart.toNanos();
    clock.advance(Duration.ofNanos(target - clock.monotonicNanos()));
  }

  private void ok(long latencyMillis) {
    recorder.record("f", "on", Duration.ofMillis(latencyMillis), Outcome.SUCCESS);
  }

  private void fail() {
    recorder.record("f", "on", Duration.ofMillis(1), Outcome.ERROR);
  }

  private WindowCounts last(Duration window) {
    return recorder.counts("f", "on", window);
  }

  @Test
  void aWindowTakesTheCurrentBucketAndTheShareOfTheOneBeforeItThatItStillCovers() {
    at(Duration.ofMillis(9_999));
    ok(1);
    at(Duration.ofSeconds(10));
    ok(1);
    fail();
    // at 10.x s the 10 s window is [10 s, now) plus 19/20 of [0 s, 10 s) (the current second counts
    // as half gone): 2 + round(1 × 0.95) calls
    assertThat(last(Duration.ofSeconds(10)).calls()).isEqualTo(3);
    assertThat(last(Duration.ofSeconds(10)).errors()).isEqualTo(1);
    assertThat(last(Duration.ofSeconds(20)).calls()).isEqualTo(3);
    at(Duration.ofMillis(19_999));
    // at 19.x s: [10 s, now) and 1/20 of [0 s, 10 s)
    assertThat(last(Duration.ofSeconds(10)).calls()).isEqualTo(2);
    at(Duration.ofSeconds(20));
    // at 20.x s: nothing in [20 s, now), 19/20 of [10 s, 20 s): round(1.9) calls, round(0.95) errors
    assertThat(last(Duration.ofSeconds(10)).calls()).isEqualTo(2);
    assertThat(last(Duration.ofSeconds(10)).errors()).isEqualTo(1);
    // a 5 s window at 20.x s takes 9/20 of [10 s, 20 s): round(0.9) calls, round(0.45) errors
    assertThat(last(Duration.ofSeconds(5)).calls()).isEqualTo(1);
    assertThat(last(Duration.ofSeconds(5)).errors()).isZero();
    assertThat(last(Duration.ofSeconds(30)).calls()).isEqualTo(3);
  }

  @Test
  void aWindowCoversItsWholeDuration() {
    assertThat(last(Duration.ofSeconds(1)).window()).isEqualTo(Duration.ofSeconds(1));
    assertThat(last(Duration.ofMinutes(5)).window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(last(Duration.ofSeconds(301)).window()).isEqualTo(Duration.ofSeconds(301));
    assertThat(last(Duration.ofMinutes(61)).window()).isEqualTo(Duration.ofMinutes(61));
    assertThat(last(Duration.ofHours(72)).window()).isEqualTo(Duration.ofHours(72));
    assertThatThrownBy(() -> last(Duration.ofHours(73))).hasMessageContaining("PT73H");
    assertThatThrownBy(() -> last(Duration.ZERO)).hasMessageContaining("PT0S");
  }

  /**
   * Issue 19: at 100 calls a second, "the last 10 s" used to hold 30, 110 or 830 calls depending on
   * the moment. Now every window holds its duration of traffic within 10 % at every phase of its
   * buckets: swept in steps of 100 ms (10 s), 1 s (5 min) and 10 s (1 h) over two whole buckets.
   */
  @ParameterizedTest
  @CsvSource({"10, 100, 20", "300, 1000, 120", "3600, 10000, 1200"})
  void aWindowHoldsItsDurationOfTrafficAtEveryPhaseOfABucket(long windowSeconds, long stepMillis, long steps) {
    long callsPerSecond = 100;
    long t = 0;
    long warmUpMillis = (windowSeconds + 3600) * 1000;
    // 100 calls a second, one every 10 ms
    for (; t < warmUpMillis; t += 10) {
      at(Duration.ofMillis(t));
      ok(1);
    }
    long worst = 0;
    long lowest = Long.MAX_VALUE;
    long highest = 0;
    for (long step = 0; step < steps; step++) {
      long until = t + stepMillis;
      for (; t < until; t += 10) {
        at(Duration.ofMillis(t));
        ok(1);
      }
      long calls = last(Duration.ofSeconds(windowSeconds)).calls();
      long expected = windowSeconds * callsPerSecond;
      assertThat(Math.abs(calls - expected)).as("calls over %d s at %d ms: %d", windowSeconds, t, calls)
          .isLessThanOrEqualTo(expected / 10);
      worst = Math.max(worst, Math.abs(calls - expected));
      lowest = Math.min(lowest, calls);
      highest = Math.max(highest, calls);
    }
    System.out.printf("SliRecorderTest: %d s window at 100/s over %d phases: %d to %d calls (expected %d, worst %.2f %%)%n",
        windowSeconds, steps, lowest, highest, windowSeconds * callsPerSecond,
        100.0 * worst / (windowSeconds * callsPerSecond));
  }

  @Test
  void hoursOfTrafficGiveExactCountsInEveryResolution() {
    // one call per second at t = k + 0.5 s for 3 hours; every 100th fails; every 10th takes 400 ms
    for (int k = 0; k < 3 * 3600; k++) {
      at(Duration.ofMillis(k * 1000L + 500));
      if (k % 100 == 0) {
        fail();
      } else {
        ok(k % 10 == 5 ? 400 : 20);
      }
    }
    at(Duration.ofHours(3)); // t = 10800 s: calls at 0.5 … 10799.5 s
    // 5 min at 10 s buckets: the current bucket [10800, 10810) is empty, [10510, 10800) holds 290
    // calls, and 19/20 of [10500, 10510) adds round(9.5) = 10: the 300 calls of the last 5 minutes
    WindowCounts fiveMin = last(Duration.ofMinutes(5));
    assertThat(fiveMin.calls()).isEqualTo(300);
    assertThat(fiveMin.errors()).isEqualTo(3); // k = 10600, 10700, and round(0.95) of k = 10500
    // 1 h at 1 min buckets: [7260, 10800) holds 3540 calls, 119/120 of [7200, 7260) adds round(59.5)
    WindowCounts hour = last(Duration.ofHours(1));
    assertThat(hour.calls()).isEqualTo(3600);
    assertThat(hour.errors()).isEqualTo(36); // k = 7300, 7400, …, 10700, and round(0.99) of k = 7200
    assertThat(hour.slow(0)).isEqualTo(360); // k ending in 5 in [7260, 10800), and round(5.95) of [7200, 7260)
    // 6 h at 10 min buckets and 72 h at 1 h buckets hold everything
    assertThat(last(Duration.ofHours(6)).calls()).isEqualTo(10800);
    assertThat(last(Duration.ofHours(72)).errors()).isEqualTo(108);
    assertThat(last(Duration.ofHours(72)).slow(0)).isEqualTo(1080);
  }

  @Test
  void gapsWithoutTrafficDoNotResurrectOldBuckets() {
    ok(1);
    at(Duration.ofMinutes(6).plusSeconds(20)); // 38 ten-second buckets later: the same slot of the finest ring
    assertThat(last(Duration.ofMinutes(5)).calls()).isZero();
    ok(1);
    assertThat(last(Duration.ofMinutes(5)).calls()).isEqualTo(1);
    assertThat(last(Duration.ofHours(1)).calls()).isEqualTo(2);
    at(Duration.ofHours(5));
    assertThat(last(Duration.ofHours(1)).calls()).isZero();
    assertThat(last(Duration.ofHours(6)).calls()).isEqualTo(2);
    at(Duration.ofHours(80));
    assertThat(last(Duration.ofHours(72)).calls()).isZero();
    ok(1);
    assertThat(last(Duration.ofHours(72)).calls()).isEqualTo(1);
  }

  @Test
  void everyWindowLengthCountsExactlyTheCallsOfItsBuckets() {
    // random bursts and gaps over 100 hours; at random moments, random windows from 1 s to 72 h
    // against a plain per-second tally, so that windows start and end anywhere within coarser buckets
    java.util.Random random = new java.util.Random(7);
    int hours = 100;
    long[] calls = new long[hours * 3600];
    long[] errors = new long[hours * 3600];
    long second = 0;
    while (true) {
      second += random.nextInt(10) == 0 ? 1 + random.nextInt(4 * 3600) : 1 + random.nextInt(40);
      if (second >= calls.length) {
        break;
      }
      at(Duration.ofSeconds(second).plusMillis(random.nextInt(1000)));
      for (int i = random.nextInt(5); i >= 0; i--) {
        boolean error = random.nextInt(4) == 0;
        if (error) {
          fail();
          errors[(int) second]++;
        } else {
          ok(1);
        }
        calls[(int) second]++;
      }
      if (random.nextInt(20) == 0) {
        for (int q = 0; q < 10; q++) {
          long window = 1 + random.nextInt(72 * 3600);
          long width = window <= 36 * 10 ? 10 : window <= 60 * 60 ? 60 : window <= 36 * 600 ? 600 : 3600;
          // the buckets back to the one holding now, then the share (in half seconds) of the one before
          long current = second / width;
          long needHalves = 2 * window - (2 * (second - current * width) + 1);
          long expectedCalls;
          long expectedErrors;
          if (needHalves <= 0) {
            expectedCalls = share(sum(calls, current * width, second), 2 * window, 2 * (second - current * width) + 1);
            expectedErrors = share(sum(errors, current * width, second), 2 * window, 2 * (second - current * width) + 1);
          } else {
            long whole = needHalves / (2 * width);
            long rest = needHalves % (2 * width);
            long from = (current - whole) * width;
            long before = from - width;
            expectedCalls = sum(calls, from, second) + share(sum(calls, before, from - 1), rest, 2 * width);
            expectedErrors = sum(errors, from, second) + share(sum(errors, before, from - 1), rest, 2 * width);
          }
          WindowCounts counts = last(Duration.ofSeconds(window));
          assertThat(counts.calls()).as("calls over %d s at %d s", window, second).isEqualTo(expectedCalls);
          assertThat(counts.errors()).as("errors over %d s at %d s", window, second).isEqualTo(expectedErrors);
        }
      }
    }
  }

  private static long sum(long[] perSecond, long from, long to) {
    long sum = 0;
    for (long t = Math.max(0, from); t <= to; t++) {
      sum += perSecond[(int) t];
    }
    return sum;
  }

  private static long share(long count, long num, long den) {
    return (count * num + den / 2) / den;
  }

  @Test
  void slowCallsAreCountedAgainstEachThreshold() {
    SliRecorder r = SliRecorder.builder().clock(clock)
        .latencyThresholds(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(1)).build();
    for (long ms : new long[] {50, 100, 101, 300, 301, 999, 1000, 1001, 5000}) {
      r.record("f", "on", Duration.ofMillis(ms), Outcome.SUCCESS);
    }
    WindowCounts c = r.counts("f", "on", Duration.ofMinutes(1));
    assertThat(c.calls()).isEqualTo(9);
    assertThat(c.slow(0)).isEqualTo(7); // > 100 ms
    assertThat(c.slow(1)).isEqualTo(5); // > 300 ms
    assertThat(c.slow(2)).isEqualTo(2); // > 1 s
    assertThat(c.slowRatio(1)).isEqualTo(5 / 9.0);
    assertThat(r.latencyThresholds()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(1));
  }

  @Test
  void onlyKnownVariantsGetSeriesAndTheNumberOfSeriesIsCapped() {
    SliRecorder r = SliRecorder.builder().clock(clock).maxSeries(2)
        .knownVariants((flag, variant) -> flag.startsWith("known") && !variant.equals("nope")).build();
    r.record("unknown", "on", MS, Outcome.SUCCESS);
    r.record("known-a", "nope", MS, Outcome.SUCCESS);
    r.record("known-a", "on", MS, Outcome.SUCCESS);
    r.record("known-a", "off", MS, Outcome.SUCCESS);
    r.record("known-b", "on", MS, Outcome.SUCCESS); // third series: over the cap
    r.record(null, "on", MS, Outcome.SUCCESS);
    assertThat(r.series()).isEqualTo(Map.of("known-a", Set.of("off", "on")));
    assertThat(r.refusedOutcomes()).isEqualTo(4);
    assertThat(r.counts("unknown", "on", Duration.ofMinutes(1)).calls()).isZero();

    r.retain((flag, variant) -> variant.equals("on"));
    assertThat(r.series()).isEqualTo(Map.of("known-a", Set.of("on")));
    r.record("known-b", "on", MS, Outcome.SUCCESS); // room again after retain
    assertThat(r.series()).containsKeys("known-a", "known-b");
  }

  @Test
  void aSeriesDroppedByRetainStartsAfreshWhenItsVariantIsRecordedAgain() {
    ok(1);
    ok(1);
    recorder.retain((flag, variant) -> false);
    assertThat(recorder.series()).isEmpty();
    ok(1); // the variant is known again, e.g. after the next reload: a new series, not the dropped one
    assertThat(recorder.series()).isEqualTo(Map.of("f", Set.of("on")));
    assertThat(last(Duration.ofMinutes(1)).calls()).isEqualTo(1);
  }

  @Test
  void aThrowingFilterRefusesTheOutcomeWithoutThrowing() {
    SliRecorder r = SliRecorder.builder().knownVariants((f, v) -> {
      throw new IllegalStateException("boom");
    }).build();
    r.record("f", "on", MS, Outcome.SUCCESS);
    assertThat(r.refusedOutcomes()).isEqualTo(1);
  }

  @Test
  void latencyQuantilesAreWithinOnePercent() {
    // 1..10000 ms, once each: the q-quantile is q * 10000 ms
    for (int ms = 1; ms <= 10_000; ms++) {
      ok(ms);
    }
    LatencyDistribution d = recorder.latency("f", "on");
    assertThat(d.count()).isEqualTo(10_000);
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      double exact = q * 10_000;
      assertThat(d.quantile(q).toNanos() / 1e6).as("p%s", q * 100).isCloseTo(exact, within(exact * 0.01));
    }
  }

  @Test
  void latencySinceAnEarlierSnapshotCountsOnlyTheCallsBetween() {
    ok(10);
    ok(10);
    LatencyDistribution before = recorder.latency("f", "on");
    ok(500);
    ok(500);
    ok(500);
    LatencyDistribution between = recorder.latency("f", "on").since(before);
    assertThat(between.count()).isEqualTo(3);
    assertThat(between.quantile(0.5).toMillis()).isBetween(495L, 505L);
    assertThat(before.quantile(1).toMillis()).isBetween(9L, 11L);
    assertThat(recorder.latency("f", "nope").count()).isZero();
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> SliRecorder.builder().latencyThresholds(Duration.ZERO)).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> SliRecorder.builder().latencyThresholds(MS, MS, MS, MS)).hasMessageContaining("at most 3");
    assertThatThrownBy(() -> SliRecorder.builder().maxSeries(0)).hasMessageContaining("got 0");
  }
}
