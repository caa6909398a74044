package dev.burnguard.internal.budget;

import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.guardian.GuardianRollouts;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.ErrorBudgetPolicy.Budget;
import dev.burnguard.rollout.ErrorBudgetPolicy.ServiceSlo;
import dev.burnguard.rollout.ErrorBudgetPolicy.Threshold;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider's error-budget policy at work: the journey SLOs' {@linkplain JourneyCounts counts}, the
 * budgets computed from them, and the {@linkplain Guardian.DecisionReview review} of every decision
 * the guardian's judge makes: a decision that would raise a governed rollout's exposure while a
 * threshold of the policy is reached becomes a HOLD whose reason gives the budget's numbers, and
 * while a FREEZE threshold is reached a rollout still ramping beyond its first stage is shrunk back
 * to it (a SHRINK by the guardian, its reason giving the numbers; see {@link ErrorBudgetPolicy}). A person's override
 * ({@link #overridden}) lets the rollout's next advance through, as long as the rollout is in the
 * state the override was recorded on.
 *
 * <p>Concurrency: the policy is a volatile reference; overrides are a concurrent map; reviews are
 * called under the guardian's lock, persistence from its tick and from close (serialized here).
 */
public final class ErrorBudgets implements Guardian.DecisionReview, GuardianRollouts.Budgets {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorBudgets.class);

  private final JourneyCounts counts;
  /** The fleet's sums of the counts, when the provider is in a fleet; null: this replica's own counts. */
  private volatile Shared shared;
  private volatile ErrorBudgetPolicy policy;
  /** Overrides in force: the rollout's state version it was recorded on, and who, by flag. */
  private final Map<String, Object[]> overrides = new ConcurrentHashMap<>();
  private BudgetFile file; // guarded by this
  private Map<String, List<long[]>> written = Map.of(); // guarded by this
  /** Counts read from the file for SLOs not declared (yet): added when they are, written back meanwhile. Guarded by this. */
  private final Map<String, List<long[]>> pending = new LinkedHashMap<>();

  /** @param counts where the journey outcomes are recorded (the recorder's) */
  public ErrorBudgets(JourneyCounts counts) {
    this.counts = Objects.requireNonNull(counts, "counts");
  }

  /** Counts kept by others (a fleet's sums over every replica), by SLO key, hours inclusive. */
  @FunctionalInterface
  public interface Shared {
    /** {@code {calls, bad}} of the SLO with key {@code sloKey} ({@link JourneyCounts#key}); null when not known. */
    long[] counts(String sloKey, long fromHour, long toHour);
  }

  /** Budgets are computed from {@code shared} counts when it knows them, else from this provider's own. */
  public void countsFrom(Shared shared) {
    this.shared = shared;
  }

  /** Where journey outcomes are recorded. */
  public JourneyCounts counts() {
    return counts;
  }

  /** The policy in force (null: none), from each flag load. */
  public synchronized void policy(ErrorBudgetPolicy next) {
    counts.declare(next);
    this.policy = next;
    restorePending();
  }

  /** Adds the pending counts of the SLOs now declared. Under this. */
  private void restorePending() {
    Map<String, List<long[]>> declared = new LinkedHashMap<>();
    for (String key : counts.keys()) {
      List<long[]> rows = pending.remove(key);
      if (rows != null) {
        declared.put(key, rows);
      }
    }
    counts.restore(declared, counts.currentHour());
  }

  public ErrorBudgetPolicy policy() {
    return policy;
  }

  /** Every declared SLO's budget now, by the recorder's clock. */
  @Override
  public Map<String, Budget> budgets() {
    return budgets(Instant.ofEpochMilli(counts.wallMillis()));
  }

  /** Every declared SLO's budget at {@code now}, by SLO name, in declaration order. */
  public Map<String, Budget> budgets(Instant now) {
    ErrorBudgetPolicy p = policy;
    Map<String, Budget> out = new LinkedHashMap<>();
    if (p == null) {
      return out;
    }
    long nowHour = Math.floorDiv(now.getEpochSecond(), 3600);
    for (ServiceSlo slo : p.slos().values()) {
      long first = slo.period().firstHour(now);
      Shared fleet = shared;
      long[] c = fleet == null ? null : fleet.counts(JourneyCounts.key(slo), first, nowHour);
      c = c != null ? c : counts.counts(slo.name(), first, nowHour);
      out.put(slo.name(), new Budget(slo, c[0], c[1], Instant.ofEpochSecond(first * 3600)));
    }
    return out;
  }

  @Override
  public Decision review(RolloutPlan plan, RolloutState state, Decision judged, Instant now) {
    ErrorBudgetPolicy p = policy;
    if (p == null || p.thresholds().isEmpty() || !p.governs(state.flagKey())) {
      return judged;
    }
    boolean raises = judged != null && judged.after().exposure() > state.exposure();
    boolean advance = raises && (judged.action() == DecisionAction.ADVANCE || judged.action() == DecisionAction.COMPLETE);
    // a freeze shrinks a rollout still ramping beyond its first stage, unless the judge lowers it itself
    boolean shrinkable = frozenShrinkable(plan, state)
        && (judged == null || judged.after().exposure() >= state.exposure());
    if (!raises && !shrinkable) {
      return judged;
    }
    Map<String, Budget> budgets = budgets(now);
    Threshold tripped = null;
    Budget worst = null;
    for (String name : p.governedSlos()) {
      Budget b = budgets.get(name);
      for (Threshold t : p.thresholds()) {
        if (b.reached(t.spentPercent()) && (tripped == null || t.spentPercent() > tripped.spentPercent()
            || t.spentPercent() == tripped.spentPercent() && b.spent() > worst.spent())) {
          tripped = t;
          worst = b;
        }
      }
    }
    if (tripped == null) {
      return judged;
    }
    String what = "service budget \"" + worst.slo().name() + "\" " + worst.describe() + " ≥ "
        + percent(tripped.spentPercent()) + " %";
    Object[] override = overrides.get(state.flagKey());
    boolean overridden = override != null && (long) override[0] == state.version();
    if (tripped.action() == ErrorBudgetPolicy.Action.FREEZE && shrinkable && !overridden) {
      double first = plan.stages().get(0).exposure();
      return new Decision(state.flagKey(), now, DecisionAction.SHRINK, Decision.GUARDIAN,
          plan.mode() == RolloutMode.ENFORCE, "error-budget policy: " + what + ": freeze: shrunk to the first stage"
              + String.format(Locale.ROOT, " (exposure %.2f%% -> %.2f%%, stage %d -> 0)", state.exposure() * 100,
                  first * 100, state.stage()), judged == null ? List.of() : judged.evidence(), state,
          state.with(RolloutStatus.RAMPING, 0, first, state.shrinks(), now, null, null));
    }
    if (!raises || (tripped.action() == ErrorBudgetPolicy.Action.HOLD && !advance)) {
      return judged;
    }
    if (overridden) {
      overrides.remove(state.flagKey());
      return new Decision(judged.flagKey(), judged.at(), judged.action(), judged.actor(), judged.applied(),
          judged.reason() + "; error-budget policy overridden by " + override[1] + " (" + what + ")",
          judged.evidence(), judged.before(), judged.after());
    }
    return new Decision(state.flagKey(), now, DecisionAction.HOLD, Decision.GUARDIAN, judged.applied(),
        "error-budget policy: " + what + ": " + (advance ? "advance" : "re-probe") + " held ("
            + tripped.action().name().toLowerCase(Locale.ROOT) + "; the judge would " + judged.action().name()
            .toLowerCase(Locale.ROOT) + " to exposure " + String.format(Locale.ROOT, "%.2f%%",
                judged.after().exposure() * 100) + ")", judged.evidence(), state, state);
  }

  /**
   * Whether a freeze shrinks {@code state}'s rollout: one still ramping (RAMPING, or COOLING_DOWN
   * after a shrink) whose exposure is above its plan's first stage. A rollout that finished ramping
   * (WATCHING at 100 %, COMPLETED), a paused one (a person's hold) and one rolled back are left
   * as they are.
   */
  private static boolean frozenShrinkable(RolloutPlan plan, RolloutState state) {
    return (state.status() == RolloutStatus.RAMPING || state.status() == RolloutStatus.COOLING_DOWN)
        && state.planFingerprint().equals(plan.fingerprint())
        && state.exposure() > plan.stages().get(0).exposure();
  }

  private static String percent(double p) {
    return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
  }

  /** Records that {@code override} (an OVERRIDE decision) lets its rollout's next advance through. */
  @Override
  public void overridden(Decision override) {
    overrides.put(override.flagKey(), new Object[] {override.after().version(), override.actor()});
  }

  /** Takes the overrides still in force from a store: a flag whose last decision is an OVERRIDE. */
  public void restoreOverrides(StoredRollouts stored) {
    stored.states().forEach((flagKey, state) -> {
      List<Decision> recent = stored.recentDecisions(flagKey);
      Decision last = recent.isEmpty() ? null : recent.get(recent.size() - 1);
      if (last != null && last.action() == DecisionAction.OVERRIDE && last.after().version() == state.version()) {
        overridden(last);
      }
    });
  }

  /** Keeps the counts in {@code directory} from now on, adding those it holds. */
  public synchronized void persistIn(Path directory) {
    file = new BudgetFile(Objects.requireNonNull(directory, "directory"));
    try {
      pending.clear();
      pending.putAll(file.read());
      restorePending();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot read the journey SLOs' counts in {}; the error budgets start from zero", directory, e);
    }
  }

  /** Writes the counts when they changed since the last write; a failure is logged and retried by the next call. */
  public synchronized void write() {
    if (file == null) {
      return;
    }
    Map<String, List<long[]>> now = counts.hourly(counts.currentHour());
    pending.forEach(now::putIfAbsent);
    if (sameCounts(now, written)) {
      return;
    }
    try {
      file.write(now);
      written = now;
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot write the journey SLOs' counts ({}); the next tick retries", BudgetFile.NAME, e);
    }
  }

  private static boolean sameCounts(Map<String, List<long[]>> a, Map<String, List<long[]>> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (Map.Entry<String, List<long[]>> e : a.entrySet()) {
      List<long[]> other = b.get(e.getKey());
      if (other.size() != e.getValue().size()) {
        return false;
      }
      for (int i = 0; i < other.size(); i++) {
        if (!java.util.Arrays.equals(other.get(i), e.getValue().get(i))) {
          return false;
        }
      }
    }
    return true;
  }
}
