package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.store.InMemoryRolloutStore;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.source.FlagSource;
import dev.burnguard.spring.boot.BurnguardProviderCustomizer;
import dev.burnguard.time.Clock;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class BurnguardAutoConfigurationTest {
  private static final AtomicInteger DOMAINS = new AtomicInteger();

  @TempDir
  Path dir;

  /** A runner on its own OpenFeature domain, so that tests do not share a registration. */
  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class))
        .withPropertyValues("burnguard.domain=autoconfig-" + DOMAINS.incrementAndGet());
  }

  private static String flagsOnClasspath() {
    return "burnguard.flags.classpath=test-flags.json";
  }

  @Test
  void propertiesBindIntoTheProviderAndTheClientServesTheFlags() throws IOException {
    Path flags = dir.resolve("flags.json");
    try (InputStream in = getClass().getResourceAsStream("/test-flags.json")) {
      Files.copy(in, flags);
    }
    runner().withPropertyValues("burnguard.flags.file=" + flags, "burnguard.flags.poll-interval=50ms",
            "burnguard.state.directory=" + dir.resolve("state"), "burnguard.guardian.tick=250ms",
            "burnguard.latency-thresholds=100ms,2s", "burnguard.init-timeout=5s")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(BurnguardProvider.class).hasSingleBean(Client.class);
          BurnguardProvider provider = ctx.getBean(BurnguardProvider.class);
          assertThat(provider.outcomes().latencyThresholds()).containsExactly(Duration.ofMillis(100), Duration.ofSeconds(2));
          assertThat(provider.health().stateLocation()).isEqualTo(dir.resolve("state").toString());
          assertThat(provider.flagSet()).hasValueSatisfying(f -> assertThat(f.origin()).contains("flags.json"));
          Client client = ctx.getBean(Client.class);
          assertThat(client.getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value("alice")))))
              .isEqualTo("new");
          assertThat(ctx.getBean(Clock.class)).isSameAs(Clock.system());
        });
  }

  @Test
  void readsFlagsFromAUrl() throws IOException {
    byte[] body;
    try (InputStream in = getClass().getResourceAsStream("/test-flags.json")) {
      body = in.readAllBytes();
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/flags.json", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      runner().withPropertyValues("burnguard.flags.url=http://127.0.0.1:" + server.getAddress().getPort() + "/flags.json",
              "burnguard.state.in-memory=true")
          .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(Client.class).getStringValue("banner", "none")).isEqualTo("plain");
            assertThat(ctx.getBean(BurnguardProvider.class).health().stateLocation()).isEqualTo("memory");
          });
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aGuardianTickBelowTheMinimumFailsStartupNamingTheProperty() {
    assertStartupFailure("burnguard.guardian.tick=5ms",
        "Property burnguard.guardian.tick with value 'PT0.005S' is invalid: guardianTick must be at least 10 ms");
  }

  @Test
  void aTickIntervalWithTheTimerOffFailsStartupNamingBothProperties() {
    assertStartupFailure("burnguard.guardian.tick=5s|burnguard.guardian.ticking=false",
        "Property burnguard.guardian.tick with value 'PT5S' is invalid: the guardian does not tick on a timer with"
            + " burnguard.guardian.ticking=false; remove one");
  }

  @Test
  void theTimerOffWithTheDefaultTickStartsWithoutATimer() {
    runner().withPropertyValues(flagsOnClasspath()).withPropertyValues("burnguard.guardian.ticking=false",
        "burnguard.state.in-memory=true")
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(BurnguardProvider.class));
  }

  @Test
  void aDurationThatDoesNotParseFailsStartupNamingTheProperty() {
    assertStartupFailure("burnguard.guardian.tick=soon", "burnguard.guardian.tick", "soon");
  }

  @Test
  void tooManyLatencyThresholdsFailStartupNamingTheProperty() {
    assertStartupFailure("burnguard.latency-thresholds=1ms,2ms,3ms,4ms", "burnguard.latency-thresholds", "3");
  }

  @Test
  void aNegativeInitTimeoutFailsStartupNamingTheProperty() {
    assertStartupFailure("burnguard.init-timeout=-1s", "burnguard.init-timeout", "positive");
  }

  @Test
  void twoFlagSourcesFailStartupNamingBoth() {
    assertStartupFailure("burnguard.flags.url=http://127.0.0.1:1/flags.json", "burnguard.flags.classpath",
        "burnguard.flags.url");
  }

  @Test
  void aStateDirectoryAndInMemoryStateFailStartupNamingBoth() {
    assertStartupFailure("burnguard.state.in-memory=true|burnguard.state.directory=" + dir, "burnguard.state.directory",
        "burnguard.state.in-memory");
  }

  @Test
  void noFlagSourceFailsStartupNamingTheProperties() {
    runner().run(ctx -> assertThat(ctx).hasFailed().getFailure()
        .rootCause().hasMessageContaining("burnguard.flags.file").hasMessageContaining("burnguard.flags.classpath")
        .hasMessageContaining("burnguard.flags.url"));
  }

  @Test
  void flagsThatCannotBeLoadedFailStartupNamingTheSourceProperty() {
    runner().withPropertyValues("burnguard.flags.file=" + dir.resolve("missing.json"), "burnguard.init-timeout=2s")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().satisfiesAnyOf(
            e -> assertThat(e).hasMessageContaining("burnguard.flags.file=" + dir.resolve("missing.json")),
            e -> assertThat(ctx.getStartupFailure()).hasStackTraceContaining(
                "burnguard.flags.file=" + dir.resolve("missing.json"))));
  }

  private void assertStartupFailure(String properties, String... messageParts) {
    runner().withPropertyValues(flagsOnClasspath()).withPropertyValues(properties.split("[|]"))
        .run(ctx -> {
          assertThat(ctx).hasFailed();
          assertThat(ctx.getStartupFailure()).hasStackTraceContaining(messageParts[0]);
          for (String part : messageParts) {
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining(part);
          }
        });
  }

  @Test
  void theApplicationsBeansWin() {
    BurnguardProvider own = BurnguardProvider.builder().source(FlagSource.classpath("test-flags.json"))
        .inMemoryRolloutState().build();
    runner().withBean(BurnguardProvider.class, () -> own)
        .withBean("myClock", Clock.class, ManualClock::new)
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(BurnguardProvider.class)).isSameAs(own);
          assertThat(ctx.getBean(Clock.class)).isInstanceOf(ManualClock.class);
          assertThat(ctx.getBean(Client.class).getStringValue("banner", "none")).isEqualTo("plain");
        });
    Client mine = OpenFeatureAPI.getInstance().getClient("mine");
    runner().withPropertyValues(flagsOnClasspath()).withBean(Client.class, () -> mine)
        .run(ctx -> assertThat(ctx.getBean(Client.class)).isSameAs(mine));
  }

  @Test
  void aRolloutStoreBeanKeepsTheRolloutStateAndCustomizersApply() {
    InMemoryRolloutStore store = new InMemoryRolloutStore(10);
    runner().withPropertyValues(flagsOnClasspath())
        .withBean(RolloutStore.class, () -> store)
        .withBean(BurnguardProviderCustomizer.class, () -> b -> b.latencyThresholds(Duration.ofMillis(42)))
        .run(ctx -> {
          BurnguardProvider provider = ctx.getBean(BurnguardProvider.class);
          assertThat(provider.rolloutStore()).isSameAs(store);
          assertThat(provider.outcomes().latencyThresholds()).containsExactly(Duration.ofMillis(42));
          assertThat(provider.rollouts().states()).containsKey("pricing");
        });
  }

  @Test
  void aRolloutStoreBeanAndAStateDirectoryFailStartupNamingTheProperty() {
    runner().withPropertyValues(flagsOnClasspath(), "burnguard.state.directory=" + dir)
        .withBean(RolloutStore.class, () -> new InMemoryRolloutStore(10))
        .run(ctx -> assertThat(ctx.getStartupFailure()).hasStackTraceContaining("burnguard.state.directory")
            .hasStackTraceContaining("RolloutStore bean"));
  }

  @Test
  void disabledLeavesEveryBeanOut() {
    runner().withPropertyValues("burnguard.enabled=false")
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(BurnguardProvider.class)
            .doesNotHaveBean(Client.class));
  }

  @Test
  void closingTheContextShutsTheProviderDownAndUnregistersIt() {
    String domain = "closing-" + DOMAINS.incrementAndGet();
    BurnguardProvider[] seen = new BurnguardProvider[1];
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class))
        .withPropertyValues("burnguard.domain=" + domain, flagsOnClasspath(), "burnguard.state.directory=" + dir)
        .run(ctx -> {
          seen[0] = ctx.getBean(BurnguardProvider.class);
          assertThat(OpenFeatureAPI.getInstance().getProvider(domain)).isSameAs(seen[0]);
          assertThat(seen[0].flagSet()).isPresent();
        });
    assertThat(seen[0].flagSet()).isEmpty();
    assertThat(OpenFeatureAPI.getInstance().getProvider(domain)).isNotSameAs(seen[0]);
    // the state directory was released: a new provider opens it
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class))
        .withPropertyValues("burnguard.domain=" + domain, flagsOnClasspath(), "burnguard.state.directory=" + dir)
        .run(ctx -> assertThat(ctx.getBean(BurnguardProvider.class).health().warnings()).isEmpty());
  }

  @Test
  void theMetadataDescribesEveryProperty() throws IOException {
    String metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      metadata = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    for (String name : List.of("burnguard.flags.file", "burnguard.flags.classpath", "burnguard.flags.url",
        "burnguard.flags.poll-interval", "burnguard.state.directory", "burnguard.state.in-memory",
        "burnguard.guardian.tick", "burnguard.guardian.ticking", "burnguard.latency-thresholds",
        "burnguard.init-timeout", "burnguard.domain", "burnguard.enabled", "burnguard.web.enabled",
        "burnguard.fleet.redis-uri", "burnguard.fleet.service", "burnguard.fleet.instance-id",
        "burnguard.fleet.command-timeout", "burnguard.fleet.lease", "burnguard.fleet.decision-log-length",
        "burnguard.fleet.cluster")) {
      assertThat(metadata).contains("\"name\": \"" + name + "\"");
    }
  }
}
