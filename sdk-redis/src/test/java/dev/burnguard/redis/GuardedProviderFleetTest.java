package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.GuardedProvider;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 item 3 on the fleet store of issue 14: a vendor's flag guarded by {@link GuardedProvider}
 * on several replicas shares one rollout through Redis, like Burnguard's own flags — a manual rollback
 * on one replica is served by every replica, and a replica that joins later (an empty disk) takes the
 * fleet's state instead of starting the rollout again.
 */
class GuardedProviderFleetTest {
  private static final String FLAG = "new-search";
  private static final RolloutPlan PLAN = RolloutPlan.builder("old", "new")
      .stages(List.of(new Stage(50, Duration.ofMinutes(15), 0), new Stage(100, Duration.ofMinutes(15), 0)))
      .watch(Duration.ofDays(1)).build();

  private final ManualClock clock = new ManualClock();
  private final List<GuardedProvider> replicas = new ArrayList<>();

  private GuardedProvider replica(String uri, String instanceId) throws Exception {
    InMemoryProvider vendor = new InMemoryProvider(Map.of(FLAG, Flag.<Boolean>builder()
        .variant("new", true).variant("old", false).defaultVariant("new").build()));
    GuardedProvider p = GuardedProvider.builder(vendor).clock(clock).guardianTicking(false)
        .rollout(FLAG, PLAN)
        .fleet(RedisFleet.builder(uri).service("search-service").instanceId(instanceId).build())
        .build();
    p.initialize(new ImmutableContext());
    replicas.add(p);
    return p;
  }

  private void tickAll() {
    clock.advance(Duration.ofSeconds(1));
    replicas.forEach(p -> p.rollouts().tick());
    replicas.forEach(p -> p.rollouts().tick()); // every replica reads after all have written
  }

  /** How many of 200 users {@code p} serves the candidate ({@code true}). */
  private static int servedCandidate(GuardedProvider p) {
    int n = 0;
    for (int u = 0; u < 200; u++) {
      if (p.getBooleanEvaluation(FLAG, false, new ImmutableContext("user-" + u)).getValue()) {
        n++;
      }
    }
    return n;
  }

  @Test
  @Timeout(120)
  void aGuardedVendorFlagSharesOneRolloutAcrossTheFleet() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      try {
        GuardedProvider a = replica(server.uri(), "replica-a");
        GuardedProvider b = replica(server.uri(), "replica-b");
        for (int s = 0; s < 3; s++) {
          tickAll();
        }
        RolloutState started = a.rollouts().state(FLAG).orElseThrow();
        assertThat(started.status()).isEqualTo(RolloutStatus.RAMPING);
        assertThat(started.exposure()).isEqualTo(0.5);
        assertThat(b.rollouts().state(FLAG)).contains(started);
        int onA = servedCandidate(a);
        assertThat(onA).as("users served the candidate at 50 %").isBetween(60, 140);
        assertThat(servedCandidate(b)).as("the same users on the other replica").isEqualTo(onA);

        a.rollouts().rollback(FLAG, "person:test");
        tickAll();
        RolloutState rolledBack = a.rollouts().state(FLAG).orElseThrow();
        assertThat(rolledBack.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(b.rollouts().state(FLAG)).as("replica-b serves replica-a's rollback").contains(rolledBack);
        assertThat(servedCandidate(b)).isZero();

        GuardedProvider c = replica(server.uri(), "replica-c"); // a new pod with an empty disk
        tickAll();
        assertThat(c.rollouts().state(FLAG)).as("the new replica takes the fleet's state").contains(rolledBack);
        assertThat(servedCandidate(c)).isZero();
        assertThat(c.rollouts().recentDecisions(FLAG)).extracting(d -> d.action().name()).contains("ROLLBACK");
      } finally {
        replicas.forEach(GuardedProvider::shutdown);
      }
    }
  }
}
