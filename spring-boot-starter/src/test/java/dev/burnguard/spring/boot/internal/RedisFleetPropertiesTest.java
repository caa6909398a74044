package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.Fleet;
import dev.burnguard.redis.RedisFleet;
import dev.burnguard.redis.RedisServer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.context.properties.ConfigurationPropertiesReportEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code burnguard.fleet.*}: a RedisFleet against a real redis-server that this test starts on a free
 * loopback port (sdk-redis's {@link RedisServer}: skipped with a message without redis-server on
 * PATH, a failure then with BURNGUARD_REDIS_REQUIRED=true), the application's own Fleet bean winning,
 * bad values failing startup naming the property, and the Redis password shown nowhere.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisFleetPropertiesTest {
  private static final String PASSWORD = "s3cret-fleet-pw";
  private static final AtomicInteger DOMAINS = new AtomicInteger();
  private static final JsonMapper JSON = new JsonMapper();

  @TempDir
  Path dir;

  private static String[] base() {
    return new String[] {"burnguard.flags.classpath=test-flags.json", "burnguard.guardian.ticking=false",
        "burnguard.domain=redis-fleet-properties-" + DOMAINS.incrementAndGet()};
  }

  @Test
  void thePropertiesBuildARedisFleetThatKeepsTheRolloutStateAndThePasswordIsShownNowhere(CapturedOutput output)
      throws Exception {
    try (RedisServer redis = RedisServer.start(PASSWORD)) {
      assertThat(redis.uri()).contains(PASSWORD);
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class,
              BurnguardActuatorAutoConfiguration.class, EndpointAutoConfiguration.class,
              EnvironmentEndpointAutoConfiguration.class, ConfigurationPropertiesReportEndpointAutoConfiguration.class))
          .withPropertyValues(base())
          .withPropertyValues("burnguard.fleet.redis-uri=" + redis.uri(), "burnguard.fleet.service=checkout",
              "burnguard.fleet.instance-id=replica-a", "burnguard.fleet.command-timeout=2s",
              "burnguard.fleet.lease=3s", "burnguard.fleet.decision-log-length=20",
              "management.endpoints.web.exposure.include=env,configprops,health,burnguard",
              "management.endpoint.env.show-values=always", "management.endpoint.configprops.show-values=always")
          .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Fleet fleet = ctx.getBean(Fleet.class);
            assertThat(fleet).isInstanceOf(RedisFleet.class);
            assertThat(fleet.toString()).contains("checkout", "replica-a").doesNotContain(PASSWORD);
            BurnguardProvider provider = ctx.getBean(BurnguardProvider.class);
            assertThat(provider.health().stateLocation()).contains("burnguard:{checkout}").doesNotContain(PASSWORD);

            // the rollout's state is in Redis, under the service's keys
            provider.rollouts().tick();
            provider.rollouts().pause("pricing", "person:test");
            assertThat(redis.command("KEYS", "burnguard:{checkout}:*")).startsWith("*").isNotEqualTo("*0");

            String env = JSON.writeValueAsString(
                ctx.getBean(EnvironmentEndpoint.class).environmentEntry("burnguard.fleet.redis-uri"));
            assertThat(env).contains("******").doesNotContain(PASSWORD);
            String configprops = JSON.writeValueAsString(
                ctx.getBean(ConfigurationPropertiesReportEndpoint.class).configurationPropertiesWithPrefix("burnguard"));
            assertThat(configprops).contains("redisUri").contains("checkout").doesNotContain(PASSWORD);
            String health = JSON.writeValueAsString(
                ctx.getBean("burnguardHealthIndicator", HealthIndicator.class).health(true));
            assertThat(health).contains("checkout").doesNotContain(PASSWORD);
            assertThat(JSON.writeValueAsString(ctx.getBean(BurnguardEndpoint.class).rollouts())).doesNotContain(PASSWORD);
          });
    }
    assertThat(output.getAll()).doesNotContain(PASSWORD);
  }

  @Test
  void theApplicationsOwnFleetBeanWins() {
    try (RedisServer redis = RedisServer.start()) {
      RedisFleet mine = RedisFleet.builder(redis.uri()).service("mine").instanceId("own-bean").build();
      runner().withBean(Fleet.class, () -> mine)
          .withPropertyValues("burnguard.fleet.redis-uri=redis://127.0.0.1:1", "burnguard.fleet.service=ignored")
          .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(Fleet.class)).isSameAs(mine);
            assertThat(ctx.getBean(BurnguardProvider.class).health().stateLocation()).contains("burnguard:{mine}");
          });
    }
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class))
        .withPropertyValues(base());
  }

  private void assertStartupFailure(String[] properties, String... messageParts) {
    runner().withPropertyValues(properties).run(ctx -> {
      assertThat(ctx).hasFailed();
      for (String part : messageParts) {
        assertThat(ctx.getStartupFailure()).hasStackTraceContaining(part);
      }
      assertThat(ctx.getStartupFailure().toString()).doesNotContain(PASSWORD);
      Throwable t = ctx.getStartupFailure();
      while (t != null) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
        t = t.getCause();
      }
    });
  }

  @Test
  void aMalformedRedisUriFailsStartupNamingThePropertyWithoutItsPassword() {
    assertStartupFailure(new String[] {"burnguard.fleet.redis-uri=http://:" + PASSWORD + "@127.0.0.1:6379",
        "burnguard.fleet.service=checkout"}, "burnguard.fleet.redis-uri", "must start with redis://");
    assertStartupFailure(new String[] {"burnguard.fleet.redis-uri=redis://:" + PASSWORD + "@127.0.0.1:99999",
        "burnguard.fleet.service=checkout"}, "burnguard.fleet.redis-uri", "malformed Redis URI redis://***@");
  }

  @Test
  void aRedisUriWithoutServiceFailsStartupNamingTheProperty() {
    assertStartupFailure(new String[] {"burnguard.fleet.redis-uri=redis://127.0.0.1:6379"},
        "burnguard.fleet.service", "checkout-service");
  }

  @Test
  void badFleetValuesFailStartupNamingTheProperty() {
    String uri = "burnguard.fleet.redis-uri=redis://127.0.0.1:6379";
    assertStartupFailure(new String[] {uri, "burnguard.fleet.service=checkout", "burnguard.fleet.lease=100ms"},
        "burnguard.fleet.lease", "at least 1 s");
    assertStartupFailure(new String[] {uri, "burnguard.fleet.service=checkout", "burnguard.fleet.command-timeout=5ms"},
        "burnguard.fleet.command-timeout", "between 10 ms and 1 min");
    assertStartupFailure(new String[] {uri, "burnguard.fleet.service=checkout", "burnguard.fleet.decision-log-length=3"},
        "burnguard.fleet.decision-log-length", "at least 10");
    assertStartupFailure(new String[] {uri, "burnguard.fleet.service=checkout", "burnguard.fleet.instance-id= "},
        "burnguard.fleet.instance-id");
  }

  @Test
  void fleetSettingsWithoutARedisUriFailStartupNamingThem() {
    assertStartupFailure(new String[] {"burnguard.fleet.service=checkout"}, "burnguard.fleet.service",
        "burnguard.fleet.redis-uri");
  }

  @Test
  void aFleetAndAStateDirectoryFailStartupNamingTheProperty() {
    assertStartupFailure(new String[] {"burnguard.fleet.redis-uri=redis://:" + PASSWORD + "@127.0.0.1:6379",
        "burnguard.fleet.service=checkout", "burnguard.state.directory=" + dir},
        "burnguard.state.directory", "keeps the rollout state");
  }
}
