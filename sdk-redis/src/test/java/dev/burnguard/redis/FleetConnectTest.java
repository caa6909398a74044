package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.RolloutPlan;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connecting is not a command: a connect slower than the command timeout (a cold JVM, TLS, a slow
 * network) completes in the background with its own connect timeout, and the replica serves what it
 * knows meanwhile, as when Redis is down.
 */
class FleetConnectTest {
  @Test
  @Timeout(60)
  void aConnectSlowerThanTheCommandTimeoutCompletesInTheBackground() throws Exception {
    try (RedisServer server = RedisServer.start();
        SlowProxy proxy = new SlowProxy(server.port(), Duration.ofMillis(1500));
        FleetHarness fleet = new FleetHarness(proxy.uri(), 1, RolloutPlan.builder("old", "new").build(),
            b -> b.commandTimeout(Duration.ofMillis(200)))) {
      // joined while connecting: the fleet's state is unknown, the control is served, as with Redis down
      var store = fleet.replicas.get(0).health().store();
      assertThat(store.healthy()).isFalse();
      assertThat(store.lastError()).contains("fleet state unknown").contains("still connecting");
      assertThat(fleet.exposure(0)).isZero();
      int[] ticks = {0};
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        fleet.second(0);
        ticks[0]++;
        // healthy once a read succeeds; the lease is taken at the start of a tick, so the tick in
        // which the connect completed may end healthy but not yet leading (seen under load)
        return fleet.replicas.get(0).health().store().healthy() && fleet.members.get(0).leading();
      });
      // connected through the slow proxy: the rollout started in Redis, this replica decides
      assertThat(server.command("HEXISTS", "burnguard:{checkout-service}:state:checkout", "version")).isEqualTo(":1");
      assertThat(fleet.members.get(0).leading()).isTrue();
      assertThat(fleet.exposure(0)).isGreaterThan(0);
      // one connect, not one per tick: two command connections and the change subscription
      assertThat(proxy.connections()).isLessThanOrEqualTo(3);
      System.out.printf("a 1.5 s connect with a 200 ms command timeout: connected after %d ticks, %d connections%n",
          ticks[0], proxy.connections());
    }
  }
}
