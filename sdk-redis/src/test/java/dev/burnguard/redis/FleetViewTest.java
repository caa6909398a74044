package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.guardian.StageCounts;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every replica reports of its fleet (dashboards, {@link RedisFleet#status()}, the guardian's
 * health): the same fleet-wide counts the decider judges, each instance's calls and the decider,
 * whichever replica is asked.
 */
class FleetViewTest {
  private static final RolloutPlan HALF = RolloutPlan.builder("old", "new")
      .stages(List.of(new Stage(50, Duration.ofMinutes(15), 0), new Stage(100, Duration.ofMinutes(15), 0)))
      .watch(Duration.ofDays(1)).build();

  @Test
  @Timeout(120)
  void everyReplicaReportsTheFleetWideCountsEachInstancesCallsAndTheDecider() {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, HALF, b -> b)) {
      fleet.fleets.forEach(f -> assertThat(f.status()).isPresent()); // asked: the ticks read the view from now on
      fleet.run(Duration.ofSeconds(100), 30); // less than 2 minutes from a whole minute: every push in the view
      fleet.fleets.forEach(f -> assertThat(f.status()).isPresent()); // asked again, as a dashboard polls
      fleet.second(0); // every replica pushes its last second, then reads
      fleet.second(0); // ... and every replica reads after all have pushed

      List<RedisFleet.Status> status = fleet.fleets.stream().map(f -> f.status().orElseThrow()).toList();
      long deciders = status.stream().filter(RedisFleet.Status::deciding).count();
      assertThat(deciders).isEqualTo(1);
      String decider = status.stream().filter(RedisFleet.Status::deciding).findFirst().orElseThrow().instanceId();
      long[] recorded = {0, 0};
      for (var p : fleet.replicas) {
        recorded[0] += p.outcomes().counts(FleetHarness.FLAG, "new", Duration.ofHours(1)).calls();
        recorded[1] += p.outcomes().counts(FleetHarness.FLAG, "old", Duration.ofHours(1)).calls();
      }
      assertThat(recorded[0]).isGreaterThan(1000);
      assertThat(recorded[1]).isGreaterThan(1000);
      for (int i = 0; i < 3; i++) {
        RedisFleet.Status s = status.get(i);
        assertThat(s.instanceId()).isEqualTo("replica-" + i);
        assertThat(s.fleetWide()).as("replica-%d reads the fleet's sums", i).isTrue();
        assertThat(s.counts(FleetHarness.FLAG, "new", Duration.ofHours(1)).calls()).isEqualTo(recorded[0]);
        assertThat(s.counts(FleetHarness.FLAG, "old", Duration.ofHours(1)).calls()).isEqualTo(recorded[1]);
        assertThat(s.decider()).contains(decider);
        assertThat(s.instanceCalls()).containsOnlyKeys("replica-0", "replica-1", "replica-2");
        for (int r = 0; r < 3; r++) {
          assertThat(s.instanceCalls().get("replica-" + r)).as("replica-%d's calls as replica-%d reads them", r, i)
              .isEqualTo(fleet.recordedCalls[r]);
        }
        assertThat(s.problem()).isEmpty();
        assertThat(s.unreachableSince()).isEmpty();
        assertThat(s.droppedCalls()).isZero();
        assertThat(s.unpushedCalls()).isZero();
      }
      System.out.printf("fleet view: decider %s; every replica reads new=%d old=%d calls over 1 h; instances %s%n",
          decider, recorded[0], recorded[1], status.get(0).instanceCalls());
    }
  }

  @Test
  @Timeout(120)
  void aReplicaThatDoesNotDecideReportsTheHealthTheDeciderJudges() {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, HALF, b -> b)) {
      fleet.errors("new", 0.02);
      fleet.run(Duration.ofSeconds(90), 30);
      fleet.second(0);
      fleet.second(0);
      int decider = fleet.members.indexOf(fleet.members.stream().filter(FleetMember::leading).findFirst().orElseThrow());
      RolloutHealth judged = fleet.replicas.get(decider).rollouts().health(FleetHarness.FLAG).orElseThrow();
      assertThat(judged.at()).isEqualTo(fleet.clock.now());
      long fleetCalls = judged.windows().stream().filter(w -> w.variant().equals("new")
          && w.window().equals(Duration.ofHours(1))).mapToLong(RolloutHealth.VariantWindow::calls).findFirst()
          .orElseThrow();
      long recorded = fleet.replicas.stream().mapToLong(p -> p.outcomes().counts(FleetHarness.FLAG, "new",
          Duration.ofHours(1)).calls()).sum();
      assertThat(fleetCalls).isEqualTo(recorded);
      for (int i = 0; i < 3; i++) {
        if (i == decider) {
          continue;
        }
        assertThat(fleet.members.get(i).leading()).isFalse();
        RolloutHealth follower = fleet.replicas.get(i).rollouts().health(FleetHarness.FLAG).orElseThrow();
        assertThat(follower.at()).as("replica %d's health is of this tick", i).isEqualTo(fleet.clock.now());
        assertThat(follower.windows()).as("replica %d's windows", i).isEqualTo(judged.windows());
        assertThat(follower.state()).isEqualTo(judged.state());
        // ... taken from the decider's publication, not by reading every ring: the follower read the rings
        // itself only when it joined and at its full read every 60 ticks
        FleetSli sli = fleet.members.get(i).sliPush();
        assertThat(sli.followedReads()).as("replica %d's ticks that took the decider's read", i).isGreaterThan(80);
        assertThat(sli.ownReads()).as("replica %d's own reads of the rings", i).isBetween(1L, 4L);
      }
      Map<String, Long> byReplica = new java.util.TreeMap<>();
      for (int i = 0; i < 3; i++) {
        byReplica.put("replica-" + i, fleet.replicas.get(i).outcomes().counts(FleetHarness.FLAG, "new",
            Duration.ofHours(1)).calls());
      }
      System.out.printf("follower health: every replica's 1-h window of the candidate counts %d calls (the fleet's); "
          + "recorded locally %s%n", fleetCalls, byReplica);
    }
  }

  /** Three minutes of traffic, the candidate failing 0.5 % of its calls, then two quiet seconds: the decider's index. */
  private static int runUntilTheDeciderHasEvidence(FleetHarness fleet) {
    fleet.errors("new", 0.005);
    fleet.run(Duration.ofMinutes(3), 30);
    fleet.second(0);
    fleet.second(0);
    return fleet.members.indexOf(fleet.members.stream().filter(FleetMember::leading).findFirst().orElseThrow());
  }

  /** Every replica of the harness stops, and the clock moves past the decider's lease. */
  private static void stopEveryReplica(FleetHarness fleet) {
    for (int i = 0; i < fleet.replicas.size(); i++) {
      if (fleet.replicas.get(i) != null) {
        fleet.replicas.get(i).shutdown();
        fleet.replicas.set(i, null);
      }
    }
    fleet.clock.advance(Duration.ofSeconds(6)); // past the lease
  }

  @Test
  @Timeout(120)
  void theSequentialEvidenceSurvivesARestartOfTheWholeFleetWithoutStateDirectories() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, HALF, b -> b)) {
      int decider = runUntilTheDeciderHasEvidence(fleet);
      RolloutHealth before = fleet.replicas.get(decider).rollouts().health(FleetHarness.FLAG).orElseThrow();
      assertThat(before.candidateCalls()).isGreaterThan(2000);
      assertThat(server.command("EXISTS", "burnguard:{checkout-service}:evidence")).isEqualTo(":1");
      List<StageCounts.Stage> stagesBefore = ProviderInternals.guardian(fleet.replicas.get(decider))
          .stageCounts(FleetHarness.FLAG);
      assertThat(stagesBefore).singleElement().satisfies(s -> assertThat(s.candidateCalls()).isGreaterThan(2000));
      // every replica stops; three new ones start on the same Redis, no state directory
      stopEveryReplica(fleet);
      for (int i = 0; i < 3; i++) {
        fleet.add(server.uri(), HALF, RedisFleet.builder(server.uri()).service("checkout-service")
            .instanceId("restarted-" + i));
      }
      fleet.second(0);
      fleet.second(0);
      RolloutHealth after = fleet.replicas.get(3).rollouts().health(FleetHarness.FLAG).orElseThrow();
      System.out.printf("evidence across a fleet restart: %d candidate calls and ln R %s before, %d and %s after%n",
          before.candidateCalls(), before.checks().stream().map(c -> String.format("%.3f", c.logLikelihoodRatio()))
              .toList(), after.candidateCalls(), after.checks().stream().map(c -> String.format("%.3f",
              c.logLikelihoodRatio())).toList());
      assertThat(after.candidateCalls()).isEqualTo(before.candidateCalls());
      assertThat(after.checks()).extracting(c -> c.logLikelihoodRatio())
          .isEqualTo(before.checks().stream().map(c -> c.logLikelihoodRatio()).toList());
      assertThat(after.state()).isEqualTo(before.state());
      // the per-stage counts behind a rollout report came back with the evidence
      assertThat(ProviderInternals.guardian(fleet.replicas.get(3)).stageCounts(FleetHarness.FLAG))
          .isEqualTo(stagesBefore);
    }
  }

  @Test
  @Timeout(120)
  void aReplicaStartedWhileRedisDoesNotAnswerTakesTheKeptEvidenceOnceItAnswers() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, HALF, b -> b)) {
      int decider = runUntilTheDeciderHasEvidence(fleet);
      RolloutHealth before = fleet.replicas.get(decider).rollouts().health(FleetHarness.FLAG).orElseThrow();
      assertThat(before.candidateCalls()).isGreaterThan(2000);
      stopEveryReplica(fleet);
      // a new pod starts while Redis does not answer (frozen): it cannot read the kept evidence
      server.freeze();
      BurnguardProvider started;
      try {
        started = fleet.add(server.uri(), HALF, RedisFleet.builder(server.uri()).service("checkout-service")
            .instanceId("started-while-frozen").commandTimeout(Duration.ofMillis(200)));
        fleet.second(0);
      } finally {
        server.thaw();
      }
      // once Redis answers, its next ticks take the kept evidence: the tests go on where the fleet left them
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        fleet.second(0);
        assertThat(started.rollouts().health(FleetHarness.FLAG).orElseThrow().candidateCalls())
            .isEqualTo(before.candidateCalls());
      });
      RolloutHealth after = started.rollouts().health(FleetHarness.FLAG).orElseThrow();
      assertThat(after.checks()).extracting(c -> c.logLikelihoodRatio())
          .isEqualTo(before.checks().stream().map(c -> c.logLikelihoodRatio()).toList());
    }
  }
}
