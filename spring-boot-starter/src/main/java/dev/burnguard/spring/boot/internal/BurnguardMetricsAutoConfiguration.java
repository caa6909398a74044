package dev.burnguard.spring.boot.internal;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Internal, not for public use. Burnguard's Micrometer meters ({@link BurnguardMeters}) when
 * Micrometer is on the classpath; Spring Boot binds them to the application's registry.
 */
@AutoConfiguration(after = BurnguardAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({BurnguardCore.class, OpenFeatureRegistration.class})
public class BurnguardMetricsAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  BurnguardMeters burnguardMeters(BurnguardCore core, OpenFeatureRegistration registration) {
    return new BurnguardMeters(core, registration);
  }
}
