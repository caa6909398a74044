package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis Sentinel: a {@code redis-sentinel://} URI finds the master through a sentinel, and after the
 * master dies and the sentinel promotes its replica, the fleet goes on with its state on the new
 * master. A master, its replica and one sentinel ({@code redis-server sentinel.conf --sentinel}),
 * all started here on 127.0.0.1.
 */
class FleetSentinelTest {
  private static final String STATE = "burnguard:{checkout-service}:state:checkout";

  @Test
  @Timeout(180)
  void aSentinelUriWorksAndAFailoverKeepsTheFleetsState() throws Exception {
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(10, Duration.ofMinutes(1), 0),
        new Stage(50, Duration.ofMinutes(1), 0), new Stage(100, Duration.ofMinutes(1), 0)))
        .watch(Duration.ofDays(1)).build();
    try (RedisServer master = RedisServer.start();
        RedisServer replica = RedisServer.start(null, List.of("--replicaof", "127.0.0.1",
            Integer.toString(master.port())));
        Sentinel sentinel = new Sentinel(master.port())) {
      String uri = "redis-sentinel://127.0.0.1:" + sentinel.port + "?sentinelMasterId=burnguard";
      try (FleetHarness fleet = new FleetHarness(uri, 2, plan, b -> b)) {
        fleet.run(Duration.ofSeconds(150), 30); // START, then ADVANCE to 50 % after a minute, then to 100 %
        RolloutState before = fleet.state(0);
        assertThat(before.stage()).isGreaterThanOrEqualTo(1);
        assertThat(master.command("HGET", STATE, "version")).isEqualTo(Long.toString(before.version()));
        Awaitility.await("replicated").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
            .until(() -> Long.toString(before.version()).equals(replica.command("HGET", STATE, "version")));

        master.kill(); // the sentinel promotes the replica (down after 1 s)
        int[] ticks = {0};
        Awaitility.await("failover").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
          fleet.second(30);
          ticks[0]++;
          return replica.command("SET", "burnguard-probe", "1").equals("+OK") // a master now
              && fleet.replicas.get(0).health().store().healthy() && fleet.replicas.get(1).health().store().healthy();
        });
        // the state taken over, not restarted; a manual rollback on one replica reaches the other through the new master
        assertThat(fleet.state(0).version()).isGreaterThanOrEqualTo(before.version());
        assertThat(fleet.state(0).stage()).isGreaterThanOrEqualTo(before.stage());
        fleet.replicas.get(1).rollouts().rollback(FleetHarness.FLAG, "person:alice");
        assertThat(fleet.state(1).status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        // the other replica takes it by notification or at its next tick's poll
        Awaitility.await("the rollback on the other replica").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100)).until(() -> {
              fleet.second(30);
              return fleet.state(0).status() == RolloutStatus.ROLLED_BACK;
            });
        assertThat(fleet.state(0)).isEqualTo(fleet.state(1));
        assertThat(replica.command("HGET", STATE, "version")).isEqualTo(Long.toString(fleet.state(0).version()));
        assertThat(fleet.fleetLog()).extracting(d -> d.action()).startsWith(DecisionAction.START)
            .endsWith(DecisionAction.ROLLBACK).containsOnlyOnce(DecisionAction.START);
        System.out.printf("sentinel: state version %d (stage %d) before the master died; the fleet was healthy on the "
            + "promoted replica after %d ticks of 200 ms; the rollback reached both replicas (version %d)%n",
            before.version(), before.stage(), ticks[0], fleet.state(0).version());
      }
    }
  }

  /** One {@code redis-server --sentinel} on a free port, monitoring the master as "burnguard" (quorum 1). */
  private static final class Sentinel implements AutoCloseable {
    final int port;
    private final Path dir;
    private final Process process;

    Sentinel(int masterPort) throws Exception {
      Path binary = RedisServer.binaryOrSkip();
      this.port = RedisServer.freePort();
      this.dir = Files.createTempDirectory("burnguard-sentinel-");
      Path conf = dir.resolve("sentinel.conf");
      Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\nprotected-mode no\ndir " + dir + "\n"
          + "sentinel monitor burnguard 127.0.0.1 " + masterPort + " 1\n"
          + "sentinel down-after-milliseconds burnguard 1000\n"
          + "sentinel failover-timeout burnguard 10000\n");
      this.process = new ProcessBuilder(binary.toString(), conf.toString(), "--sentinel").redirectErrorStream(true)
          .redirectOutput(dir.resolve("sentinel.log").toFile()).start();
      Awaitility.await("redis-sentinel on port " + port).atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> ping().equals("+PONG"));
    }

    private String ping() throws Exception {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(5_000);
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException e) {
        // a temporary directory left behind is harmless
      }
    }
  }
}
