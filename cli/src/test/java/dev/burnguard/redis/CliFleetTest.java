package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.cli.Cli;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.ImmutableContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 3: the store commands against a Redis fleet store while a replica of the service
 * runs on it — a real {@code redis-server} started by sdk-redis' {@link RedisServer} (skipped without
 * the binary; a failure with {@code BURNGUARD_REDIS_REQUIRED=true}). A change made by the command
 * line is a compare-and-set on the shared state that the running replica takes.
 */
class CliFleetTest {
  private static final String SERVICE = "checkout-service";
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true,"
      + " \"old\": false}, \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\","
      + " \"stages\": [{\"exposure\": 50, \"bake\": \"2m\"}, {\"exposure\": 100, \"bake\": \"2m\"}]}}}}";

  @TempDir Path dir;

  @Test
  void readsAndChangesTheFleetsRolloutWhileAReplicaRuns() throws Exception {
    Path flags = Files.writeString(dir.resolve("flags.json"), FLAGS);
    try (RedisServer redis = RedisServer.start()) {
      String uri = redis.uri();
      BurnguardProvider replica = BurnguardProvider.builder().source(FlagSource.file(flags))
          .fleet(RedisFleet.builder(uri).service(SERVICE).instanceId("replica-1").build()).guardianTicking(false).build();
      replica.initialize(new ImmutableContext());
      try {
        replica.rollouts().tick();
        Cli status = Cli.run("status", "--redis", uri, "--service", SERVICE);
        assertThat(status.code).as(status.toString()).isZero();
        assertThat(status.out).contains("fleet store of service \"checkout-service\"")
            .contains("checkout: RAMPING, stage 0, exposure 50.00 %");
        Cli other = Cli.run("status", "--redis", uri, "--service", "other-service");
        assertThat(other.code).isZero();
        assertThat(other.out).contains("No rollouts");

        Cli pause = Cli.run("pause", "--redis", uri, "--service", SERVICE, "--flags", flags.toString(), "--flag",
            "checkout", "--actor", "person:bob");
        assertThat(pause.code).as(pause.toString()).isZero();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          replica.rollouts().tick();
          assertThat(replica.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
        });
        Cli again = Cli.run("pause", "--redis", uri, "--service", SERVICE, "--flags", flags.toString(), "--flag",
            "checkout");
        assertThat(again.code).as(again.toString()).isEqualTo(4);
        Cli decisions = Cli.run("decisions", "--redis", uri, "--service", SERVICE, "--flag", "checkout");
        assertThat(decisions.code).as(decisions.toString()).isZero();
        assertThat(decisions.out.lines().count()).isEqualTo(2);
        assertThat(decisions.out).contains("PAUSE by person:bob");
        assertThat(replica.rollouts().recentDecisions("checkout")).extracting(d -> d.action())
            .containsExactly(DecisionAction.START, DecisionAction.PAUSE);
        Cli report = Cli.run("report", "--redis", uri, "--service", SERVICE, "--flag", "checkout", "--format", "json");
        assertThat(report.code).as(report.toString()).isZero();
        assertThat(report.out).contains("\"action\":\"PAUSE\"").contains("\"actor\":\"person:bob\"");
      } finally {
        replica.shutdown();
      }
    }
  }

  @Test
  void saysWhenRedisCannotBeReachedOrTheArgumentsAreWrong() throws Exception {
    int port = RedisServer.freePort(); // nothing listens there
    Cli down = Cli.run("status", "--redis", "redis://127.0.0.1:" + port, "--service", SERVICE);
    assertThat(down.code).as(down.toString()).isEqualTo(5);
    assertThat(down.err).contains("fleet store of service \"checkout-service\" cannot be read");
    Cli noService = Cli.run("status", "--redis", "redis://127.0.0.1:" + port);
    assertThat(noService.code).isEqualTo(2);
    assertThat(noService.err).contains("--redis needs --service");
    Cli badUri = Cli.run("status", "--redis", "http://127.0.0.1:" + port, "--service", SERVICE);
    assertThat(badUri.code).as(badUri.toString()).isEqualTo(2);
  }
}
