package dev.burnguard.internal.recorder;

import dev.burnguard.internal.sli.Series;
import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.outcome.Outcomes.SliSource;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fleet path of the SLIs, without Redis: a recorder's {@link SliRecorder.Deltas deltas}, summed
 * into buckets of every resolution the way the fleet store sums them, and read back through a
 * {@link SliMirror}, give the recorder's own windows, count for count.
 */
class SliMirrorTest {
  private static final List<Duration> WINDOWS = List.of(Duration.ofSeconds(10), Duration.ofSeconds(37),
      Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(6), Duration.ofHours(72));

  @Test
  void deltasSummedIntoEpochBucketsReadBackAsTheRecordersWindows() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-05T12:00:00Z"));
    SliRecorder recorder = SliRecorder.builder().clock(clock)
        .latencyThresholds(Duration.ofMillis(100), Duration.ofMillis(300)).build();
    SliMirror mirror = new SliMirror(clock, recorder.latencyThresholds());
    SliRecorder.Deltas deltas = recorder.deltas();
    Map<String, long[]> store = new HashMap<>(); // "variant r bucket" -> sums, as the fleet store keeps them
    SplittableRandom random = new SplittableRandom(14);
    long recorded = 0;
    for (int second = 0; second < 3 * 3600; second++) {
      int calls = random.nextInt(6);
      for (int i = 0; i < calls; i++) {
        String variant = random.nextBoolean() ? "on" : "off";
        recorder.record("f", variant, random.nextLong(400_000_000L), random.nextInt(50) == 0 ? Outcome.ERROR
            : Outcome.SUCCESS);
        recorded++;
      }
      clock.advance(Duration.ofSeconds(1));
      long pushedSecond = Math.floorDiv(clock.wallMillis(), 1000) - 1;
      deltas.collect((flag, variant, counts) -> {
        for (int r = 0; r < Series.RESOLUTIONS; r++) {
          long bucket = Math.floorDiv(pushedSecond, Series.width(r));
          long[] sums = store.computeIfAbsent(variant + " " + r + " " + bucket, k -> new long[counts.length]);
          for (int w = 0; w < counts.length; w++) {
            sums[w] += counts[w];
          }
          mirror.set(flag, variant, r, bucket, sums);
        }
      });
      if (second % 97 == 0 || second > 3 * 3600 - 30) {
        assertSameWindows(recorder, mirror);
      }
    }
    long[] all = new long[4];
    long[] sum = new long[4];
    for (String v : List.of("on", "off")) {
      mirror.windows("f").counts(v, Duration.ofHours(72), all);
      sum[0] += all[0];
    }
    assertThat(sum[0]).isEqualTo(recorded);
  }

  private static void assertSameWindows(SliRecorder recorder, SliMirror mirror) {
    SliSource.FlagWindows local = recorder.windows("f");
    SliSource.FlagWindows fleet = mirror.windows("f");
    long[] a = new long[4];
    long[] b = new long[4];
    for (String v : List.of("on", "off")) {
      for (Duration w : WINDOWS) {
        local.counts(v, w, a);
        fleet.counts(v, w, b);
        assertThat(b).as("%s over %s", v, w).containsExactly(a);
        local.countsSince(v, w, Duration.ofMinutes(20), a);
        fleet.countsSince(v, w, Duration.ofMinutes(20), b);
        assertThat(b).as("%s over %s since 20 min", v, w).containsExactly(a);
      }
    }
  }
}
