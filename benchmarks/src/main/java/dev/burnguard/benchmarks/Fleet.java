package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;

/**
 * A provider with many boolean flags ({@code flag-0} … {@code flag-(n-1)}, variants {@code new} and
 * {@code old}), optionally each under the default rollout plan and optionally with 30 successful
 * calls per variant spread over 10 minutes: the steady state of a fleet of healthy rollouts baking
 * their first stage. The guardian does not tick by itself; the clock is manual.
 */
final class Fleet {
  private Fleet() {}

  /** Every flag under a rollout, with traffic: what the guardian judges on each tick. */
  static BurnguardProvider guarded(int flags) throws Exception {
    return build(flags, true, true, new ManualClock());
  }

  /** {@link #guarded(int)} on {@code clock}, which the caller may move on. */
  static BurnguardProvider guarded(int flags, ManualClock clock) throws Exception {
    return build(flags, true, true, clock);
  }

  /** Traffic recorded for every flag's two variants, but no rollout. */
  static BurnguardProvider recordedOnly(int flags) throws Exception {
    return build(flags, false, true, new ManualClock());
  }

  /** The flags alone: no rollout, nothing recorded. */
  static BurnguardProvider flagsOnly(int flags) throws Exception {
    return build(flags, false, false, new ManualClock());
  }

  /** Builds and initializes the provider; the caller shuts it down. */
  private static BurnguardProvider build(int flags, boolean underRollout, boolean withTraffic, ManualClock clock)
      throws Exception {
    StringBuilder json = new StringBuilder("{\"flags\": {");
    for (int i = 0; i < flags; i++) {
      json.append(i == 0 ? "" : ",").append("\"flag-").append(i).append("\": {\"state\": \"ENABLED\",")
          .append(" \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}");
    }
    json.append("}}");
    BurnguardProvider.Builder b = BurnguardProvider.builder().source(FlagSource.inline(json.toString()))
        .clock(clock).guardianTicking(false).maxSeries(2 * flags).inMemoryRolloutState();
    if (underRollout) {
      RolloutPlan plan = RolloutPlan.builder("old", "new").build();
      for (int i = 0; i < flags; i++) {
        b.rollout("flag-" + i, plan);
      }
    }
    BurnguardProvider provider = b.build();
    provider.initialize(new ImmutableContext());
    if (withTraffic) {
      for (int minute = 0; minute < 30; minute++) {
        for (int i = 0; i < flags; i++) {
          provider.outcomes().record("flag-" + i, "new", Duration.ofMillis(20), Outcome.SUCCESS);
          provider.outcomes().record("flag-" + i, "old", Duration.ofMillis(20), Outcome.SUCCESS);
        }
        clock.advance(Duration.ofSeconds(20));
      }
    }
    return provider;
  }
}
