package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.RolloutPlan;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fleet-wide error budgets: every replica's policy reads the journey counts of the whole fleet, each call counted once. */
class FleetBudgetTest {
  private static final String FLAGS_WITH_SLO = FleetHarness.FLAGS.substring(0, FleetHarness.FLAGS.length() - 1)
      + ", \"slos\": {\"checkout\": {\"journey\": \"checkout\", \"availability\": 99.9, \"period\": \"28d\"}}}";

  @Test
  @Timeout(120)
  void theBudgetOfEveryReplicaIsTheSumOfWhatEachRecordedExactlyOnce() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 3, RolloutPlan.builder("old", "new").build(), b -> b,
            FLAGS_WITH_SLO)) {
      fleet.members.forEach(m -> m.budgets().loseReplies(seq -> seq % 3 == 0)); // every third reply lost: re-sent
      fleet.clock.advance(Duration.ofMinutes(58)); // the 300 s below cross a UTC hour
      Random random = new Random(16);
      long[][] recorded = new long[3][2];
      for (int s = 0; s < 300; s++) {
        for (int i = 0; i < 3; i++) {
          BurnguardProvider p = fleet.replicas.get(i);
          int calls = 20 + random.nextInt(40) * (i + 1); // unequal shares
          for (int c = 0; c < calls; c++) {
            boolean failed = random.nextInt(100) == 0;
            p.outcomes().recordJourney("checkout", 5_000_000L, failed ? Outcome.ERROR : Outcome.SUCCESS);
            recorded[i][0]++;
            recorded[i][1] += failed ? 1 : 0;
          }
        }
        fleet.second(0);
      }
      fleet.second(0); // every replica pushes its last second
      fleet.second(0); // ... and reads after all have pushed
      long calls = recorded[0][0] + recorded[1][0] + recorded[2][0];
      long bad = recorded[0][1] + recorded[1][1] + recorded[2][1];
      assertThat(bad).isGreaterThan(50);
      // the local counters saw what the test recorded (the journey hour split across two hours)
      long hour = Math.floorDiv(fleet.clock.now().getEpochSecond(), 3600);
      for (int i = 0; i < 3; i++) {
        long[] own = ProviderInternals.recorder(fleet.replicas.get(i)).journeys().counts("checkout", hour - 1, hour);
        assertThat(own).containsExactly(recorded[i][0], recorded[i][1]);
      }
      String key = "burnguard:{checkout-service}:budget:checkout|checkout|availability";
      assertThat(server.command("HLEN", key)).as("calls and bad calls of two hours").isEqualTo(":4");
      assertThat(Long.parseLong(server.command("HGET", key, (hour - 1) + ":c"))
          + Long.parseLong(server.command("HGET", key, hour + ":c"))).isEqualTo(calls);
      assertThat(Long.parseLong(server.command("HGET", key, (hour - 1) + ":b"))
          + Long.parseLong(server.command("HGET", key, hour + ":b"))).isEqualTo(bad);
      long duplicates = 0;
      for (int i = 0; i < 3; i++) {
        ErrorBudgetPolicy.Budget b = fleet.replicas.get(i).rollouts().errorBudgets().get("checkout");
        assertThat(b.calls()).as("replica %d's budget counts the fleet's calls", i).isEqualTo(calls);
        assertThat(b.badCalls()).as("replica %d's budget counts the fleet's bad calls", i).isEqualTo(bad);
        duplicates += fleet.members.get(i).budgets().duplicates();
      }
      assertThat(duplicates).as("re-sent pushes refused as duplicates").isGreaterThan(100);
      System.out.printf("fleet budget: 3 replicas recorded %d / %d / %d calls (%d bad in all); each replica's budget "
          + "counts %d calls, %d bad; %d re-sent pushes refused as duplicates%n", recorded[0][0], recorded[1][0],
          recorded[2][0], bad, calls, bad, duplicates);
    }
  }

}
