package dev.burnguard.spring.boot.internal;

import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.burnguard.time.Clock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;
import org.springframework.web.server.WebFilter;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * Internal, not for public use. Request-level SLIs in a web application: a servlet filter in a
 * servlet application, a {@code WebFilter} in a WebFlux application (never both: each is conditional
 * on its kind of application), either recording each request's outcome and latency against the
 * guarded flags it evaluated through one {@link RequestSliRecorder}; the hook that notes them; the
 * default outcome classifier; and the task decorator that carries a request's notes to the threads of
 * the application's task executor. Off with {@code burnguard.web.enabled=false}.
 */
@AutoConfiguration(after = BurnguardAutoConfiguration.class)
@ConditionalOnWebApplication
@ConditionalOnBean({BurnguardCore.class, OpenFeatureRegistration.class})
@ConditionalOnProperty(prefix = "burnguard.web", name = "enabled", matchIfMissing = true)
public class BurnguardWebAutoConfiguration {
  /** Early, so that the latency covers the other filters (security included). */
  static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

  @Bean
  @ConditionalOnMissingBean
  RequestOutcomeClassifier burnguardRequestOutcomeClassifier() {
    return RequestOutcomeClassifier.DEFAULT;
  }

  @Bean
  @ConditionalOnMissingBean(TaskDecorator.class)
  TaskDecorator burnguardTaskDecorator() {
    return new RequestFlagsTaskDecorator();
  }

  /** The recorder both filters use, with the hook that fills each request's holder registered. */
  private static RequestSliRecorder recorder(BurnguardCore core, Clock clock, RequestOutcomeClassifier classifier,
      OpenFeatureRegistration registration) {
    registration.addHook(new RequestFlagHook(core));
    return new RequestSliRecorder(core, clock, classifier);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({Filter.class, FilterRegistrationBean.class})
  static class Servlet {
    @Bean
    @ConditionalOnMissingBean(name = "burnguardRequestSliFilter")
    FilterRegistrationBean<Filter> burnguardRequestSliFilter(BurnguardCore core, Clock clock,
        RequestOutcomeClassifier classifier, OpenFeatureRegistration registration) {
      FilterRegistrationBean<Filter> bean = new FilterRegistrationBean<>(
          new RequestSliFilter(recorder(core, clock, classifier, registration)));
      bean.setDispatcherTypes(DispatcherType.REQUEST); // once per request; async completion is recorded by a listener
      bean.setOrder(FILTER_ORDER);
      bean.setName("burnguardRequestSliFilter");
      return bean;
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass({WebFilter.class, Mono.class})
  static class Reactive {
    @Bean
    @ConditionalOnMissingBean(name = "burnguardReactiveRequestSliFilter")
    WebFilter burnguardReactiveRequestSliFilter(BurnguardCore core, Clock clock, RequestOutcomeClassifier classifier,
        OpenFeatureRegistration registration) {
      return new ReactiveRequestSliFilter(recorder(core, clock, classifier, registration), FILTER_ORDER,
          ReactiveRequestSliFilter.contextPropagationPresent(Mono.class.getClassLoader()));
    }

    /**
     * Says once at startup when evaluations after a thread hop cannot count for their exchange
     * (see {@link ReactiveRequestSliFilter}): after every singleton, so after Spring Boot's
     * {@code spring.reactor.context-propagation} took effect.
     */
    @Bean
    static SmartInitializingSingleton burnguardContextPropagationCheck() {
      return () -> {
        if (!Hooks.isAutomaticContextPropagationEnabled()) {
          LoggerFactory.getLogger(ReactiveRequestSliFilter.class).warn("Burnguard's request-level SLIs count a "
              + "guarded flag for a WebFlux request only when it is evaluated on the thread that subscribed the "
              + "request; evaluations after a thread hop (a session lookup, publishOn, a WebClient call) are not "
              + "attributed. Set spring.reactor.context-propagation=auto, with io.micrometer:context-propagation on "
              + "the classpath, to attribute them all.");
        }
      };
    }
  }
}
