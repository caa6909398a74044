package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.SpringVersion;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * The starter as built for Spring Boot 4, in applications on Spring Boot 3.5.7 (Spring Framework
 * 6.2): what works there, and the one thing that does not (the health indicator, whose Spring Boot 4
 * API does not exist in 3.5).
 */
class Boot35CompatibilityTest {
  private static final AtomicInteger DOMAINS = new AtomicInteger();
  private static final Duration WINDOW = Duration.ofMinutes(5);

  private static String[] properties() {
    return new String[] {"burnguard.flags.classpath=test-flags.json", "burnguard.state.in-memory=true",
        "burnguard.guardian.ticking=false", "burnguard.domain=boot35-" + DOMAINS.incrementAndGet()};
  }

  private static long[] counts(BurnguardProvider provider, String flag, String variant) {
    var c = provider.outcomes().counts(flag, variant, WINDOW);
    return new long[] {c.calls(), c.errors()};
  }

  @Test
  void theseTestsRunOnSpringBoot35() {
    assertThat(SpringBootVersion.getVersion()).isEqualTo("3.5.7");
    assertThat(SpringVersion.getVersion()).startsWith("6.2.");
  }

  @Test
  void thePropertiesBuildTheProviderAndTheClientServesTheFlags() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class))
        .withPropertyValues(properties()).run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(BurnguardProvider.class);
          assertThat(ctx.getBean(Client.class)
              .getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value("alice")))))
              .isEqualTo("new");
        });
  }

  @Test
  void aBadPropertyFailsStartupNamingIt() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class))
        .withPropertyValues(properties()).withPropertyValues("burnguard.guardian.tick=5ms")
        .run(ctx -> assertThat(ctx.getStartupFailure()).hasStackTraceContaining("burnguard.guardian.tick"));
  }

  @Test
  void theServletFilterAttributesARequestsOutcomeToTheVariantItWasServed() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class, BurnguardWebAutoConfiguration.class))
        .withPropertyValues(properties()).run(ctx -> {
          assertThat(ctx).hasNotFailed().doesNotHaveBean(WebFilter.class);
          BurnguardProvider provider = ctx.getBean(BurnguardProvider.class);
          Client client = ctx.getBean(Client.class);
          Filter filter = ctx.getBean("burnguardRequestSliFilter", FilterRegistrationBean.class).getFilter();
          long[] before = counts(provider, "checkout", "new");
          filter.doFilter(new MockHttpServletRequest("GET", "/checkout"), new MockHttpServletResponse(), (req, res) -> {
            client.getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value("alice"))));
            ((HttpServletResponse) res).setStatus(503);
          });
          long[] after = counts(provider, "checkout", "new");
          assertThat(new long[] {after[0] - before[0], after[1] - before[1]}).containsExactly(1, 1);
        });
  }

  @Test
  void theWebFluxFilterAttributesAnExchangesOutcomeToTheVariantItWasServed() {
    new ReactiveWebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class, BurnguardWebAutoConfiguration.class))
        .withPropertyValues(properties()).run(ctx -> {
          assertThat(ctx).hasNotFailed().doesNotHaveBean(FilterRegistrationBean.class);
          BurnguardProvider provider = ctx.getBean(BurnguardProvider.class);
          Client client = ctx.getBean(Client.class);
          WebFilter filter = ctx.getBean("burnguardReactiveRequestSliFilter", WebFilter.class);
          MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/checkout"));
          long[] before = counts(provider, "checkout", "old");
          filter.filter(exchange, ex -> {
            client.getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value("bob"))));
            ex.getResponse().setStatusCode(HttpStatus.OK);
            return Mono.empty();
          }).block(Duration.ofSeconds(10));
          long[] after = counts(provider, "checkout", "old");
          assertThat(new long[] {after[0] - before[0], after[1] - before[1]}).containsExactly(1, 0);
        });
  }

  @Test
  void theMetersBind() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class,
            BurnguardMetricsAutoConfiguration.class))
        .withPropertyValues(properties()).run(ctx -> {
          MeterRegistry registry = new SimpleMeterRegistry();
          ctx.getBean(BurnguardMeters.class).bindTo(registry);
          assertThat(registry.get(BurnguardMeters.EXPOSURE).tag("flag", "pricing").gauge().value()).isEqualTo(0.5);
          assertThat(registry.get(BurnguardMeters.BURN_RATE).tag("flag", "pricing").gauges()).hasSize(4);
        });
  }

  @Test
  void theEndpointWorksButTheHealthIndicatorIsMissingOnSpringBoot35() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class,
            BurnguardActuatorAutoConfiguration.class, EndpointAutoConfiguration.class,
            HealthContributorAutoConfiguration.class))
        .withPropertyValues(properties())
        .withPropertyValues("management.endpoints.web.exposure.include=burnguard,health")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(BurnguardEndpoint.class).rollout("pricing")).containsEntry("status", "RAMPING");
          assertThat(ctx).doesNotHaveBean("burnguardHealthIndicator");
        });
  }
}
