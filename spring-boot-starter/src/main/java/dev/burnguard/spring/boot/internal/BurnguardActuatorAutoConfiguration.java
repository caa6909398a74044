package dev.burnguard.spring.boot.internal;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import java.util.Locale;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Internal, not for public use. The {@code burnguard} Actuator endpoint (when exposed), the
 * {@code burnguard} health indicator (when Spring Boot's health support is present), and the
 * sanitizer that keeps the fleet's Redis URI out of the {@code env} and {@code configprops} endpoints.
 */
@AutoConfiguration(after = BurnguardAutoConfiguration.class)
@ConditionalOnBean(BurnguardCore.class)
public class BurnguardActuatorAutoConfiguration {
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    BurnguardEndpoint burnguardEndpoint(BurnguardCore core) {
      return new BurnguardEndpoint(core);
    }
  }

  /**
   * Hides {@code burnguard.fleet.redis-uri} (which may carry a password) from the {@code env} and
   * {@code configprops} endpoints even when they are set to show values: every key whose name, with
   * separators and case ignored, ends in {@code redisuri} shows as {@code ******}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SanitizingFunction.class)
  static class SanitizerConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "burnguardRedisUriSanitizer")
    SanitizingFunction burnguardRedisUriSanitizer() {
      return SanitizingFunction.sanitizeValue().ifKeyMatches(
          key -> key.toLowerCase(Locale.ROOT).replaceAll("[-_.\\[\\]]", "").endsWith("redisuri"));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  @ConditionalOnEnabledHealthIndicator("burnguard")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "burnguardHealthIndicator")
    HealthIndicator burnguardHealthIndicator(BurnguardCore core) {
      return new BurnguardHealthIndicator(core);
    }
  }
}
