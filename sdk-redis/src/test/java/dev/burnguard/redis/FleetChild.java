package dev.burnguard.redis;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.util.List;

/**
 * A replica in its own JVM for {@link FleetProcessTest}: a provider on the system clock joined to
 * the fleet at {@code args[0]} as {@code args[1]}, its guardian ticking every 200 ms, evaluating
 * and recording traffic; it prints {@code LEADS} when it takes the lease, {@code FOLLOWS} when it
 * loses it, and
 * {@code ACK <version> <action>} for each decision the store acknowledged, until it is killed.
 */
public final class FleetChild {
  private FleetChild() {}

  public static void main(String[] args) throws Exception {
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(1, Duration.ofSeconds(2), 0),
        new Stage(5, Duration.ofSeconds(2), 0), new Stage(10, Duration.ofSeconds(2), 0),
        new Stage(25, Duration.ofSeconds(2), 0), new Stage(50, Duration.ofSeconds(2), 0),
        new Stage(100, Duration.ofSeconds(2), 0))).watch(Duration.ofDays(1)).build();
    FleetMember[] member = new FleetMember[1];
    RedisFleet fleet = RedisFleet.builder(args[0]).service("process-test").instanceId(args[1])
        .lease(Duration.ofSeconds(1)).build();
    BurnguardProvider provider = BurnguardProvider.builder()
        .source(FlagSource.inline(FleetHarness.FLAGS))
        .rollout(FleetHarness.FLAG, plan)
        .guardianTick(Duration.ofMillis(200))
        .fleet((clock, local) -> member[0] = (FleetMember) fleet.join(clock, local))
        .build();
    // a decision reaches the listeners only once the store acknowledged it (or, from another
    // replica, once it was read from Redis)
    provider.rollouts().onDecision(d -> System.out.println("ACK " + d.after().version() + " " + d.action()));
    provider.initialize(new ImmutableContext());
    java.util.concurrent.ScheduledExecutorService traffic = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    long[] user = {0};
    boolean[] leading = {false};
    traffic.scheduleAtFixedRate(() -> {
      for (int i = 0; i < 10; i++) {
        provider.getBooleanEvaluation(FleetHarness.FLAG, false, new ImmutableContext("user-" + (user[0]++ % 1000)));
      }
      if (leading[0] != member[0].leading()) {
        leading[0] = !leading[0];
        System.out.println((leading[0] ? "LEADS " : "FOLLOWS ") + args[1]);
      }
    }, 10, 10, java.util.concurrent.TimeUnit.MILLISECONDS);
    new java.util.concurrent.CountDownLatch(1).await(); // until killed
  }
}
