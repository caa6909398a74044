package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 3-master Redis Cluster started by the test ({@code redis-cli --cluster create}): the same basic
 * rollout works, because a service's keys share one hash tag and so one slot.
 */
class FleetClusterTest {
  @Test
  @Timeout(120)
  void aRolloutRunsOnAThreeMasterCluster() throws Exception {
    RedisServer.binaryOrSkip();
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(RedisServer.start(null, List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "5000")));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
          .until(() -> {
            for (RedisServer n : nodes) {
              if (!clusterOk(n)) {
                return false;
              }
            }
            return true;
          });
      RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(10, Duration.ofMinutes(1), 0),
          new Stage(100, Duration.ofMinutes(1), 0))).watch(Duration.ofDays(1)).build();
      // the URI names the first node, which need not own the service's slot: the client follows redirects
      try (FleetHarness fleet = new FleetHarness(nodes.get(0).uri(), 3, plan, b -> b.cluster())) {
        fleet.run(Duration.ofMinutes(3), 30);
        assertThat(fleet.state(0).status()).isEqualTo(RolloutStatus.WATCHING);
        assertThat(fleet.state(1)).isEqualTo(fleet.state(0)).isEqualTo(fleet.state(2));
        fleet.replicas.get(2).rollouts().rollback(FleetHarness.FLAG, "person:alice");
        fleet.second(30);
        assertThat(List.of(fleet.exposure(0), fleet.exposure(1), fleet.exposure(2))).containsOnly(0.0);
        assertThat(fleet.fleetLog()).extracting(d -> d.action()).containsExactly(DecisionAction.START,
            DecisionAction.ADVANCE, DecisionAction.COMPLETE, DecisionAction.ROLLBACK);
        long[] counts = fleet.fleetCounts(0, "new");
        assertThat(counts[0]).isPositive();
        String slot = nodes.get(0).command("CLUSTER", "KEYSLOT", "burnguard:{checkout-service}:state:checkout");
        System.out.println("cluster: 3 masters, the service's keys in slot " + slot.substring(1) + "; rollout START, ADVANCE, "
            + "COMPLETE, ROLLBACK on 3 replicas; fleet counts " + counts[0] + " calls of the candidate");
      }
    } finally {
      nodes.forEach(RedisServer::close);
    }
  }

  private static boolean clusterOk(RedisServer node) throws IOException {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
      s.getOutputStream().write("CLUSTER INFO\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8));
      in.readLine();
      return in.readLine().contains("cluster_state:ok");
    }
  }
}
