package dev.burnguard.redis;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.benchmarks.LocalRedis;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.ImmutableContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Fleet mode under load (issue 14, performance): N simulated replicas × F guarded flags against one
 * local {@code redis-server} started here. Every replica is a real {@link BurnguardProvider} joined
 * to one {@link RedisFleet}, all in this JVM on one {@link ManualClock} that advances one second per
 * wall-clock second. Each second, every replica records a steady synthetic load (per flag: 3 calls
 * of {@code old}, 1 of {@code new}, 0.05 % errors, seeded), then, replica after replica: its SLI push
 * (timed alone: one pipelined push.lua call carrying every (flag, variant) delta of the second),
 * then its guardian tick (timed: the fleet sync — lease, store poll, the decider's read of the
 * fleet's sums or a follower's take of the decider's publication — and, on the decider, judging
 * every rollout; its own push is then empty, so no round trip). Redis' cost comes from Redis: {@code INFO cpu}, {@code INFO stats}, {@code INFO
 * memory} before and after the measured window, and {@code DBSIZE}.
 *
 * <p>Before the replicas start, the rings of every series can be pre-filled (every slot of every
 * resolution holding a bucket: the steady state after 72 hours of traffic), so memory and the
 * decider's full reads are those of a long-running fleet.
 *
 * <p>Usage: {@code FleetLoad [replicas=20] [flags=1000] [seconds=120] [warmup=15] [prefill=true] [out] [lease=5]}
 * (the decider's lease in seconds of wall time: when a simulated second takes longer than the lease,
 * as at 20 × 1,000 on a loaded machine, the lease passes from replica to replica every few seconds and
 * each new decider reads every slot; a longer lease measures the steady state of one decider).
 * Single-threaded: the replicas tick one after another, as phase-shifted pods would.
 */
public final class FleetLoad {
  private FleetLoad() {}

  public static void main(String[] args) throws Exception {
    int replicas = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int flags = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 120;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 15;
    boolean prefill = args.length <= 4 || Boolean.parseBoolean(args[4]);
    Path out = args.length > 5 && !args[5].equals("-") ? Path.of(args[5]) : null;
    Duration lease = Duration.ofSeconds(args.length > 6 ? Long.parseLong(args[6]) : 5);
    Clock wall = Clock.system();
    String service = "bench-service";
    StringBuilder report = new StringBuilder();
    try (LocalRedis server = LocalRedis.start()) {
      ManualClock clock = new ManualClock(Instant.ofEpochMilli(wall.wallMillis() / 1000 * 1000));
      long memoryEmpty = used(server.info("memory"), "used_memory");
      long prefillNanos = 0;
      if (prefill) {
        long t0 = wall.monotonicNanos();
        prefill(server.uri(), service, clock, flags);
        prefillNanos = wall.monotonicNanos() - t0;
      }
      long memoryPrefilled = used(server.info("memory"), "used_memory");

      String flagsJson = flagsJson(flags);
      RolloutPlan plan = RolloutPlan.builder("old", "new").build();
      List<BurnguardProvider> providers = new ArrayList<>();
      List<FleetMember> members = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        RedisFleet fleet = RedisFleet.builder(server.uri()).service(service).instanceId("replica-" + i).lease(lease)
            .build();
        FleetMember[] joined = new FleetMember[1];
        BurnguardProvider.Builder b = BurnguardProvider.builder().source(FlagSource.inline(flagsJson)).clock(clock)
            .guardianTicking(false).maxSeries(2 * flags + 16)
            .fleet((c, local) -> {
              joined[0] = (FleetMember) fleet.join(c, local);
              return joined[0];
            });
        for (int f = 0; f < flags; f++) {
          b.rollout("flag-" + f, plan);
        }
        BurnguardProvider p = b.build();
        p.initialize(new ImmutableContext());
        providers.add(p);
        members.add(joined[0]);
      }

      Random random = new Random(14);
      String[] keys = new String[flags];
      for (int f = 0; f < flags; f++) {
        keys[f] = "flag-" + f;
      }
      long[] push = new long[replicas * seconds];
      long[] leaderTick = new long[seconds];
      long[] followerTick = new long[(replicas - 1) * seconds];
      int pushes = 0;
      int leaderTicks = 0;
      int followerTicks = 0;
      int overruns = 0;
      int leaderless = 0;
      long busyNanos = 0;
      Map<String, String> commands0 = null;
      Map<String, String> cpu0 = null;
      Map<String, String> stats0 = null;
      long ops = 0;
      int opsSamples = 0;
      int infoCalls = 0;
      String load0 = null;
      long window0 = 0;
      long next = wall.monotonicNanos();
      for (int s = -warmup; s < seconds; s++) {
        if (s == 0) {
          load0 = loadAverage();
          commands0 = server.info("commandstats");
          cpu0 = server.info("cpu");
          stats0 = server.info("stats");
          infoCalls = 0;
          window0 = wall.monotonicNanos();
        }
        long begin = wall.monotonicNanos();
        long end = clock.monotonicNanos();
        for (BurnguardProvider p : providers) {
          var recorder = p.outcomes();
          for (String key : keys) {
            for (int c = 0; c < 4; c++) {
              recorder.recordCall(key, c == 0 ? "new" : "old", end - 20_000_000L, end,
                  random.nextInt(2000) == 0 ? Outcome.ERROR : Outcome.SUCCESS);
            }
          }
        }
        clock.advance(Duration.ofSeconds(1));
        boolean led = false;
        for (int i = 0; i < replicas; i++) {
          long t0 = wall.monotonicNanos();
          members.get(i).sliPush().push();
          long t1 = wall.monotonicNanos();
          providers.get(i).rollouts().tick();
          long t2 = wall.monotonicNanos();
          if (s >= 0) {
            push[pushes++] = t1 - t0;
            if (members.get(i).leading() && !led) {
              leaderTick[leaderTicks++] = t2 - t1;
              led = true;
            } else if (followerTicks < followerTick.length) {
              followerTick[followerTicks++] = t2 - t1;
            }
          }
        }
        long busy = wall.monotonicNanos() - begin;
        if (s >= 0) {
          busyNanos += busy;
          leaderless += led ? 0 : 1;
          if (s % 10 == 5) {
            ops += Long.parseLong(server.info("stats").get("instantaneous_ops_per_sec"));
            opsSamples++;
            infoCalls++;
          }
        }
        next += 1_000_000_000L;
        long wait = next - wall.monotonicNanos();
        if (wait > 0) {
          LockSupport.parkNanos(wait); // pacing: one simulated second per wall second
        } else {
          if (s >= 0) {
            overruns++;
          }
          next = wall.monotonicNanos();
        }
      }
      double wallSeconds = (wall.monotonicNanos() - window0) / 1e9;
      Map<String, String> cpu1 = server.info("cpu");
      Map<String, String> commands1 = server.info("commandstats");
      Map<String, String> stats1 = server.info("stats");
      infoCalls += 4; // INFO commandstats and cpu at both ends (INFO stats counts itself)
      String load1 = loadAverage();
      Map<String, String> memory = server.info("memory");
      long dbSize = server.dbSize();
      for (BurnguardProvider p : providers) {
        p.shutdown();
      }

      double redisCpu = cpu(cpu1) - cpu(cpu0);
      long commands = used(stats1, "total_commands_processed") - used(stats0, "total_commands_processed") - infoCalls;
      long reads = used(stats1, "total_reads_processed") - used(stats0, "total_reads_processed") - infoCalls;
      long usedMemory = used(memory, "used_memory");
      long bytesIn = used(stats1, "total_net_input_bytes") - used(stats0, "total_net_input_bytes");
      long bytesOut = used(stats1, "total_net_output_bytes") - used(stats0, "total_net_output_bytes");
      report.append(String.format(Locale.ROOT, "fleet-load: %d replicas x %d guarded flags, %d s measured after %d s "
              + "warm-up, prefill=%s, lease %s%n", replicas, flags, seconds, warmup, prefill, lease))
          .append("date=").append(Instant.ofEpochMilli(wall.wallMillis())).append('\n')
          .append("redis=").append(server.info("server").get("redis_version")).append('\n')
          .append("load_before=").append(load0).append('\n')
          .append("load_after=").append(load1).append('\n')
          .append(line("push_ms", push, pushes))
          .append(line("leader_tick_ms", leaderTick, leaderTicks))
          .append(line("follower_tick_ms", followerTick, followerTicks))
          .append(String.format(Locale.ROOT, "seconds_without_leader=%d%n", leaderless))
          .append(String.format(Locale.ROOT, "harness_busy_per_second_ms=%.1f (overran the second %d times)%n",
              busyNanos / 1e6 / seconds, overruns))
          .append(String.format(Locale.ROOT, "wall_seconds=%.1f for %d simulated seconds (a simulated second is one "
              + "tick of every replica)%n", wallSeconds, seconds))
          .append(String.format(Locale.ROOT, "redis_cpu_seconds=%.2f: %.3f per simulated second, %.0f %% of a core "
              + "over the wall time (used_cpu_sys+used_cpu_user delta)%n", redisCpu, redisCpu / seconds,
              100 * redisCpu / wallSeconds))
          .append(String.format(Locale.ROOT, "commands_per_simulated_second=%.0f, per wall second %.0f "
              + "(total_commands_processed delta, commands run by Lua scripts included)%n", (double) commands / seconds,
              commands / wallSeconds))
          .append(String.format(Locale.ROOT, "instantaneous_ops_per_sec_mean=%.0f (%d samples)%n",
              opsSamples == 0 ? 0.0 : (double) ops / opsSamples, opsSamples))
          .append(String.format(Locale.ROOT, "socket_reads_per_replica_per_simulated_second=%.1f "
              + "(total_reads_processed delta / replicas / simulated seconds; pipelined commands arrive in several)%n", (double) reads / replicas / seconds))
          .append(String.format(Locale.ROOT, "network_bytes_per_simulated_second: in %.0f, out %.0f "
              + "(total_net_input_bytes / total_net_output_bytes delta, the harness' INFO replies included)%n",
              (double) bytesIn / seconds, (double) bytesOut / seconds))
          .append("commands_per_simulated_second_by_command=").append(perCommand(commands0, commands1, seconds)).append('\n')
          .append(String.format(Locale.ROOT, "keys=%d (DBSIZE)%n", dbSize))
          .append(String.format(Locale.ROOT, "used_memory_empty=%d%nused_memory_prefilled=%d (prefill took %.1f s)%n"
              + "used_memory_end=%d (%s)%n", memoryEmpty, memoryPrefilled, prefillNanos / 1e9, usedMemory,
              memory.get("used_memory_human")))
          .append(String.format(Locale.ROOT, "memory_per_series_bytes=%d (used_memory_end - empty) / %d series%n",
              (usedMemory - memoryEmpty) / (2L * flags), 2 * flags));
    }
    System.out.print(report);
    if (out != null) {
      Files.writeString(out, report);
    }
    System.exit(0); // Lettuce's and the guardians' threads are daemons or shut down; exit promptly regardless
  }

  /** Every ring slot of every resolution of each of the 2 × flags series holds a bucket. */
  private static void prefill(String uri, String service, ManualClock clock, int flags) {
    FleetRedis redis = new FleetRedis(uri, new FleetKeys(service), clock, Duration.ofSeconds(30));
    try {
      long now = clock.now().getEpochSecond() - 1;
      List<Long> seconds = new ArrayList<>();
      long[][] spans = {{3600, 73}, {600, 37}, {60, 61}, {10, 37}};
      for (long[] span : spans) {
        for (long s = now - span[1] * span[0]; s <= now; s += span[0]) {
          seconds.add(s);
        }
      }
      seconds.sort(Long::compare);
      // calls, errors, slow: the words of a series with the default latency threshold
      int words = new dev.burnguard.internal.recorder.SliMirror(clock,
          List.of(dev.burnguard.internal.recorder.SliRecorder.DEFAULT_LATENCY_THRESHOLD)).words();
      List<String> counters = List.of("1200", "0", "4", "1", "1", "1").subList(0, words);
      long sequence = 0;
      for (long second : seconds) {
        List<String> rings = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (int f = 0; f < flags; f++) {
          for (String variant : new String[] {"new", "old"}) {
            for (int r = 0; r < 4; r++) {
              rings.add(redis.keys().ring(r, "flag-" + f, variant));
            }
            entries.add(Long.toString(second));
            entries.addAll(counters);
          }
        }
        redis.push("prefill", ++sequence, Duration.ofHours(1), words, rings, entries);
      }
    } finally {
      redis.close();
    }
  }

  private static String flagsJson(int flags) {
    StringBuilder json = new StringBuilder("{\"flags\": {");
    for (int i = 0; i < flags; i++) {
      json.append(i == 0 ? "" : ",").append("\"flag-").append(i).append("\": {\"state\": \"ENABLED\",")
          .append(" \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\"}");
    }
    return json.append("}}").toString();
  }

  private static String line(String name, long[] nanos, int n) {
    long[] v = Arrays.copyOf(nanos, n);
    Arrays.sort(v);
    if (n == 0) {
      return name + "=none\n";
    }
    return String.format(Locale.ROOT, "%s p50=%.2f p99=%.2f max=%.2f (n=%d)%n", name, v[n / 2] / 1e6,
        v[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6, v[n - 1] / 1e6, n);
  }

  /** From INFO commandstats ("calls=N,usec=..."): calls per second by command over the window, largest first. */
  private static String perCommand(Map<String, String> before, Map<String, String> after, int seconds) {
    List<String> out = new ArrayList<>();
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey().replace("cmdstat_", ""),
            calls(e.getValue()) - calls(before.getOrDefault(e.getKey(), "calls=0,"))))
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> out.add(String.format(Locale.ROOT, "%s %.1f", e.getKey(), (double) e.getValue() / seconds)));
    return String.join(", ", out);
  }

  private static long calls(String stat) {
    return Long.parseLong(stat.substring("calls=".length(), stat.indexOf(',')));
  }

  private static double cpu(Map<String, String> info) {
    return Double.parseDouble(info.get("used_cpu_sys")) + Double.parseDouble(info.get("used_cpu_user"));
  }

  private static long used(Map<String, String> info, String field) {
    return Long.parseLong(info.get(field));
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
