package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Followers converge: a change made on any replica (or by the decider) reaches the others by
 * notification, or by their next tick's poll when notifications are off; operators act on the
 * fleet from any replica; a dead decider's lease passes to another replica; after convergence
 * every replica serves every targeting key the same variant.
 */
class FleetConvergenceTest {
  private static RolloutPlan plan() {
    return RolloutPlan.builder("old", "new").stages(List.of(new Stage(10, Duration.ofHours(1), 0),
        new Stage(50, Duration.ofHours(1), 0), new Stage(100, Duration.ofHours(1), 0))).build();
  }

  @Test
  @Timeout(120)
  void aChangeOnOneReplicaReachesTheOthersByNotificationWithoutATick() {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, plan(), b -> b)) {
      fleet.run(Duration.ofSeconds(3), 30);
      List<Long> micros = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        BurnguardProvider acting = fleet.replicas.get(i % 3);
        boolean pause = fleet.state(i % 3).status() != RolloutStatus.PAUSED;
        long started = System.nanoTime();
        if (pause) {
          acting.rollouts().pause(FleetHarness.FLAG, "person:alice");
        } else {
          acting.rollouts().resume(FleetHarness.FLAG, "person:alice");
        }
        long version = fleet.state(i % 3).version();
        // nobody ticks: only the change notification can bring the new state to the other two
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
            .until(() -> fleet.state(0).version() == version && fleet.state(1).version() == version
                && fleet.state(2).version() == version);
        micros.add((System.nanoTime() - started) / 1000);
      }
      Collections.sort(micros);
      System.out.println("convergence by notification over 200 changes: p50 " + micros.get(100) / 1000.0 + " ms, p99 "
          + micros.get(198) / 1000.0 + " ms, max " + micros.get(199) / 1000.0 + " ms (polled every 1 ms)");
      assertThat(fleet.state(1)).isEqualTo(fleet.state(0)).isEqualTo(fleet.state(2));
    }
  }

  @Test
  @Timeout(60)
  void withoutNotificationsTheNextTickPollsTheChangeAndOperatorsActOnTheFleetFromAnyReplica() {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, plan(), b -> b.withoutNotifications())) {
      fleet.run(Duration.ofSeconds(3), 30);
      fleet.replicas.get(1).rollouts().promote(FleetHarness.FLAG, "person:bob");
      fleet.second(30); // one tick of one simulated second
      assertThat(List.of(fleet.exposure(0), fleet.exposure(1), fleet.exposure(2))).containsOnly(0.5);
      fleet.replicas.get(2).rollouts().pause(FleetHarness.FLAG, "person:carol");
      fleet.second(30);
      assertThat(List.of(fleet.state(0).status(), fleet.state(1).status())).containsOnly(RolloutStatus.PAUSED);
      fleet.replicas.get(0).rollouts().resume(FleetHarness.FLAG, "person:dave");
      fleet.second(30);
      fleet.replicas.get(1).rollouts().rollback(FleetHarness.FLAG, "person:erin");
      fleet.second(30);
      assertThat(List.of(fleet.exposure(0), fleet.exposure(1), fleet.exposure(2))).containsOnly(0.0);
      fleet.replicas.get(2).rollouts().reset(FleetHarness.FLAG, "person:frank");
      fleet.second(30);
      assertThat(List.of(fleet.state(0), fleet.state(1))).containsOnly(fleet.state(2));
      assertThat(fleet.state(0).stage()).isZero();
      assertThat(fleet.fleetLog()).extracting(d -> d.action().name() + " by " + d.actor()).containsSubsequence(
          "PROMOTE by person:bob", "PAUSE by person:carol", "RESUME by person:dave", "ROLLBACK by person:erin",
          "RESET by person:frank");
      // every replica serves every targeting key the same variant
      for (int u = 0; u < 2_000; u++) {
        ImmutableContext ctx = new ImmutableContext("user-" + u);
        String v0 = fleet.replicas.get(0).flagSet().orElseThrow().assignedVariant(FleetHarness.FLAG, ctx);
        assertThat(fleet.replicas.get(1).flagSet().orElseThrow().assignedVariant(FleetHarness.FLAG, ctx)).isEqualTo(v0);
        assertThat(fleet.replicas.get(2).flagSet().orElseThrow().assignedVariant(FleetHarness.FLAG, ctx)).isEqualTo(v0);
      }
    }
  }

  @Test
  @Timeout(60)
  void whenTheDeciderDiesAnotherReplicaTakesTheLease() {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, plan(), b -> b.lease(Duration.ofSeconds(1)))) {
      fleet.run(Duration.ofSeconds(2), 30);
      assertThat(fleet.members).filteredOn(FleetMember::leading).hasSize(1);
      int leader = fleet.members.indexOf(fleet.members.stream().filter(FleetMember::leading).findFirst().orElseThrow());
      fleet.members.get(leader).die(); // dies without giving the lease back
      fleet.replicas.set(leader, null);
      int[] ticks = {0};
      Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
        fleet.second(30);
        ticks[0]++;
        return fleet.members.stream().anyMatch(m -> m != fleet.members.get(leader) && m.leading());
      });
      System.out.println("the decider died: another replica led after " + ticks[0] + " ticks (lease 1 s, a tick every "
          + "100 ms of real time)");
      assertThat(fleet.members).filteredOn(m -> m != fleet.members.get(leader) && m.leading()).hasSize(1);
    }
  }

  @Test
  @Timeout(60)
  void aDeciderThatClosesGivesItsLeaseBackAndAnotherDecidesAtItsNextTick() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, plan(), b -> b)) { // the default lease: 5 s
      fleet.run(Duration.ofSeconds(2), 30);
      int leader = fleet.members.indexOf(fleet.members.stream().filter(FleetMember::leading).findFirst().orElseThrow());
      String lease = "burnguard:{checkout-service}:leader";
      assertThat(server.command("GET", lease)).contains(fleet.members.get(leader).holder());
      fleet.replicas.get(leader).shutdown(); // a pod stopped normally: its fleet member closes
      fleet.replicas.set(leader, null);
      assertThat(server.command("EXISTS", lease)).as("the lease given back").isEqualTo(":0");
      fleet.second(30); // one tick of each remaining replica
      List<FleetMember> leading = fleet.members.stream().filter(m -> m != fleet.members.get(leader) && m.leading())
          .toList();
      assertThat(leading).as("a replica that decides after one tick").hasSize(1);
      assertThat(server.command("GET", lease)).contains(leading.get(0).holder());
      System.out.println("the decider closed: another replica led at the next tick (lease " + RedisFleet.DEFAULT_LEASE
          + ", before this change it waited for the lease to expire)");
    }
  }
}
