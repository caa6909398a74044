package dev.burnguard.rollout;

import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one rollout stands, as the guardian saw it at its last tick: built once per tick from the
 * recorded windows and the sequential evidence, judged by the guardian, and read by exporters and
 * dashboards ({@link Rollouts#health()}), so that every number shown is the number decided on and
 * burn rates are computed in one place. Immutable.
 *
 * @param flagKey the flag
 * @param at when the guardian built it
 * @param state the rollout's state when it was built (before the tick's decision)
 * @param windows per variant (candidate, then control) and rule window (shortest first), the counts
 *     and burn rates
 * @param checks every rule checked against every SLI the plan judges: burn rates, the sequential
 *     statistic and its threshold, the shared-cause test (empty for a rollout no longer guarded)
 * @param stage the current stage's progress
 * @param candidateCalls candidate calls the sequential tests have read since the rollout started or
 *     was reset
 * @param latestDecision the latest decision published for the flag, or null
 */
public record RolloutHealth(String flagKey, Instant at, RolloutState state, List<VariantWindow> windows,
    List<RuleCheck> checks, StageProgress stage, long candidateCalls, @Nullable Decision latestDecision) {
  public RolloutHealth {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(state, "state");
    windows = List.copyOf(windows);
    checks = List.copyOf(checks);
    Objects.requireNonNull(stage, "stage");
  }

  /**
   * One variant's outcomes over one rule window.
   *
   * @param variant the variant
   * @param window the window's length
   * @param calls calls in the window
   * @param errors failed calls in the window
   * @param slow calls slower than the plan's latency threshold, or -1 when the plan judges no latency
   * @param availabilityBurn (errors / calls) / error budget; 0 without calls
   * @param latencyBurn (slow / calls) / latency budget; 0 without calls, NaN when the plan judges no latency
   */
  public record VariantWindow(String variant, Duration window, long calls, long errors, long slow,
      double availabilityBurn, double latencyBurn) {}

  /**
   * The current stage's progress towards advancing.
   *
   * @param index the stage's index in the plan
   * @param baked how long the stage (or re-probe) has run
   * @param bake how long it must bake
   * @param samples candidate calls in the stage so far (at most the recorder's longest window)
   * @param minSamples candidate calls it must see
   */
  public record StageProgress(int index, Duration baked, Duration bake, long samples, long minSamples) {}

  /** The check of {@code rule} on {@code sli} ({@code "availability"} or {@code "latency"}), if judged. */
  public java.util.Optional<RuleCheck> check(BurnRateRule rule, String sli) {
    return checks.stream().filter(c -> c.rule().equals(rule) && c.sli().equals(sli)).findFirst();
  }
}
