package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Correctness from the compare-and-set, not from the lease: two replicas that both act as the
 * decider, ticking at the same moments on two threads and mixing in manual actions, still leave a
 * decision log that is one legal sequence with one decision per version.
 */
class FleetDecidersTest {
  /** Stages that bake 10 s, so the rollout keeps moving; a person pauses, resumes, promotes, resets. */
  private static RolloutPlan plan() {
    return RolloutPlan.builder("old", "new").stages(List.of(new Stage(5, Duration.ofSeconds(10), 0),
        new Stage(25, Duration.ofSeconds(10), 0), new Stage(100, Duration.ofSeconds(10), 0)))
        .watch(Duration.ofSeconds(20)).build();
  }

  @Test
  @Timeout(240)
  void twoForcedDecidersTimesTenThousandTicksRecordOneDecisionPerVersion() throws Exception {
    int ticks = 10_000;
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 2, plan(),
            b -> b.forceLeader().decisionLogLength(100_000).withoutNotifications())) {
      CyclicBarrier together = new CyclicBarrier(2);
      AtomicLong refused = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int r = 0; r < 2; r++) {
        BurnguardProvider p = fleet.replicas.get(r);
        Random random = new Random(r);
        Thread t = new Thread(() -> {
          try {
            for (int i = 0; i < ticks; i++) {
              together.await();
              if (r(random) == 0) {
                fleet.clock.advance(Duration.ofSeconds(2)); // both threads may advance: time only moves on
              }
              p.rollouts().tick();
              int action = random.nextInt(40);
              try {
                switch (action) {
                  case 0 -> p.rollouts().pause(FleetHarness.FLAG, "person:" + Thread.currentThread().getName());
                  case 1 -> p.rollouts().resume(FleetHarness.FLAG, "person:" + Thread.currentThread().getName());
                  case 2 -> p.rollouts().promote(FleetHarness.FLAG, "person:" + Thread.currentThread().getName());
                  case 3 -> p.rollouts().reset(FleetHarness.FLAG, "person:" + Thread.currentThread().getName());
                  default -> { }
                }
              } catch (IllegalStateException notNow) {
                refused.incrementAndGet(); // e.g. resume of a rollout that is not paused
              }
            }
          } catch (Throwable e) {
            failures.add(e);
            together.reset();
          }
        }, "decider-" + r);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failures).isEmpty();
      List<Decision> log = fleet.members.get(0).redis().decisions(FleetHarness.FLAG, 200_000).stream()
          .map(json -> dev.burnguard.internal.store.RolloutJson.readDecision(
              dev.burnguard.internal.json.JsonReader.read(json), "log")).toList();
      Map<Long, Integer> perVersion = new HashMap<>();
      for (int i = 0; i < log.size(); i++) {
        Decision d = log.get(i);
        perVersion.merge(d.after().version(), 1, Integer::sum);
        if (i > 0) {
          assertThat(d.before()).as("decision %d is made on the state decision %d left", i, i - 1)
              .isEqualTo(log.get(i - 1).after());
          assertThat(d.after().version()).isEqualTo(d.before().version() + 1);
        }
      }
      Map<String, Long> byActor = new HashMap<>();
      log.forEach(d -> byActor.merge(d.actor().replaceAll("decider-\\d", "decider"), 1L, Long::sum));
      System.out.println("two forced deciders x " + ticks + " ticks: " + log.size() + " decisions for "
          + perVersion.size() + " versions (" + byActor + "); " + refused.get() + " manual actions refused on the "
          + "state then stored");
      assertThat(perVersion.values()).allMatch(n -> n == 1);
      assertThat(log.size()).isGreaterThan(500);
      fleet.tickAll();
      assertThat(fleet.state(0)).isEqualTo(fleet.state(1));
    }
  }

  private static int r(Random random) {
    return random.nextInt(2);
  }
}
