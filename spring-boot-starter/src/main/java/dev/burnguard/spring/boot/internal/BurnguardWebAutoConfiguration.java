package dev.burnguard.spring.boot.internal;

import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.burnguard.time.Clock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;

/**
 * Internal, not for public use. Request-level SLIs in a servlet web application: the filter that
 * records each request's outcome and latency against the guarded flags it evaluated, the hook that
 * notes them, the default outcome classifier and the task decorator that carries a request's notes
 * to the threads of the application's task executor. Off with {@code burnguard.web.enabled=false}.
 */
@AutoConfiguration(after = BurnguardAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, FilterRegistrationBean.class})
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
  @ConditionalOnMissingBean(name = "burnguardRequestSliFilter")
  FilterRegistrationBean<Filter> burnguardRequestSliFilter(BurnguardCore core, Clock clock,
      RequestOutcomeClassifier classifier, OpenFeatureRegistration registration) {
    registration.addHook(new RequestFlagHook(core));
    FilterRegistrationBean<Filter> bean = new FilterRegistrationBean<>(new RequestSliFilter(core, clock, classifier));
    bean.setDispatcherTypes(DispatcherType.REQUEST); // once per request; async completion is recorded by a listener
    bean.setOrder(FILTER_ORDER);
    bean.setName("burnguardRequestSliFilter");
    return bean;
  }

  @Bean
  @ConditionalOnMissingBean(TaskDecorator.class)
  TaskDecorator burnguardTaskDecorator() {
    return new RequestFlagsTaskDecorator();
  }
}
