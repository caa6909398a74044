package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis memory for the SLI buckets of 1,000 series (500 guarded flags × 2 variants) with every
 * ring slot filled — the steady state after 72 hours of traffic — measured with INFO memory, for
 * the sizing table in docs/fleet.md. Reported, and checked only against a generous bound so the
 * figure in the docs cannot silently grow tenfold.
 */
class FleetSizingTest {
  @Test
  @Timeout(120)
  void aThousandSeriesWithFullRingsTakeAFewMegabytes() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      ManualClock clock = new ManualClock(Instant.parse("2026-12-05T12:00:00Z"));
      FleetRedis redis = new FleetRedis(server.uri(), new FleetKeys("checkout-service"), clock, Duration.ofSeconds(5));
      try {
        long before = usedMemory(server);
        long now = clock.now().getEpochSecond();
        // seconds that fill every slot of every resolution, oldest first: 1 h apart over 72 h, 10 min
        // apart over 6 h, 1 min apart over 1 h, 10 s apart over 6 min
        List<Long> seconds = new ArrayList<>();
        for (long s = now - 73 * 3600; s <= now; s += 3600) {
          seconds.add(s);
        }
        for (long s = now - 37 * 600; s <= now; s += 600) {
          seconds.add(s);
        }
        for (long s = now - 61 * 60; s <= now; s += 60) {
          seconds.add(s);
        }
        for (long s = now - 37 * 10; s <= now; s += 10) {
          seconds.add(s);
        }
        seconds.sort(Long::compare);
        int series = 1000;
        long sequence = 0;
        for (long second : seconds) {
          List<String> rings = new ArrayList<>();
          List<String> entries = new ArrayList<>();
          for (int i = 0; i < series; i++) {
            for (int r = 0; r < 4; r++) {
              rings.add(redis.keys().ring(r, "flag-" + (i / 2), i % 2 == 0 ? "new" : "old"));
            }
            entries.addAll(List.of(Long.toString(second), "1234", "12", "56"));
          }
          redis.push("sizing", ++sequence, Duration.ofHours(1), 3, rings, entries);
        }
        long after = usedMemory(server);
        long perSeries = (after - before) / series;
        System.out.println("sizing: " + series + " series with full rings (" + seconds.size() + " buckets pushed each) "
            + "take " + (after - before) / 1024 + " KiB in Redis, " + perSeries + " B per series");
        assertThat(perSeries).isBetween(1_000L, 40_000L);
      } finally {
        redis.close();
      }
    }
  }

  private static long usedMemory(RedisServer server) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write("MEMORY STATS\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.getOutputStream().write("INFO memory\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("used_memory:")) {
          return Long.parseLong(line.substring("used_memory:".length()).trim());
        }
      }
      throw new IllegalStateException("no used_memory in INFO memory");
    }
  }
}
