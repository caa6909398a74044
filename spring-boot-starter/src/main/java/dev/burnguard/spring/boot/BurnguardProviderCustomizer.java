package dev.burnguard.spring.boot;

import dev.burnguard.BurnguardProvider;

/**
 * A last say on the provider the auto-configuration builds from {@code burnguard.*}: e.g. rollouts
 * defined in code ({@code builder.rollout(flagKey, plan)}). Every bean of this type is applied, in
 * {@code @Order}, after the properties.
 */
@FunctionalInterface
public interface BurnguardProviderCustomizer {
  void customize(BurnguardProvider.Builder builder);
}
