package dev.burnguard;

import dev.burnguard.rollout.StoreHealth;
import java.util.List;
import java.util.Objects;

/**
 * Whether a {@link BurnguardProvider}'s rollout state is safe, as returned by
 * {@link BurnguardProvider#health()}. Immutable.
 *
 * @param store whether the rollout store is writing, or the problem that stops it
 * @param stateLocation the directory the rollout state is kept in, or {@code "memory"}
 * @param warnings why rollout state may be lost on a restart (kept in memory while rollouts are
 *     guarded, a default directory that could not be opened); empty when it is safe
 */
public record ProviderHealth(StoreHealth store, String stateLocation, List<String> warnings) {
  public ProviderHealth {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(stateLocation, "stateLocation");
    warnings = List.copyOf(warnings);
  }

  /** True when the store is writing and nothing warns of state a restart would lose. */
  public boolean safe() {
    return store.healthy() && warnings.isEmpty();
  }
}
