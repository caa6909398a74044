package dev.burnguard.spring.boot.internal;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Internal, not for public use. Health of the flag source and the rollout store: DOWN before the
 * first successful load of the flags, and while the rollout store cannot write (decisions wait in
 * memory and a restart would lose them); otherwise UP. The details say where the flags come from,
 * how many there are, the last failed reload (the last good flags stay in force meanwhile), invalid
 * flags and flags served from their last good definition, and the store's state.
 */
final class BurnguardHealthIndicator implements HealthIndicator {
  private final BurnguardCore core;

  BurnguardHealthIndicator(BurnguardCore core) {
    this.core = core;
  }

  @Override
  public Health health() {
    BurnguardCore.Health h = core.health();
    Health.Builder b = h.flagsLoaded() && h.storeHealthy() ? Health.up() : Health.down();
    b.withDetail("flagsLoaded", h.flagsLoaded()).withDetail("flagCount", h.flagCount());
    if (h.origin() != null) {
      b.withDetail("source", h.origin());
    }
    if (h.lastLoadFailure() != null) {
      b.withDetail("lastLoadFailure", h.lastLoadFailure());
    }
    if (!h.invalidFlags().isEmpty()) {
      b.withDetail("invalidFlags", h.invalidFlags());
    }
    if (!h.flagsAtLastKnownGood().isEmpty()) {
      b.withDetail("flagsAtLastKnownGood", h.flagsAtLastKnownGood());
    }
    b.withDetail("storeHealthy", h.storeHealthy()).withDetail("stateLocation", h.stateLocation())
        .withDetail("pendingDecisions", h.pendingDecisions());
    if (h.storeError() != null) {
      b.withDetail("storeError", h.storeError());
    }
    if (!h.warnings().isEmpty()) {
      b.withDetail("warnings", h.warnings());
    }
    return b.build();
  }
}
