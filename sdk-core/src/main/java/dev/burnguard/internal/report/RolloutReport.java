package dev.burnguard.internal.report;

import dev.burnguard.internal.guardian.StageCounts;
import dev.burnguard.outcome.Outcomes.LatencyDistribution;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.Decision.RuleCheck;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One rollout's incident report: the data model that the {@linkplain #write HTML, Markdown and JSON
 * renderings} all show — the plan, every decision with its evidence and actor, calls, errors and
 * slow calls per variant per stage, the variants' latency percentiles (when the recorder still
 * holds them), the estimated user impact and the share of the error budget the candidate consumed.
 * Immutable. Internal, not for public use.
 *
 * <p><b>User impact</b> is the candidate's failed calls above what the control's error ratio would
 * have produced on the same calls, summed per stage: {@code Σ max(0, e_c − n_c · e_k / n_k)} (the
 * stage's control ratio, or the whole rollout's when the stage had no control calls).
 *
 * <p><b>Error budget.</b> The rollout's traffic (candidate and control calls) had a budget of
 * {@code (1 − availability SLO) × calls} failed calls; the report gives the share of it that the
 * candidate's failed calls consumed, and the share its excess failures (user impact) consumed.
 *
 * @param flagKey the flag
 * @param generatedAt when the report was made
 * @param control the control variant ({@code "control"} when unknown)
 * @param candidate the candidate variant ({@code "candidate"} when unknown)
 * @param plan the plan in force, or null when the report was made without it (a tool reading a state
 *     directory); {@code stageExposures} and {@code errorBudget} then come from the state's plan
 *     fingerprint
 * @param stageExposures each stage's exposure in [0, 1], by stage index (empty when unknown)
 * @param errorBudget the availability SLO's budget (e.g. 0.001), NaN when unknown
 * @param state the rollout's current state, or null
 * @param decisions the decisions kept, oldest first
 * @param stages per stage, the counts since the rollout started or was reset
 * @param latency per variant, its latency percentiles (empty when not recorded)
 */
public record RolloutReport(String flagKey, Instant generatedAt, String control, String candidate, RolloutPlan plan,
    List<Double> stageExposures, double errorBudget, RolloutState state, List<Decision> decisions,
    List<StageCounts.Stage> stages, List<Latency> latency) {

  /** The formats {@link #write} renders. */
  public static final List<String> FORMATS = List.of("html", "markdown", "json");

  public RolloutReport {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(candidate, "candidate");
    stageExposures = List.copyOf(stageExposures);
    decisions = List.copyOf(decisions);
    stages = List.copyOf(stages);
    latency = List.copyOf(latency);
  }

  /**
   * A variant's latency percentiles over the calls the recorder counted.
   *
   * @param calls the calls counted
   */
  public record Latency(String variant, long calls, Duration p50, Duration p95, Duration p99) {
    /** The percentiles of {@code d}; null when it counted no call. */
    public static Latency of(String variant, LatencyDistribution d) {
      if (d == null || d.count() == 0) {
        return null;
      }
      return new Latency(variant, d.count(), d.quantile(0.5), d.quantile(0.95), d.quantile(0.99));
    }
  }

  /**
   * The report of {@code flagKey}: {@code plan} may be null, then variants, stage exposures and the
   * error budget are read from the state's plan fingerprint (and the decisions' evidence).
   *
   * @param latencies per variant, its distribution (null or empty entries are left out)
   */
  public static RolloutReport of(String flagKey, Instant now, RolloutPlan plan, RolloutState state,
      List<Decision> decisions, List<StageCounts.Stage> stages, Map<String, LatencyDistribution> latencies) {
    String control = "control";
    String candidate = "candidate";
    List<Double> exposures = new ArrayList<>();
    double budget = Double.NaN;
    if (plan != null) {
      control = plan.control();
      candidate = plan.candidate();
      plan.stages().forEach(s -> exposures.add(s.exposure()));
      budget = plan.slo().errorBudget();
    } else {
      RolloutState any = state != null ? state : decisions.isEmpty() ? null : decisions.get(decisions.size() - 1).after();
      if (any != null) {
        String[] f = any.planFingerprint().split("\\|", -1);
        if (f.length > 4 && f[0].equals("v1")) {
          control = f[1];
          candidate = f[2];
          try {
            for (String st : f[3].split(";")) {
              if (!st.isEmpty()) {
                exposures.add(Double.parseDouble(st.split(",")[0]) / 100);
              }
            }
            budget = 1 - Double.parseDouble(f[4].split(",")[0]); // the availability, a fraction
          } catch (RuntimeException e) {
            exposures.clear(); // a fingerprint of another layout: leave them unknown
          }
        }
      }
      if (Double.isNaN(budget)) {
        for (Decision d : decisions) {
          for (RuleCheck c : d.evidence()) {
            if (c.sli().equals("availability")) {
              budget = c.budget();
            }
          }
        }
      }
    }
    List<Latency> lat = new ArrayList<>();
    for (String variant : List.of(candidate, control)) {
      Latency l = Latency.of(variant, latencies == null ? null : latencies.get(variant));
      if (l != null) {
        lat.add(l);
      }
    }
    return new RolloutReport(flagKey, now, control, candidate, plan, exposures, budget, state, decisions, stages, lat);
  }

  /**
   * The report of {@code flagKey} as a running provider knows it: the guardian's state, plan and
   * per-stage counts, the store's decisions, and the recorder's latency distributions.
   *
   * @param latency a variant's latency distribution by (flag, variant), or null
   * @throws IllegalArgumentException for a flag without a rollout
   */
  public static RolloutReport of(dev.burnguard.internal.guardian.Guardian guardian, dev.burnguard.rollout.RolloutStore store,
      Instant now, java.util.function.BiFunction<String, String, LatencyDistribution> latency, String flagKey) {
    RolloutState state = guardian.state(flagKey).orElse(guardian.retainedStates().get(flagKey));
    List<Decision> decisions = store.decisions(flagKey, Integer.MAX_VALUE);
    if (state == null && decisions.isEmpty()) {
      throw new IllegalArgumentException("flag \"" + flagKey + "\" has no rollout; rollouts: " + guardian.states().keySet());
    }
    RolloutPlan plan = guardian.plans().get(flagKey);
    Map<String, LatencyDistribution> latencies = new java.util.HashMap<>();
    if (plan != null) {
      for (String variant : List.of(plan.candidate(), plan.control())) {
        LatencyDistribution d = latency.apply(flagKey, variant);
        if (d != null) {
          latencies.put(variant, d);
        }
      }
    }
    return of(flagKey, now, plan, state, decisions, guardian.stageCounts(flagKey), latencies);
  }

  /** The exposure of stage {@code index} in [0, 1], NaN when unknown. */
  public double exposure(int index) {
    return index >= 0 && index < stageExposures.size() ? stageExposures.get(index) : Double.NaN;
  }

  /** Totals over every stage: candidate calls, errors, slow; control calls, errors, slow. */
  public long[] totals() {
    long[] t = new long[6];
    for (StageCounts.Stage s : stages) {
      t[0] += s.candidateCalls();
      t[1] += s.candidateErrors();
      t[2] += s.candidateSlow();
      t[3] += s.controlCalls();
      t[4] += s.controlErrors();
      t[5] += s.controlSlow();
    }
    return t;
  }

  /** The estimated user impact: the candidate's failed calls above the control's rate (see the class comment). */
  public double excessFailedCalls() {
    long[] t = totals();
    double overall = t[3] == 0 ? 0 : (double) t[4] / t[3];
    double excess = 0;
    for (StageCounts.Stage s : stages) {
      double controlRatio = s.controlCalls() > 0 ? (double) s.controlErrors() / s.controlCalls() : overall;
      excess += Math.max(0, s.candidateErrors() - s.candidateCalls() * controlRatio);
    }
    return excess;
  }

  /** The failed calls the rollout's traffic was allowed: error budget × (candidate + control calls); NaN when unknown. */
  public double budgetCalls() {
    long[] t = totals();
    return errorBudget * (t[0] + t[3]);
  }

  /** The share of {@link #budgetCalls()} the candidate's failed calls consumed; NaN when unknown or without calls. */
  public double candidateBudgetShare() {
    double b = budgetCalls();
    return b > 0 ? totals()[1] / b : Double.NaN;
  }

  /** The share of {@link #budgetCalls()} the candidate's excess failed calls consumed; NaN when unknown or without calls. */
  public double excessBudgetShare() {
    double b = budgetCalls();
    return b > 0 ? excessFailedCalls() / b : Double.NaN;
  }

  /**
   * Writes the report to {@code out} in {@code format}: {@code "html"} (one self-contained page,
   * inline SVG charts, no external assets), {@code "markdown"} or {@code "json"}.
   *
   * @throws IllegalArgumentException for another format
   */
  public void write(String format, Writer out) throws IOException {
    switch (normalizedFormat(format)) {
      case "html":
        out.write(ReportHtml.render(this));
        break;
      case "markdown":
        out.write(ReportMarkdown.render(this));
        break;
      default:
        out.write(ReportJson.render(this));
        break;
    }
    out.flush();
  }

  /** {@code format} as one of {@link #FORMATS} ({@code "md"} is Markdown), case-insensitive. */
  public static String normalizedFormat(String format) {
    String f = Objects.requireNonNull(format, "format").toLowerCase(Locale.ROOT);
    if (f.equals("md")) {
      f = "markdown";
    }
    if (!FORMATS.contains(f)) {
      throw new IllegalArgumentException("unknown report format \"" + format + "\"; use one of " + FORMATS);
    }
    return f;
  }

  static String ratio(long bad, long calls) {
    return calls == 0 ? "–" : String.format(Locale.ROOT, "%.4f %%", 100.0 * bad / calls);
  }

  static String percent(double fraction) {
    return Double.isNaN(fraction) ? "unknown" : String.format(Locale.ROOT, "%.2f %%", fraction * 100);
  }

  static String millis(Duration d) {
    return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
  }
}
