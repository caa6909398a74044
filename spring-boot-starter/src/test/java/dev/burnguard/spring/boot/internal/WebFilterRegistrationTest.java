package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/** Which request filter registers in which kind of application (both APIs are on this test classpath). */
class WebFilterRegistrationTest {
  private static final AtomicInteger DOMAINS = new AtomicInteger();
  private static final AutoConfigurations CONFIGS =
      AutoConfigurations.of(BurnguardAutoConfiguration.class, BurnguardWebAutoConfiguration.class);

  private static String[] properties() {
    return new String[] {"burnguard.flags.classpath=test-flags.json", "burnguard.state.in-memory=true",
        "burnguard.domain=web-filter-registration-" + DOMAINS.incrementAndGet()};
  }

  @Test
  void aServletApplicationGetsTheServletFilterOnly() {
    new WebApplicationContextRunner().withConfiguration(CONFIGS).withPropertyValues(properties()).run(ctx -> {
      assertThat(ctx).hasNotFailed().hasBean("burnguardRequestSliFilter")
          .doesNotHaveBean("burnguardReactiveRequestSliFilter").doesNotHaveBean(WebFilter.class);
      assertThat(ctx.getBean("burnguardRequestSliFilter", FilterRegistrationBean.class).getFilter())
          .isInstanceOf(RequestSliFilter.class);
    });
  }

  @Test
  void aWebFluxApplicationGetsTheWebFilterOnly() {
    new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGS).withPropertyValues(properties()).run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean("burnguardRequestSliFilter")
          .doesNotHaveBean(FilterRegistrationBean.class);
      assertThat(ctx.getBean("burnguardReactiveRequestSliFilter")).isInstanceOf(ReactiveRequestSliFilter.class);
      // Micrometer's context-propagation is on this test classpath: Reactor may read the Context entry
      assertThat(ctx.getBean("burnguardReactiveRequestSliFilter", ReactiveRequestSliFilter.class)
          .carriesHolderInContext()).isTrue();
    });
  }

  /** The rule for the WebFlux holder's Context entry: written only when the library that reads it is there. */
  @Test
  void theContextEntryIsWrittenOnlyWhereContextPropagationLoads() {
    assertThat(ReactiveRequestSliFilter.contextPropagationPresent(Mono.class.getClassLoader())).isTrue();
    assertThat(ReactiveRequestSliFilter.contextPropagationPresent(
        new FilteredClassLoader("io.micrometer.context."))).isFalse();
  }

  @Test
  void aNonWebApplicationGetsNeither() {
    new ApplicationContextRunner().withConfiguration(CONFIGS).withPropertyValues(properties()).run(ctx ->
        assertThat(ctx).hasNotFailed().doesNotHaveBean("burnguardRequestSliFilter")
            .doesNotHaveBean("burnguardReactiveRequestSliFilter"));
  }

  @Test
  void webEnabledFalseLeavesBothOut() {
    new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGS).withPropertyValues(properties())
        .withPropertyValues("burnguard.web.enabled=false").run(ctx ->
            assertThat(ctx).hasNotFailed().doesNotHaveBean("burnguardReactiveRequestSliFilter"));
    new WebApplicationContextRunner().withConfiguration(CONFIGS).withPropertyValues(properties())
        .withPropertyValues("burnguard.web.enabled=false").run(ctx ->
            assertThat(ctx).hasNotFailed().doesNotHaveBean("burnguardRequestSliFilter"));
  }
}
