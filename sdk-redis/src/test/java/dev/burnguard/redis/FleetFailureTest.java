package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What each replica does when Redis dies, comes back empty, loses its data, or holds a value we
 * did not write — each against its own real redis-server.
 */
class FleetFailureTest {
  private static RolloutPlan fullExposure() {
    return RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(60)).build();
  }

  /** 1 %, 10 %, 50 %, 100 %, one minute each. */
  private static RolloutPlan fourStages() {
    return RolloutPlan.builder("old", "new").stages(List.of(new Stage(1, Duration.ofMinutes(1), 0),
        new Stage(10, Duration.ofMinutes(1), 0), new Stage(50, Duration.ofMinutes(1), 0),
        new Stage(100, Duration.ofMinutes(1), 0))).watch(Duration.ofDays(1)).build();
  }

  /** Ticks every replica each simulated second (real time passing for reconnects) until {@code done}. */
  private static void tickUntil(FleetHarness fleet, java.util.concurrent.Callable<Boolean> done) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
      fleet.second(30);
      return done.call();
    });
  }

  @Test
  @Timeout(120)
  void redisKilledReplicasKeepServingARegressionRollsBackLocallyAndTheRollbackReachesTheFleetOnReturn() {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, fullExposure(), b -> b)) {
      fleet.run(Duration.ofMinutes(20), 30);
      RolloutState before = fleet.state(0);
      assertThat(before.status()).isEqualTo(RolloutStatus.WATCHING);
      server.kill();
      java.time.Instant killed = fleet.clock.now();
      // only replica 0 sees its candidate fail; the fleet cannot be asked
      fleet.errors(0, "new", 1.0);
      Decision local = null;
      for (int s = 0; s < 600 && local == null; s++) {
        fleet.second(30);
        local = fleet.published.get(0).stream().filter(d -> d.action() == DecisionAction.ROLLBACK).findFirst()
            .orElse(null);
      }
      assertThat(local).as("replica 0 rolls back on its own windows").isNotNull();
      System.out.println("Redis down: replica 0 rolled back locally " + Duration.between(killed, local.at())
          + " after its candidate started failing (100 % errors on its third of 30 req/s)");
      assertThat(fleet.exposure(0)).isZero();
      assertThat(fleet.exposure(1)).isEqualTo(1.0); // the others keep serving their last-known state
      assertThat(fleet.exposure(2)).isEqualTo(1.0);
      assertThat(fleet.replicas.get(1).getBooleanEvaluation(FleetHarness.FLAG, false, new ImmutableContext("u1"))
          .getValue()).isTrue();
      assertThat(fleet.replicas.get(0).health().store().lastError()).startsWith("fleet store unreachable since ");
      assertThat(fleet.replicas.get(0).health().store().pendingDecisions()).isEqualTo(1);

      server.restart(); // empty: no persistence
      tickUntil(fleet, () -> fleet.exposure(1) == 0 && fleet.exposure(2) == 0);
      for (int i = 0; i < 3; i++) {
        assertThat(fleet.state(i).status()).as("replica %d", i).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(fleet.state(i)).isEqualTo(fleet.state(0));
      }
      assertThat(fleet.fleetLog()).extracting(Decision::action).contains(DecisionAction.ROLLBACK);
      assertThat(fleet.replicas.get(0).health().store().healthy()).isTrue();
    }
  }

  @Test
  @Timeout(120)
  void redisRestartedEmptyIsReseededAndANewReplicaNeverStartsTheRolloutOver() {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, fourStages(), b -> b)) {
      fleet.run(Duration.ofSeconds(150), 30);
      RolloutState known = fleet.state(0);
      assertThat(known.stage()).isEqualTo(2);
      server.restart(); // empty
      tickUntil(fleet, () -> fleet.members.get(0).rolloutStore().load().states().containsKey(FleetHarness.FLAG)
          && fleet.members.get(0).redis().state(FleetHarness.FLAG) != null);
      FleetRedis.Stored reseeded = fleet.members.get(0).redis().state(FleetHarness.FLAG);
      assertThat(Long.parseLong(reseeded.versionText())).isGreaterThanOrEqualTo(known.version());
      // a new pod with an empty disk takes the fleet's state
      BurnguardProvider fresh = fleet.add(server.uri(), fourStages(),
          RedisFleet.builder(server.uri()).service("checkout-service").instanceId("new-pod"));
      RolloutState taken = fresh.rollouts().state(FleetHarness.FLAG).orElseThrow();
      System.out.println("re-seeded: version " + reseeded.versionText() + "; the new pod took stage " + taken.stage()
          + " at " + taken.exposure() * 100 + " % (the fleet was at stage " + known.stage() + ")");
      assertThat(taken.stage()).isGreaterThanOrEqualTo(2);
      assertThat(taken.version()).isGreaterThanOrEqualTo(known.version());
      assertThat(fleet.fleetLog()).noneMatch(d -> d.action() == DecisionAction.START && d.before() != null);
      fleet.run(Duration.ofMinutes(3), 30);
      assertThat(fleet.state(3)).isEqualTo(fleet.state(0));
      assertThat(fleet.state(0).status()).isEqualTo(RolloutStatus.WATCHING);
    }
  }

  @Test
  @Timeout(60)
  void aFlushedRedisIsReseededWithTheHighestVersionAndARollbackIsNotForgotten() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 2, fourStages(), b -> b)) {
      fleet.run(Duration.ofSeconds(70), 30);
      fleet.replicas.get(1).rollouts().rollback(FleetHarness.FLAG, "person:alice");
      fleet.second(30);
      RolloutState rolledBack = fleet.state(0);
      assertThat(rolledBack.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
      server.flushAll();
      fleet.run(Duration.ofSeconds(2), 30);
      FleetRedis.Stored stored = fleet.members.get(0).redis().state(FleetHarness.FLAG);
      assertThat(stored.versionText()).isEqualTo(Long.toString(rolledBack.version()));
      assertThat(fleet.state(0)).isEqualTo(rolledBack);
      assertThat(fleet.state(1)).isEqualTo(rolledBack);
    }
  }

  @Test
  @Timeout(60)
  void aValueWeDidNotWriteIsReportedByKeyAndTheReplicaKeepsServing() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 2, fourStages(), b -> b)) {
      fleet.run(Duration.ofSeconds(5), 30);
      RolloutState known = fleet.state(0);
      server.command("HSET", "burnguard:{checkout-service}:state:checkout", "version", "99", "state", "{\"not\":1}");
      fleet.run(Duration.ofSeconds(2), 30);
      String error = fleet.replicas.get(0).health().store().lastError();
      System.out.println("corrupted state: " + error);
      assertThat(error).startsWith("burnguard:{checkout-service}:state:checkout holds an invalid rollout state");
      assertThat(fleet.state(0)).isEqualTo(known);
      assertThat(fleet.replicas.get(0).getBooleanEvaluation(FleetHarness.FLAG, false, new ImmutableContext("u"))
          .getErrorCode()).isNull();
      server.command("DEL", "burnguard:{checkout-service}:state:checkout");
      fleet.run(Duration.ofSeconds(2), 30);
      assertThat(fleet.replicas.get(0).health().store().healthy()).isTrue();
      assertThat(fleet.members.get(0).redis().state(FleetHarness.FLAG).versionText())
          .isEqualTo(Long.toString(fleet.state(0).version()));
    }
  }

  @Test
  @Timeout(120)
  void aReplicaStartingWhileRedisIsDownServesTheControlUntilItAnswersThenTakesTheFleetsState() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 1, fourStages(), b -> b)) {
      fleet.run(Duration.ofSeconds(150), 30);
      RolloutState known = fleet.state(0);
      assertThat(known.stage()).isEqualTo(2); // 50 %
      server.kill();
      BurnguardProvider fresh = fleet.add(server.uri(), fourStages(), RedisFleet.builder(server.uri())
          .service("checkout-service").instanceId("new-pod"));
      fleet.run(Duration.ofSeconds(5), 30);
      assertThat(fleet.exposure(1)).isZero();
      assertThat(fleet.state(1).status()).isEqualTo(RolloutStatus.PAUSED);
      String error = fresh.health().store().lastError();
      System.out.println("started while Redis was down: " + error);
      assertThat(error).startsWith("fleet state unknown: Redis has not answered since this replica started");
      int control = 0;
      for (int u = 0; u < 1000; u++) {
        control += fresh.getBooleanEvaluation(FleetHarness.FLAG, true, new ImmutableContext("user-" + u)).getValue()
            ? 0 : 1;
      }
      assertThat(control).isEqualTo(1000);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.rollouts().resume(FleetHarness.FLAG,
          "person:alice")).hasMessageContaining("fleet state unknown");
      server.restart(); // empty: replica 0 re-seeds what it knows, then the new pod takes it
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
          .until(() -> {
            fleet.replicas.get(0).rollouts().tick();
            return fleet.members.get(0).redis().state(FleetHarness.FLAG) != null;
          });
      tickUntil(fleet, () -> fleet.state(1).equals(fleet.state(0)));
      System.out.println("after Redis answered: the new pod took stage " + fleet.state(1).stage() + " at "
          + fleet.state(1).exposure() * 100 + " %, version " + fleet.state(1).version());
      assertThat(fleet.state(1).stage()).isGreaterThanOrEqualTo(2);
      assertThat(fleet.state(1).version()).isGreaterThanOrEqualTo(known.version());
      assertThat(fleet.published.get(1)).noneMatch(d -> d.action() == DecisionAction.START);
      assertThat(fleet.published.get(0)).filteredOn(d -> d.action() == DecisionAction.START).hasSize(1);
    }
  }

  @Test
  @Timeout(120)
  void aNewRolloutOnAReplicaStartingWhileRedisIsDownStartsWhenRedisAnswers() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      server.kill();
      try (FleetHarness fleet = new FleetHarness(server.uri(), 1, fourStages(), b -> b)) {
        fleet.run(Duration.ofSeconds(5), 30);
        assertThat(fleet.exposure(0)).isZero();
        server.restart();
        tickUntil(fleet, () -> fleet.state(0).status() == RolloutStatus.RAMPING);
        assertThat(fleet.state(0).stage()).isZero();
        assertThat(fleet.exposure(0)).isEqualTo(0.01);
        assertThat(fleet.fleetLog()).singleElement().satisfies(d -> {
          assertThat(d.action()).isEqualTo(DecisionAction.START);
          assertThat(d.reason()).endsWith("(held at exposure 0 until the fleet store answered)");
        });
        assertThat(fleet.replicas.get(0).health().store().healthy()).isTrue();
      }
    }
  }

  @Test
  @Timeout(60)
  void aWrongPasswordLeavesTheReplicaServingAndSaysWhyWithoutThePassword() {
    try (RedisServer server = RedisServer.start("right-pw");
        FleetHarness fleet = new FleetHarness(server.uri().replace("right-pw", "wrong-pw"), 1, fourStages(),
            b -> b)) {
      fleet.run(Duration.ofSeconds(3), 30);
      String error = fleet.replicas.get(0).health().store().lastError();
      System.out.println("wrong password: " + error);
      assertThat(error).startsWith("fleet state unknown: Redis has not answered since this replica started")
          .contains("redis://***@127.0.0.1:").contains("WRONGPASS").doesNotContain("wrong-pw");
      assertThat(fleet.exposure(0)).isZero(); // never answered: the control is served, not a first stage
      assertThat(fleet.replicas.get(0).health().toString()).doesNotContain("wrong-pw");
    }
  }
}
