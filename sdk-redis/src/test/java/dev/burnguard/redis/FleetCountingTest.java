package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once counting of the fleet's SLIs against a real redis-server: pushes whose reply is lost
 * (injected, and real timeouts while Redis is paused or frozen) are retried and never counted
 * twice; nothing recorded is lost; evaluation never waits for Redis.
 */
class FleetCountingTest {
  private static RolloutPlan plan() {
    return RolloutPlan.builder("old", "new").stages(List.of(new Stage(50, Duration.ofDays(1), 0),
        new Stage(100, Duration.ofDays(1), 0))).build();
  }

  @Test
  @Timeout(120)
  void threeReplicasTimesAMillionOutcomesWithLostRepliesAndTimeoutsAreCountedExactlyOnce() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, plan(),
            b -> b.commandTimeout(Duration.ofMillis(200)))) {
      // every third push of every replica arrives but its reply is lost: the replica sends it again
      for (FleetMember m : fleet.members) {
        m.sliPush().loseReplies(seq -> seq % 3 == 0);
      }
      SplittableRandom random = new SplittableRandom(1);
      long[] calls = new long[2];
      long[] errors = new long[2];
      int seconds = 400;
      int perReplicaPerSecond = 2_500; // 3 × 400 × 2,500 = 3 × 10^6 outcomes
      for (int s = 0; s < seconds; s++) {
        if (s == 200) {
          server.clientPause(Duration.ofMillis(600)); // real timeouts: pushes applied after the client gave up
        }
        for (BurnguardProvider p : fleet.replicas) {
          for (int i = 0; i < perReplicaPerSecond; i++) {
            int v = random.nextInt(2);
            boolean error = random.nextInt(100) == 0;
            p.outcomes().record(FleetHarness.FLAG, v == 0 ? "new" : "old", 5_000_000L,
                error ? Outcome.ERROR : Outcome.SUCCESS);
            calls[v]++;
            errors[v] += error ? 1 : 0;
          }
        }
        fleet.clock.advance(Duration.ofSeconds(1));
        fleet.tickAll();
      }
      for (int i = 0; i < 5; i++) { // drain what is in flight
        fleet.clock.advance(Duration.ofSeconds(1));
        fleet.tickAll();
      }
      long duplicates = fleet.members.stream().mapToLong(m -> m.sliPush().duplicateBatches()).sum();
      long[] fleetNew = fleet.fleetCounts(1, "new");
      long[] fleetOld = fleet.fleetCounts(1, "old");
      System.out.println("exactly-once: recorded " + (calls[0] + calls[1]) + " calls (" + (errors[0] + errors[1])
          + " errors) on 3 replicas; the fleet counts " + (fleetNew[0] + fleetOld[0]) + " (" + (fleetNew[1]
          + fleetOld[1]) + " errors); " + duplicates + " retried pushes had already arrived and were not counted again");
      assertThat(calls[0] + calls[1]).isEqualTo(3_000_000);
      assertThat(duplicates).isGreaterThan(300);
      assertThat(fleet.members).allSatisfy(m -> assertThat(m.sliPush().unpushedCalls()).isZero());
      assertThat(new long[] {fleetNew[0], fleetNew[1], fleetOld[0], fleetOld[1]})
          .containsExactly(calls[0], errors[0], calls[1], errors[1]);
      assertThat(fleet.members.stream().mapToLong(m -> m.sliPush().droppedCalls()).sum()).isZero();
    }
  }

  @Test
  @Timeout(120)
  void aFrozenRedisBlocksNoEvaluationAndCountsNothingTwiceWhenItThaws() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, plan(),
            b -> b.commandTimeout(Duration.ofMillis(100)))) {
      fleet.run(Duration.ofSeconds(30), 300);
      server.freeze(); // SIGSTOP: connections stay open, nothing answers
      try {
        fleet.run(Duration.ofSeconds(10), 300); // every tick times out; the replicas keep serving and recording
        long evaluations = 0;
        for (BurnguardProvider p : fleet.replicas) {
          for (int i = 0; i < 10_000; i++) {
            p.getBooleanEvaluation(FleetHarness.FLAG, false, new dev.openfeature.sdk.ImmutableContext("u" + i));
            evaluations++;
          }
        }
        assertThat(evaluations).isEqualTo(30_000);
        assertThat(fleet.replicas).allSatisfy(p -> assertThat(p.health().store().lastError())
            .startsWith("fleet store unreachable since "));
      } finally {
        server.thaw();
      }
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            fleet.clock.advance(Duration.ofSeconds(1));
            fleet.tickAll();
            return fleet.members.stream().allMatch(m -> m.sliPush().unpushedCalls() == 0
                && m.redis().unreachableSince() == null);
          });
      long fleetCalls = fleet.fleetCounts(0, "new")[0] + fleet.fleetCounts(0, "old")[0];
      System.out.println("frozen 10 s: recorded " + fleet.requests + " calls, the fleet counts " + fleetCalls);
      assertThat(fleetCalls).isEqualTo(fleet.requests);
      assertThat(fleet.replicas).allSatisfy(p -> assertThat(p.health().store().healthy()).isTrue());
    }
  }
}
