package dev.burnguard.rollout;


import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one flag's candidate variant is rolled out under guard: the stages of exposure, the SLO the
 * candidate is held to, the burn-rate rules that shrink or roll it back, and the sequential test
 * that keeps noise from doing so. Immutable; build with {@link #builder(String, String)}, or write it
 * in the flag file as the flag's {@code "rollout"} member.
 *
 * <p>Defaults: stages 1 %, 5 %, 25 %, 50 %, 100 %, each baking {@value #DEFAULT_BAKE_MINUTES}
 * minutes and seeing {@value #DEFAULT_MIN_SAMPLES} candidate calls; availability 99.9 %; rules
 * 1 h / 5 min × 14.4 → rollback and 6 h / 30 min × 6 → shrink; enforce mode; α = 0.01; at most 3
 * shrinks with a 10-minute cool-down; 1 hour of watching at 100 %; shared-cause ratio 2/3; no shrink
 * or rollback before {@value #DEFAULT_MIN_CANDIDATE_CALLS} candidate calls.
 */
public final class RolloutPlan {
  static final long DEFAULT_BAKE_MINUTES = 15;
  static final long DEFAULT_MIN_SAMPLES = 500;
  /** The default of {@link #minCandidateCalls()}. */
  public static final long DEFAULT_MIN_CANDIDATE_CALLS = 20;

  private final String control;
  private final String candidate;
  private final List<Stage> stages;
  private final Slo slo;
  private final List<BurnRateRule> rules;
  private final RolloutMode mode;
  private final double alpha;
  private final int maxShrinks;
  private final Duration coolDown;
  private final Duration watch;
  private final double sharedCauseRatio;
  private final long minCandidateCalls;

  private RolloutPlan(Builder b) {
    this.control = b.control;
    this.candidate = b.candidate;
    this.stages = List.copyOf(b.stages);
    this.slo = b.slo;
    this.rules = List.copyOf(b.rules);
    this.mode = b.mode;
    this.alpha = b.alpha;
    this.maxShrinks = b.maxShrinks;
    this.coolDown = b.coolDown;
    this.watch = b.watch;
    this.sharedCauseRatio = b.sharedCauseRatio;
    this.minCandidateCalls = b.minCandidateCalls;
  }

  /** A plan that rolls {@code candidate} out in place of {@code control}, with the defaults. */
  public static Builder builder(String control, String candidate) {
    return new Builder(control, candidate);
  }

  /** The variant users get when they do not get the candidate. */
  public String control() {
    return control;
  }

  /** The variant being rolled out. */
  public String candidate() {
    return candidate;
  }

  /** The stages, in order of increasing exposure; the last one is 100 %. */
  public List<Stage> stages() {
    return stages;
  }

  public Slo slo() {
    return slo;
  }

  public List<BurnRateRule> rules() {
    return rules;
  }

  public RolloutMode mode() {
    return mode;
  }

  /**
   * The false-rollback bound of the sequential test: when the candidate meets its SLO, the
   * probability that one test ever calls it bad is at most α, however often the guardian looks.
   * Also the bound of the sample-ratio-mismatch test: when which served calls get recorded does not
   * depend on their arm, the probability that the rollout is ever held for a mismatch is at most α
   * (exactly when every call is recorded within the 10-second bucket it was served in; see
   * {@code docs/statistics.md}).
   */
  public double alpha() {
    return alpha;
  }

  /** How many times the rollout may shrink before a further shrink becomes a rollback. */
  public int maxShrinks() {
    return maxShrinks;
  }

  /** How long a shrunk rollout waits before it re-probes the stage it stepped back from. */
  public Duration coolDown() {
    return coolDown;
  }

  /** How long a rollout at 100 % keeps being watched (and can still be rolled back) before it completes. */
  public Duration watch() {
    return watch;
  }

  /**
   * The candidate is blamed for a regression only when the control is clearly better: had the
   * control's calls failed at this share of the candidate's bad ratio, as few failures as it had
   * would have probability below α. Otherwise the cause counts as shared.
   */
  public double sharedCauseRatio() {
    return sharedCauseRatio;
  }

  /**
   * The fewest candidate calls, since the rollout started (or was reset), on which the guardian
   * shrinks or rolls back: however fast the budget burns, fewer calls are no evidence.
   */
  public long minCandidateCalls() {
    return minCandidateCalls;
  }

  /**
   * A stable, versioned text of every value that defines the rollout ({@code v1|control|candidate|
   * stages|slo|rules|mode|alpha|maxShrinks|coolDown|watch|sharedCauseRatio}, then
   * {@code |minCandidateCalls} when it is not the default, so that the fingerprints of plans written
   * before it existed do not change); it is persisted with
   * each rollout's state; a different fingerprint is a plan change (see the guardian).
   */
  public String fingerprint() {
    StringBuilder sb = new StringBuilder("v1|").append(control).append('|').append(candidate).append('|');
    for (Stage st : stages) {
      sb.append(Double.toString(st.exposurePercent())).append(',').append(st.bake()).append(',')
          .append(st.minSamples()).append(';');
    }
    sb.append('|').append(Double.toString(slo.availability())).append(',')
        .append(slo.latencyThreshold().map(Duration::toString).orElse("-")).append(',')
        .append(Double.toString(slo.latencyObjective())).append('|');
    for (BurnRateRule r : rules) {
      sb.append(r.longWindow()).append(',').append(r.shortWindow()).append(',').append(Double.toString(r.factor()))
          .append(',').append(r.action()).append(';');
    }
    return sb.append('|').append(mode).append('|').append(Double.toString(alpha)).append('|').append(maxShrinks)
        .append('|').append(coolDown).append('|').append(watch).append('|').append(Double.toString(sharedCauseRatio))
        .append(minCandidateCalls == DEFAULT_MIN_CANDIDATE_CALLS ? "" : "|" + minCandidateCalls).toString();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RolloutPlan && ((RolloutPlan) o).fingerprint().equals(fingerprint());
  }

  @Override
  public int hashCode() {
    return fingerprint().hashCode();
  }

  @Override
  public String toString() {
    return "RolloutPlan[" + control + " -> " + candidate + ", stages=" + stages + ", slo=" + slo + ", rules=" + rules
        + ", mode=" + mode + ", alpha=" + alpha + ", maxShrinks=" + maxShrinks + ", coolDown=" + coolDown
        + ", watch=" + watch + ", sharedCauseRatio=" + sharedCauseRatio + ", minCandidateCalls=" + minCandidateCalls + "]";
  }

  /**
   * Why {@code rule} could never fire against {@code slo}, or null when it can. A rule fires only
   * when the candidate's bad ratio over both windows exceeds {@code factor × budget} and the
   * sequential test prefers "bad ratio = factor × budget" to "bad ratio = budget". At a factor of at
   * most 1 that alternative does not exceed the null, so the test's evidence never grows (the SRE
   * Workbook's 3 d / 6 h × 1 slow-burn rule is such a rule); at {@code factor × budget ≥ 1} no bad
   * ratio can exceed it. Either way the rule would be silently dead, so a plan with one is refused.
   */
  static @Nullable String whyRuleCannotFire(BurnRateRule rule, Slo slo) {
    if (!(rule.factor() > 1)) {
      return "its factor " + rule.factor() + " is not above 1, so its sequential test's alternative (factor × budget)"
          + " does not exceed its null (the budget) and the evidence never grows; use a factor above 1, e.g. 1.5";
    }
    if (rule.factor() * slo.errorBudget() >= 1) {
      return "factor " + rule.factor() + " × the availability budget " + slo.errorBudget()
          + " is at least 1, and no error ratio can burn faster than that";
    }
    if (slo.latencyThreshold().isPresent() && rule.factor() * slo.latencyBudget() >= 1) {
      return "factor " + rule.factor() + " × the latency budget " + slo.latencyBudget()
          + " is at least 1, and no slow-call ratio can burn faster than that";
    }
    return null;
  }

  /** Builds a {@link RolloutPlan}. */
  public static final class Builder {
    private final String control;
    private final String candidate;
    private List<Stage> stages = defaultStages();
    private Slo slo = Slo.availability(0.999);
    private List<BurnRateRule> rules = List.of(BurnRateRule.fastBurn(RuleAction.ROLLBACK),
        BurnRateRule.slowBurn(RuleAction.SHRINK));
    private RolloutMode mode = RolloutMode.ENFORCE;
    private double alpha = 0.01;
    private int maxShrinks = 3;
    private Duration coolDown = Duration.ofMinutes(10);
    private Duration watch = Duration.ofHours(1);
    private double sharedCauseRatio = 2.0 / 3;
    private long minCandidateCalls = DEFAULT_MIN_CANDIDATE_CALLS;

    private Builder(String control, String candidate) {
      this.control = Objects.requireNonNull(control, "control");
      this.candidate = Objects.requireNonNull(candidate, "candidate");
      if (control.equals(candidate)) {
        throw new IllegalArgumentException("control and candidate must be different variants, both are \"" + control + "\"");
      }
    }

    private static List<Stage> defaultStages() {
      List<Stage> list = new ArrayList<>();
      for (double p : new double[] {1, 5, 25, 50, 100}) {
        list.add(new Stage(p, Duration.ofMinutes(DEFAULT_BAKE_MINUTES), DEFAULT_MIN_SAMPLES));
      }
      return list;
    }

    /** The stages, in strictly increasing exposure, ending at 100 %. */
    public Builder stages(List<Stage> stages) {
      Objects.requireNonNull(stages, "stages");
      if (stages.isEmpty()) {
        throw new IllegalArgumentException("a rollout needs at least one stage");
      }
      for (int i = 1; i < stages.size(); i++) {
        if (stages.get(i).exposurePercent() <= stages.get(i - 1).exposurePercent()) {
          throw new IllegalArgumentException("stage exposures must increase: stage " + i + " has "
              + stages.get(i).exposurePercent() + " % after " + stages.get(i - 1).exposurePercent() + " %");
        }
      }
      if (stages.get(stages.size() - 1).exposurePercent() != 100) {
        throw new IllegalArgumentException("the last stage must expose 100 %, got "
            + stages.get(stages.size() - 1).exposurePercent() + " %");
      }
      this.stages = List.copyOf(stages);
      return this;
    }

    public Builder slo(Slo slo) {
      this.slo = Objects.requireNonNull(slo, "slo");
      return this;
    }

    /** The burn-rate rules; at least one. */
    public Builder rules(List<BurnRateRule> rules) {
      Objects.requireNonNull(rules, "rules");
      if (rules.isEmpty()) {
        throw new IllegalArgumentException("a rollout needs at least one burn-rate rule");
      }
      this.rules = List.copyOf(rules);
      return this;
    }

    public Builder mode(RolloutMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** The sequential test's false-rollback bound, in (0, 0.5). */
    public Builder alpha(double alpha) {
      if (!(alpha > 0 && alpha < 0.5)) {
        throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
      }
      this.alpha = alpha;
      return this;
    }

    public Builder maxShrinks(int maxShrinks) {
      if (maxShrinks < 0) {
        throw new IllegalArgumentException("maxShrinks must not be negative, got " + maxShrinks);
      }
      this.maxShrinks = maxShrinks;
      return this;
    }

    public Builder coolDown(Duration coolDown) {
      this.coolDown = nonNegative(coolDown, "coolDown");
      return this;
    }

    public Builder watch(Duration watch) {
      this.watch = nonNegative(watch, "watch");
      return this;
    }

    /** In (0, 1]: see {@link RolloutPlan#sharedCauseRatio()}. */
    public Builder sharedCauseRatio(double ratio) {
      if (!(ratio > 0 && ratio <= 1)) {
        throw new IllegalArgumentException("sharedCauseRatio must be in (0, 1], got " + ratio);
      }
      this.sharedCauseRatio = ratio;
      return this;
    }

    /** At least 1: see {@link RolloutPlan#minCandidateCalls()}. */
    public Builder minCandidateCalls(long calls) {
      if (calls < 1) {
        throw new IllegalArgumentException("minCandidateCalls must be at least 1, got " + calls);
      }
      this.minCandidateCalls = calls;
      return this;
    }

    private static Duration nonNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative, got " + d);
      }
      return d;
    }

    /**
     * Builds the plan.
     *
     * @throws IllegalArgumentException when a rule could never fire at the plan's SLO (see
     *     {@link RolloutPlan#whyRuleCannotFire})
     */
    public RolloutPlan build() {
      for (int i = 0; i < rules.size(); i++) {
        String why = whyRuleCannotFire(rules.get(i), slo);
        if (why != null) {
          throw new IllegalArgumentException("rule " + i + " (" + rules.get(i) + ") can never fire: " + why);
        }
      }
      return new RolloutPlan(this);
    }
  }

  /**
   * One step of a rollout: the share of eligible traffic that gets the candidate, and what must hold
   * before the rollout moves on.
   *
   * @param exposurePercent the <b>percentage</b> (0 &lt; p &le; 100, as the file's {@code
   *     "exposure"}: {@code 5} is 5 %) of the contexts the flag assigns to the candidate that
   *     actually get it; {@link #exposure()} reads it back as a fraction
   * @param bake the least time to spend at this stage
   * @param minSamples the least number of candidate calls to see at this stage
   */
  public record Stage(double exposurePercent, Duration bake, long minSamples) {
    public Stage {
      if (!(exposurePercent > 0 && exposurePercent <= 100)) {
        throw new IllegalArgumentException("stage exposure must be in (0, 100] percent, got " + exposurePercent);
      }
      Objects.requireNonNull(bake, "bake");
      if (bake.isNegative()) {
        throw new IllegalArgumentException("stage bake time must not be negative, got " + bake);
      }
      if (minSamples < 0) {
        throw new IllegalArgumentException("stage minSamples must not be negative, got " + minSamples);
      }
    }

    /** The exposure as a <b>fraction</b> in (0, 1], as {@link RolloutState#exposure()} is: {@code exposurePercent / 100}. */
    public double exposure() {
      return exposurePercent / 100;
    }
  }

  /**
   * The candidate's service-level objectives: availability, and optionally latency as a ratio
   * ("at least 99 % of calls faster than 300 ms" is the SLI "slow calls / calls ≤ 1 %"). The guard
   * decides on exact counts of errors and slow calls, never on latency quantiles.
   */
  public static final class Slo {
    private final double availability;
    private final Duration latencyThreshold;
    private final double latencyObjective;

    private Slo(double availability, Duration latencyThreshold, double latencyObjective) {
      this.availability = availability;
      this.latencyThreshold = latencyThreshold;
      this.latencyObjective = latencyObjective;
    }

    /**
     * An availability objective: the <b>fraction</b> of calls that must succeed, in (0, 1), e.g.
     * 0.999 for the file's {@code "availability": 99.9} (a percentage there).
     */
    public static Slo availability(double objective) {
      checkObjective("availability", objective);
      return new Slo(objective, null, 0);
    }

    /**
     * Adds a latency objective: at least {@code objective} of the calls (a <b>fraction</b> in (0, 1),
     * e.g. 0.99 for the file's {@code "objective": 99}) take no longer than {@code threshold}, which
     * must be one of the provider's latency thresholds (its builder's {@code latencyThresholds}) for
     * the rollout to be judged on latency.
     */
    public Slo withLatency(Duration threshold, double objective) {
      Objects.requireNonNull(threshold, "threshold");
      if (threshold.isNegative() || threshold.isZero()) {
        throw new IllegalArgumentException("latency threshold must be positive, got " + threshold);
      }
      checkObjective("latency", objective);
      return new Slo(availability, threshold, objective);
    }

    private static void checkObjective(String what, double objective) {
      if (!(objective > 0 && objective < 1)) {
        throw new IllegalArgumentException(what + " objective must be a fraction in (0, 1), e.g. 0.999, got " + objective);
      }
    }

    /** The availability objective, a fraction in (0, 1) (0.999, where the file writes 99.9). */
    public double availability() {
      return availability;
    }

    /** The error budget: the fraction of calls that may fail, {@code 1 - availability}. */
    public double errorBudget() {
      return 1 - availability;
    }

    /** The latency threshold, when there is a latency objective. */
    public Optional<Duration> latencyThreshold() {
      return Optional.ofNullable(latencyThreshold);
    }

    /** The fraction of calls that must be at most {@link #latencyThreshold()}; 0 without a latency objective. */
    public double latencyObjective() {
      return latencyObjective;
    }

    /** The latency budget: the fraction of calls that may be slow, {@code 1 - latencyObjective}. */
    public double latencyBudget() {
      return 1 - latencyObjective;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Slo && ((Slo) o).availability == availability && ((Slo) o).latencyObjective == latencyObjective
          && Objects.equals(((Slo) o).latencyThreshold, latencyThreshold);
    }

    @Override
    public int hashCode() {
      return Objects.hash(availability, latencyThreshold, latencyObjective);
    }

    @Override
    public String toString() {
      return "availability " + availability * 100 + " %"
          + (latencyThreshold == null ? "" : ", " + latencyObjective * 100 + " % within " + latencyThreshold);
    }
  }

  /**
   * A multiwindow burn-rate rule (Google SRE Workbook, "Alerting on SLOs"): it fires when the
   * candidate burns its error budget faster than {@code factor} times the sustainable rate over both
   * the long and the short window. At a constant error ratio e over windows full of healthy traffic
   * it fires after {@code longWindow × factor × (1 − objective) / e}.
   *
   * @param longWindow the window that makes the rule significant (e.g. 1 h)
   * @param shortWindow the window that makes it reset quickly once the burn stops (usually long / 12)
   * @param factor the burn rate that fires the rule (e.g. 14.4: 2 % of a 30-day budget in 1 h)
   * @param action what firing does
   */
  public record BurnRateRule(Duration longWindow, Duration shortWindow, double factor, RuleAction action) {
    public BurnRateRule {
      Objects.requireNonNull(longWindow, "longWindow");
      Objects.requireNonNull(shortWindow, "shortWindow");
      Objects.requireNonNull(action, "action");
      if (longWindow.compareTo(Duration.ofSeconds(10)) < 0 || longWindow.compareTo(Duration.ofHours(72)) > 0) {
        throw new IllegalArgumentException("a rule's long window must be between 10 s and 72 h, got " + longWindow);
      }
      if (shortWindow.compareTo(Duration.ofSeconds(10)) < 0 || shortWindow.compareTo(longWindow) > 0) {
        throw new IllegalArgumentException("a rule's short window must be between 10 s and the long window ("
            + longWindow + "), got " + shortWindow);
      }
      if (!(factor > 0) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException("a rule's burn-rate factor must be positive, got " + factor);
      }
    }

    /** The SRE Workbook's page-worthy rule: 1 h / 5 min at 14.4 (2 % of a 30-day budget in an hour). */
    public static BurnRateRule fastBurn(RuleAction action) {
      return new BurnRateRule(Duration.ofHours(1), Duration.ofMinutes(5), 14.4, action);
    }

    /** The SRE Workbook's second rule: 6 h / 30 min at 6 (5 % of a 30-day budget in 6 hours). */
    public static BurnRateRule slowBurn(RuleAction action) {
      return new BurnRateRule(Duration.ofHours(6), Duration.ofMinutes(30), 6, action);
    }

    /** e.g. {@code 1h/5m x14.4 -> ROLLBACK}. */
    @Override
    public String toString() {
      return compact(longWindow) + "/" + compact(shortWindow) + " x" + factor + " -> " + action;
    }

    /** A duration the way people write it: 90s, 5m, 1h, 1h30m. */
    public static String compact(Duration d) {
      StringBuilder sb = new StringBuilder();
      long h = d.toHours();
      int m = d.toMinutesPart();
      int s = d.toSecondsPart();
      if (h > 0) {
        sb.append(h).append('h');
      }
      if (m > 0) {
        sb.append(m).append('m');
      }
      if (s > 0 || sb.length() == 0) {
        sb.append(s).append('s');
      }
      return sb.toString();
    }
  }

  /** Whether a rollout's decisions change exposure. */
  public enum RolloutMode {
    /** Decisions are applied: exposure advances, shrinks and rolls back. */
    ENFORCE,
    /** Decisions are made, recorded and reported ("would roll back"), but exposure never changes. */
    DRY_RUN
  }

  /** What a burn-rate rule does when it fires. */
  public enum RuleAction {
    /** Step the candidate's exposure back one stage, cool down, then re-probe. */
    SHRINK,
    /** Candidate exposure 0, until a person resets the rollout. */
    ROLLBACK
  }
}
