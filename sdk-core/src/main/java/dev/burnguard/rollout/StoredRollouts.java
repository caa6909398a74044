package dev.burnguard.rollout;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a {@link RolloutStore} holds, as returned by {@link RolloutStore#load()}: the current state
 * of every rollout and, for a dashboard's decision log, each flag's most recent decisions. Immutable;
 * both maps are sorted by flag key.
 *
 * @param states the current state per flag
 * @param recentDecisions per flag, its most recent decisions, oldest first (as many as the store
 *     keeps; a flag's last decision's {@code after} is its state)
 */
public record StoredRollouts(Map<String, RolloutState> states, Map<String, List<Decision>> recentDecisions) {
  public StoredRollouts {
    states = Collections.unmodifiableMap(new TreeMap<>(states));
    TreeMap<String, List<Decision>> copy = new TreeMap<>();
    recentDecisions.forEach((flag, list) -> copy.put(flag, List.copyOf(list)));
    recentDecisions = Collections.unmodifiableMap(copy);
  }

  /** Nothing stored. */
  public static StoredRollouts empty() {
    return new StoredRollouts(Map.of(), Map.of());
  }

  /** The current state of {@code flagKey}'s rollout, if it has one. */
  public Optional<RolloutState> state(String flagKey) {
    return Optional.ofNullable(states.get(Objects.requireNonNull(flagKey, "flagKey")));
  }

  /** {@code flagKey}'s most recent decisions, oldest first; empty if none are kept. */
  public List<Decision> recentDecisions(String flagKey) {
    return recentDecisions.getOrDefault(Objects.requireNonNull(flagKey, "flagKey"), List.of());
  }
}
