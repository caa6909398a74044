package dev.burnguard.internal.store;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory side of a rollout store: per flag, the current state and the last N decisions.
 *
 * <p>Design (concurrency): one writer at a time — the owning store calls the mutators under its
 * own lock — and any number of lock-free readers. Each flag's state and decisions live in one
 * immutable {@link FlagRecord} that a write replaces whole in a {@link ConcurrentHashMap}, so a
 * reader sees a flag's state and decisions from the same append; the map's weakly consistent
 * iteration lets {@link #contents()} see different flags as of different appends.
 */
final class RecentDecisions {
  /** One flag: its state (null when only old decisions are known) and its recent decisions, oldest first. */
  private record FlagRecord(RolloutState state, List<Decision> decisions) {}

  private final ConcurrentHashMap<String, FlagRecord> flags = new ConcurrentHashMap<>();
  private final int perFlag;

  RecentDecisions(int perFlag) {
    this.perFlag = perFlag;
  }

  /** A decision was made: its {@code after} becomes the flag's state. Writer only. */
  void record(Decision d) {
    FlagRecord old = flags.get(d.flagKey());
    flags.put(d.flagKey(), new FlagRecord(d.after(), plus(old == null ? List.of() : old.decisions(), d)));
  }

  /** A decision older than the flag's known state, for the decision log only. Writer only. */
  void remember(Decision d) {
    FlagRecord old = flags.get(d.flagKey());
    flags.put(d.flagKey(), old == null ? new FlagRecord(null, List.of(d)) : new FlagRecord(old.state(),
        plus(old.decisions(), d)));
  }

  /** Drops a flag's state; its decisions stay for the decision log. Writer only. */
  void forget(String flagKey) {
    FlagRecord old = flags.get(flagKey);
    if (old != null) {
      if (old.decisions().isEmpty()) {
        flags.remove(flagKey);
      } else {
        flags.put(flagKey, new FlagRecord(null, old.decisions()));
      }
    }
  }

  /** Sets a flag's state from a snapshot. Writer only. */
  void restore(RolloutState state) {
    FlagRecord old = flags.get(state.flagKey());
    flags.put(state.flagKey(), new FlagRecord(state, old == null ? List.of() : old.decisions()));
  }

  private List<Decision> plus(List<Decision> list, Decision d) {
    if (perFlag == 0) {
      return List.of();
    }
    int from = Math.max(0, list.size() + 1 - perFlag);
    List<Decision> out = new ArrayList<>(list.size() + 1 - from);
    out.addAll(list.subList(from, list.size()));
    out.add(d);
    return List.copyOf(out);
  }

  /** A flag's current state, or null. Any thread. */
  RolloutState state(String flagKey) {
    FlagRecord r = flags.get(flagKey);
    return r == null ? null : r.state();
  }

  /** Every flag's current state. Any thread. */
  List<RolloutState> states() {
    List<RolloutState> out = new ArrayList<>(flags.size());
    for (FlagRecord r : flags.values()) {
      if (r.state() != null) {
        out.add(r.state());
      }
    }
    return out;
  }

  /** Any thread. */
  StoredRollouts contents() {
    Map<String, RolloutState> states = new HashMap<>();
    Map<String, List<Decision>> decisions = new HashMap<>();
    flags.forEach((flag, r) -> {
      if (r.state() != null) {
        states.put(flag, r.state());
      }
      if (!r.decisions().isEmpty()) {
        decisions.put(flag, r.decisions());
      }
    });
    return new StoredRollouts(states, decisions);
  }

  /** Checks that a decision's states belong to its flag. */
  static void check(Decision d) {
    if (!d.after().flagKey().equals(d.flagKey()) || (d.before() != null && !d.before().flagKey().equals(d.flagKey()))) {
      throw new IllegalArgumentException("decision for flag \"" + d.flagKey() + "\" carries the state of flag \""
          + (d.after().flagKey().equals(d.flagKey()) ? d.before().flagKey() : d.after().flagKey()) + "\"");
    }
  }
}
