package dev.burnguard.internal.guardian;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the guardian read of one rollout at a tick, in numbers: the candidate's and the control's
 * counts over every window the plan's rules use, the sequential statistics each rule check needs,
 * the stage's samples. The judge decides on it ({@link RolloutJudge#decide(RolloutReading, String)}),
 * and the rollout's {@link RolloutHealth}, with its {@link RuleCheck}s, is built from it only when
 * someone asks ({@link #health()}) or a decision carries the checks as evidence: a tick over healthy
 * rollouts that are baking allocates nothing per rollout, and reads each window once (the health and
 * the rule checks read the same windows).
 *
 * <p>Internal, not for public use. Not thread-safe: one object per rollout, reused from tick to tick,
 * filled and read under the guardian's lock.
 */
final class RolloutReading {
  private static final int VARIANTS = 2; // candidate, control

  private String flagKey;
  private RolloutPlan plan;
  private RolloutState state;
  private Instant at;
  private Decision latest;
  private int latencyIndex;
  private boolean latency;
  /** The distinct window lengths of the plan's rules, ascending. */
  private Duration[] lengths = new Duration[0];
  /** Per rule, the index in {@link #lengths} of its long and its short window. */
  private int[] longAt = new int[0];
  private int[] shortAt = new int[0];
  /** Counts per variant (candidate first), window length and counter ({@link RolloutWindows#SIZE} each). */
  private long[] counts = new long[0];
  /** Number of rule checks read: rules × SLIs for a guarded rollout, 0 otherwise. */
  private int checks;
  /** Per check (rule r, SLI s at r × slis + s): the rule's ln R, and whether the two-arm test shows the candidate worse. */
  private double[] statistic = new double[0];
  private boolean[] candidateWorse = new boolean[0];
  private double threshold;
  private long stageSamples;
  private long candidateCalls;
  /** Scratch for one window read, and the bake window last read (reused while it stays the same). */
  private final long[] out = new long[RolloutWindows.SIZE];
  private Duration bakeWindow = Duration.ofSeconds(1);
  /** The tick this was last read at (the guardian's count); a reading of an earlier tick is not shown. */
  long tick = -1;

  /**
   * Reads the rollout now: every window of {@code windows} its rules use, and for a guarded rollout
   * the statistics of each rule check from {@code evidence}. Allocates only when the plan changed.
   */
  void read(String flagKey, RolloutPlan plan, RolloutState state, RolloutWindows windows, int latencyIndex,
      Instant now, RolloutEvidence evidence, Decision latest) {
    if (plan != this.plan) {
      shape(plan);
    }
    this.flagKey = flagKey;
    this.state = state;
    this.at = now;
    this.latest = latest;
    this.latencyIndex = latencyIndex;
    this.latency = plan.slo().latencyThreshold().isPresent() && latencyIndex >= 0;
    int n = lengths.length;
    for (int v = 0; v < VARIANTS; v++) {
      String variant = v == 0 ? plan.candidate() : plan.control();
      for (int l = 0; l < n; l++) {
        windows.counts(variant, lengths[l], out);
        System.arraycopy(out, 0, counts, (v * n + l) * RolloutWindows.SIZE, RolloutWindows.SIZE);
      }
    }
    int slis = latency ? 2 : 1;
    checks = state.status().guarded() ? plan.rules().size() * slis : 0;
    if (checks > 0) {
      threshold = evidence.logThreshold(plan, slis, plan.minCandidateCalls());
      boolean controlServed = state.exposure() < 1.0;
      for (int r = 0; r < plan.rules().size(); r++) {
        for (int s = 0; s < slis; s++) {
          int c = r * slis + s;
          int sli = s == 0 ? RolloutEvidence.AVAILABILITY : RolloutEvidence.LATENCY;
          statistic[c] = evidence.logStatistic(r, sli);
          candidateWorse[c] = !controlServed || evidence.candidateWorseThanControl(plan, sli, slis);
        }
      }
    }
    windows.counts(plan.candidate(), bakeWindow(state.stageStartedAt(), now), out);
    stageSamples = Math.max(out[RolloutWindows.CALLS], evidence.stageCalls(state));
    candidateCalls = evidence.candidateCalls();
  }

  /** Sizes the arrays for {@code plan}'s rules. */
  private void shape(RolloutPlan plan) {
    java.util.TreeSet<Duration> distinct = new java.util.TreeSet<>();
    for (BurnRateRule r : plan.rules()) {
      distinct.add(r.shortWindow());
      distinct.add(r.longWindow());
    }
    lengths = distinct.toArray(new Duration[0]);
    List<Duration> index = List.of(lengths);
    int rules = plan.rules().size();
    longAt = new int[rules];
    shortAt = new int[rules];
    for (int r = 0; r < rules; r++) {
      longAt[r] = index.indexOf(plan.rules().get(r).longWindow());
      shortAt[r] = index.indexOf(plan.rules().get(r).shortWindow());
    }
    counts = new long[VARIANTS * lengths.length * RolloutWindows.SIZE];
    statistic = new double[rules * 2];
    candidateWorse = new boolean[rules * 2];
    this.plan = plan;
  }

  /**
   * How long the stage has baked, clamped to 1 s .. 72 h: the window the stage's candidate calls are
   * read over (at most the recorder's longest, nothing from before a restart). The same Duration as
   * the previous read while it has not changed.
   */
  private Duration bakeWindow(Instant stageStartedAt, Instant now) {
    long seconds = now.getEpochSecond() - stageStartedAt.getEpochSecond();
    long nanos = now.getNano() - stageStartedAt.getNano();
    if (nanos < 0) {
      seconds--;
      nanos += 1_000_000_000L;
    }
    if (seconds > 72 * 3600 || seconds == 72 * 3600 && nanos > 0) {
      seconds = 72 * 3600;
      nanos = 0;
    } else if (seconds < 1) {
      seconds = 1;
      nanos = 0;
    }
    if (bakeWindow.getSeconds() != seconds || bakeWindow.getNano() != nanos) {
      bakeWindow = Duration.ofSeconds(seconds, nanos);
    }
    return bakeWindow;
  }

  String flagKey() {
    return flagKey;
  }

  RolloutPlan plan() {
    return plan;
  }

  RolloutState state() {
    return state;
  }

  Instant at() {
    return at;
  }

  /** Candidate calls of the stage: the larger of the recorder's windows and the sequential evidence's count. */
  long stageSamples() {
    return stageSamples;
  }

  /** Whether any rule check burns (both its windows past the rule's factor), without building the checks. */
  boolean anyBurning() {
    int slis = latency ? 2 : 1;
    for (int c = 0; c < checks; c++) {
      int r = c / slis;
      BurnRateRule rule = plan.rules().get(r);
      int bad = c % slis == 0 ? RolloutWindows.ERRORS : RolloutWindows.SLOW + latencyIndex;
      double budget = c % slis == 0 ? plan.slo().errorBudget() : plan.slo().latencyBudget();
      int candLong = at(0, longAt[r]);
      int candShort = at(0, shortAt[r]);
      if (RolloutJudge.burning(rule,
          BurnRate.of(counts[candLong + bad], counts[candLong + RolloutWindows.CALLS], budget),
          BurnRate.of(counts[candShort + bad], counts[candShort + RolloutWindows.CALLS], budget))) {
        return true;
      }
    }
    return false;
  }

  /** Where the counts of variant {@code v} (0 candidate, 1 control) over length {@code l} start in {@link #counts}. */
  private int at(int v, int l) {
    return (v * lengths.length + l) * RolloutWindows.SIZE;
  }

  /** The rule checks, built anew: every rule on every SLI for a guarded rollout, none otherwise. */
  List<RuleCheck> checks() {
    List<RuleCheck> out = new ArrayList<>(checks);
    int slis = latency ? 2 : 1;
    for (int c = 0; c < checks; c++) {
      int r = c / slis;
      boolean availability = c % slis == 0;
      out.add(RolloutJudge.check(plan, plan.rules().get(r), availability ? "availability" : "latency",
          availability ? plan.slo().errorBudget() : plan.slo().latencyBudget(),
          slice(0, longAt[r]), slice(0, shortAt[r]), slice(1, shortAt[r]),
          availability ? RolloutWindows.ERRORS : RolloutWindows.SLOW + latencyIndex, statistic[c], threshold,
          candidateWorse[c]));
    }
    return out;
  }

  private long[] slice(int v, int l) {
    int from = at(v, l);
    return java.util.Arrays.copyOfRange(counts, from, from + RolloutWindows.SIZE);
  }

  /**
   * The rollout's health as read: every variant window the rules read, with burn rates; every rule
   * checked on every SLI (none for a rollout no longer guarded); the stage's progress.
   */
  RolloutHealth health() {
    List<RolloutHealth.VariantWindow> vw = new ArrayList<>(VARIANTS * lengths.length);
    for (int v = 0; v < VARIANTS; v++) {
      String variant = v == 0 ? plan.candidate() : plan.control();
      for (int l = 0; l < lengths.length; l++) {
        int from = at(v, l);
        long calls = counts[from + RolloutWindows.CALLS];
        long errors = counts[from + RolloutWindows.ERRORS];
        long slow = latency ? counts[from + RolloutWindows.SLOW + latencyIndex] : -1;
        vw.add(new RolloutHealth.VariantWindow(variant, lengths[l], calls, errors, slow,
            BurnRate.of(errors, calls, plan.slo().errorBudget()),
            latency ? BurnRate.of(slow, calls, plan.slo().latencyBudget()) : Double.NaN));
      }
    }
    int index = Math.min(state.stage(), plan.stages().size() - 1);
    Stage stage = plan.stages().get(index);
    Duration baked = Duration.between(state.stageStartedAt(), at);
    return new RolloutHealth(flagKey, at, state, vw, checks(),
        new RolloutHealth.StageProgress(index, baked, stage.bake(), stageSamples, stage.minSamples()),
        candidateCalls, latest);
  }
}
