package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.Decision;
import dev.burnguard.internal.store.InMemoryRolloutStore;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class BurnguardHealthIndicatorTest {
  /** An in-memory store whose health the test sets. */
  static final class SwitchableStore implements RolloutStore {
    private final InMemoryRolloutStore delegate = new InMemoryRolloutStore(10);
    volatile StoreHealth health = StoreHealth.ok();

    @Override
    public StoredRollouts load() {
      return delegate.load();
    }

    @Override
    public boolean append(Decision decision) {
      return delegate.append(decision);
    }

    @Override
    public boolean flush() {
      return delegate.flush();
    }

    @Override
    public boolean forget(String flagKey) {
      return delegate.forget(flagKey);
    }

    @Override
    public StoreHealth health() {
      return health;
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  @Test
  void downBeforeTheFirstLoadUpAfterItDownWhileTheStoreCannotWrite() throws Exception {
    SwitchableStore store = new SwitchableStore();
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.classpath("test-flags.json"))
        .rolloutStore(store).guardianTicking(false).build();
    BurnguardHealthIndicator indicator = new BurnguardHealthIndicator(new BurnguardCore(provider));
    Health before = indicator.health();
    assertThat(before.getStatus()).isEqualTo(Status.DOWN);
    assertThat(before.getDetails()).containsEntry("flagsLoaded", false);

    provider.initialize(new ImmutableContext());
    try {
      Health up = indicator.health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails()).containsEntry("flagCount", 4).containsEntry("storeHealthy", true)
          .containsEntry("source", "classpath:test-flags.json");

      store.health = new StoreHealth(false, "disk full", Instant.parse("2026-01-01T00:00:00Z"), 3, 0);
      Health down = indicator.health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsEntry("storeHealthy", false).containsEntry("storeError", "disk full")
          .containsEntry("pendingDecisions", 3);
    } finally {
      provider.shutdown();
    }
  }
}
