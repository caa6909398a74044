package dev.burnguard.spring.boot.internal;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.Fleet;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.spring.boot.BurnguardProperties;
import dev.burnguard.spring.boot.BurnguardProviderCustomizer;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.OpenFeatureAPI;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * Internal, not for public use. The provider built from {@code burnguard.*}, registered with
 * {@link OpenFeatureAPI}, and an OpenFeature {@link Client}. Every bean backs off when the
 * application defines its own of the same type; a {@link RolloutStore} bean keeps the rollout state.
 * The provider shuts down with the context (its inferred {@code shutdown} method).
 */
@AutoConfiguration
@ConditionalOnClass({BurnguardProvider.class, OpenFeatureAPI.class})
@ConditionalOnProperty(prefix = "burnguard", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(BurnguardProperties.class)
public class BurnguardAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  Clock burnguardClock() {
    return Clock.system();
  }

  @Bean
  @ConditionalOnMissingBean
  BurnguardProvider burnguardProvider(BurnguardProperties properties, Clock clock, ObjectProvider<RolloutStore> store,
      ObjectProvider<Fleet> fleet, ObjectProvider<BurnguardProviderCustomizer> customizers) {
    return ProviderFactory.build(properties, clock, store.getIfAvailable(), fleet.getIfAvailable(),
        customizers.orderedStream().toList());
  }

  /**
   * Fleet mode from {@code burnguard.fleet.*} when burnguard-redis is on the classpath and a Redis
   * URI is set; the application's own {@link Fleet} bean (a {@code RedisFleet} or another) wins.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.burnguard.redis.RedisFleet")
  @ConditionalOnProperty(prefix = "burnguard.fleet", name = "redis-uri")
  static class RedisFleetConfiguration {
    @Bean
    @ConditionalOnMissingBean(Fleet.class)
    Fleet burnguardFleet(BurnguardProperties properties) {
      return RedisFleetFactory.build(properties.getFleet());
    }
  }

  @Bean
  @ConditionalOnMissingBean
  BurnguardCore burnguardCore(BurnguardProvider provider) {
    return new BurnguardCore(provider);
  }

  @Bean
  @ConditionalOnMissingBean
  OpenFeatureRegistration burnguardOpenFeatureRegistration(BurnguardProperties properties, BurnguardProvider provider) {
    return new OpenFeatureRegistration(OpenFeatureAPI.getInstance(), properties.getDomain(), provider,
        ProviderFactory.describeSource(properties));
  }

  /** The advice of {@code @Guarded}; infrastructure, so that Spring Boot's auto-proxy creator applies it. */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  @ConditionalOnMissingBean(name = "burnguardGuardedAdvisor")
  static GuardedInterceptor burnguardGuardedAdvisor(ObjectProvider<BurnguardCore> core) {
    return new GuardedInterceptor(core);
  }

  @Bean
  @ConditionalOnMissingBean
  Client burnguardClient(OpenFeatureRegistration registration) {
    return registration.client();
  }
}
