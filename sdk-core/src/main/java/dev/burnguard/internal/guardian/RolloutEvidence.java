package dev.burnguard.internal.guardian;

import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import java.util.Arrays;

/**
 * The sequential evidence of one rollout, accumulated over every candidate call since the rollout
 * started (or was reset): the anytime-valid half of the guardian's decision rule. See
 * {@code docs/statistics.md} for the derivation; in short:
 *
 * <p><b>Candidate detectors.</b> For each rule and SLI, a Shiryaev–Roberts e-detector of "bad ratio
 * = p1 = factor × budget" against "bad ratio = p0 = budget", fed with per-batch counts (m calls, b
 * bad): {@code R ← (R + m) · Λ}, {@code Λ = (p1/p0)^b ((1 − p1)/(1 − p0))^(m − b)}. While every
 * call's bad probability, given the past, is at most p0, {@code R − N} (N = calls so far) is a
 * supermartingale, so for a horizon of N calls {@code P(R ever ≥ A) ≤ N / A}; the threshold for N
 * in {@code [2^k, 2^(k+1))} is {@code A_k = 2^(k+1) (k + 1)(k + 2) / a}, which spends
 * {@code a / ((k + 1)(k + 2))} on block k and at most {@code a} over a rollout of any length. With r
 * rules and s SLIs, {@code a = α / (r·s)}.
 *
 * <p><b>Shared-cause detectors.</b> Per SLI, over bad calls of both arms: given a bad call in a batch
 * with n_c candidate and n_k control calls, under "the candidate is no worse than the control" it
 * is the candidate's with probability at most {@code q0 = n_c / (n_c + n_k)}; against "the
 * candidate's bad ratio is ρ times the control's" ({@code q1 = ρ n_c / (ρ n_c + n_k)}), the same
 * Shiryaev–Roberts recursion with bad calls as the clock. The statistic is the mean of the
 * detectors for ρ in {@link #SHARED_RATIOS} (and 1 / the plan's shared-cause ratio), so it is as
 * powerful as the best of them up to a factor of their number; its threshold uses {@code a = α / s}.
 * Until it crosses, a regression that the control also has is not blamed on the candidate.
 *
 * <p><b>Sample-ratio mismatch.</b> Over the calls the flag's gates served ({@link
 * dev.burnguard.internal.gate.AdmissionCounts}) and the outcomes recorded: in a batch whose gates
 * served a_c candidate and a_k control calls and whose buckets hold r recorded calls, r_c of them
 * the candidate's, "which served calls get recorded does not depend on their arm" makes r_c, given
 * r, hypergeometric, and under it a recorded call is the candidate's with probability
 * {@code q0 = a_c / (a_c + a_k)} in the binomial bound; against "the candidate's calls are recorded
 * ρ times as often as the control's" ({@code q1 = ρ a_c / (ρ a_c + a_k)}), the Shiryaev–Roberts
 * recursion with the smaller arm's expected recorded calls, {@code r · min(q0, 1 − q0)}, as the
 * clock. The statistic is the mean over {@link #SRM_RATIOS} (both directions), its threshold the
 * dyadic one at {@code a = α}, so under that null the probability of ever crossing is at most α —
 * exactly when each call is recorded in the bucket it was served in, approximately when calls are
 * in flight across a bucket's edge. A batch is left out when it is the first read (the base), an
 * arm was not served, nothing was recorded, more was recorded than served, or the gate's exposure
 * changed since the last read: none of which depends on the recorded calls' arms. Its crossing holds
 * the rollout (no advance, no re-probe, no finish). Not persisted: a restart starts it afresh.
 *
 * <p>Batches are whole 10-second buckets of the recorder, each read once, so the number of calls in
 * a batch never depends on their outcomes having been looked at. Statistics are kept as natural
 * logarithms. Not thread-safe: the guardian updates and reads it under its lock.
 */
final class RolloutEvidence {
  /** The candidate-to-control bad-ratio alternatives the shared-cause detectors mix over (besides the plan's). */
  static final double[] SHARED_RATIOS = {2, 4, 16, 64};
  /**
   * The ratios of the candidate's recording rate to the control's that the sample-ratio detectors
   * mix over: a candidate losing half, a fifth or a twentieth of its outcomes, and the control doing so.
   */
  static final double[] SRM_RATIOS = {0.5, 0.8, 0.95, 1 / 0.95, 1.25, 2};
  /** The width of the recorder buckets fed as batches, in seconds. */
  static final long BATCH_SECONDS = 10;
  /** Index of the availability SLI in the per-SLI arrays; latency is 1. */
  static final int AVAILABILITY = 0;
  static final int LATENCY = 1;

  /** The plan values the statistics depend on: variants, SLO, rules, α, shared-cause ratio. */
  private final String statisticsKey;
  private final int rules;
  /** ln R per rule and SLI, at {@code rule * 2 + sli}. */
  private final double[] logR;
  /** ln R of each shared-cause alternative per SLI, at {@code sli * ratios + j}. */
  private final double[] sharedLogR;
  private final double[] sharedRatios;
  /** Bad calls of both arms fed to each SLI's shared-cause detector: its clock. */
  private final long[] sharedBad = new long[2];
  private long candidateCalls;
  /** Candidate calls read when the current stage started, and that start (epoch ms; MIN_VALUE: not seen yet). */
  private long stageStartCalls;
  private long stageStartedAtMillis = Long.MIN_VALUE;
  /** The recorder second from which buckets are still to be read, or {@link Long#MIN_VALUE} before the first read. */
  private long cursor = Long.MIN_VALUE;
  /** ln R of each sample-ratio alternative, its clock (smaller arm's expected recorded calls), and the tallies it read. */
  private final double[] srmLogR = new double[SRM_RATIOS.length];
  private double srmClock;
  private long srmServedCandidate;
  private long srmServedControl;
  private long srmRecordedCandidate;
  private long srmRecordedControl;
  /** The gates' counts and exposure at the last read, or -1 before the first (they are not persisted). */
  private long lastServedCandidate = -1;
  private long lastServedControl = -1;
  private double lastExposure = Double.NaN;

  RolloutEvidence(RolloutPlan plan) {
    this.statisticsKey = statisticsKey(plan);
    this.rules = plan.rules().size();
    this.logR = new double[rules * 2];
    Arrays.fill(logR, Double.NEGATIVE_INFINITY);
    this.sharedRatios = new double[SHARED_RATIOS.length + 1];
    sharedRatios[0] = 1 / plan.sharedCauseRatio();
    System.arraycopy(SHARED_RATIOS, 0, sharedRatios, 1, SHARED_RATIOS.length);
    this.sharedLogR = new double[2 * sharedRatios.length];
    Arrays.fill(sharedLogR, Double.NEGATIVE_INFINITY);
    Arrays.fill(srmLogR, Double.NEGATIVE_INFINITY);
  }

  /** Evidence restored from its persisted numbers (see {@link #snapshot}). */
  static RolloutEvidence restored(RolloutPlan plan, Snapshot s) {
    RolloutEvidence e = new RolloutEvidence(plan);
    if (!s.statisticsKey().equals(statisticsKey(plan)) || s.logR().length != e.logR.length
        || s.sharedLogR().length != e.sharedLogR.length) {
      return e; // another plan's evidence: start afresh
    }
    System.arraycopy(s.logR(), 0, e.logR, 0, e.logR.length);
    System.arraycopy(s.sharedLogR(), 0, e.sharedLogR, 0, e.sharedLogR.length);
    e.sharedBad[0] = s.sharedBad()[0];
    e.sharedBad[1] = s.sharedBad()[1];
    e.candidateCalls = s.candidateCalls();
    e.stageStartCalls = s.stageStartCalls();
    e.stageStartedAtMillis = s.stageStartedAtMillis();
    return e;
  }

  /** The persisted form: what a restart needs to continue the same detectors and stage count. */
  record Snapshot(String statisticsKey, long candidateCalls, long stageStartCalls, long stageStartedAtMillis,
      double[] logR, double[] sharedLogR, long[] sharedBad) {}

  Snapshot snapshot() {
    return new Snapshot(statisticsKey, candidateCalls, stageStartCalls, stageStartedAtMillis, logR.clone(),
        sharedLogR.clone(), sharedBad.clone());
  }

  /**
   * Candidate calls read since the current stage (or re-probe) of {@code state} started, as far as
   * this evidence saw it start: a stage start it has not seen before counts from now.
   */
  long stageCalls(RolloutState state) {
    long started = state.stageStartedAt().toEpochMilli();
    if (started != stageStartedAtMillis) {
      stageStartedAtMillis = started;
      stageStartCalls = candidateCalls;
    }
    return candidateCalls - stageStartCalls;
  }

  /**
   * Whether this evidence was gathered under {@code plan}'s statistics: a plan edited in place keeps
   * its evidence unless its variants, SLO, rules, α or shared-cause ratio changed (then a new test
   * starts, with its own α).
   */
  boolean isFor(RolloutPlan plan) {
    if (plan == lastPlanFor) {
      return true; // the guardian asks every tick with the same plan: no key built (about 1 KB) per tick
    }
    boolean isFor = statisticsKey.equals(statisticsKey(plan));
    if (isFor) {
      lastPlanFor = plan;
    }
    return isFor;
  }

  /** The last plan {@link #isFor} accepted (plans are immutable), or null. */
  private RolloutPlan lastPlanFor;

  private static String statisticsKey(RolloutPlan plan) {
    return plan.control() + "|" + plan.candidate() + "|" + plan.slo() + "|" + plan.rules() + "|" + plan.alpha() + "|"
        + plan.sharedCauseRatio();
  }

  /** Reads exact counts of a variant's calls in the recorder's whole buckets of seconds [from, to). */
  @FunctionalInterface
  interface Buckets {
    void counts(String variant, long fromSecond, long toSecond, long[] out);
  }

  /**
   * Evidence from recorder second {@code since} on: from the first bucket that starts at or after it
   * (a bucket under way may hold calls from before a rollout's start or a reset).
   */
  RolloutEvidence startingAt(long since) {
    cursor = Math.floorDiv(since + BATCH_SECONDS - 1, BATCH_SECONDS) * BATCH_SECONDS;
    return this;
  }

  /**
   * Feeds every whole bucket completed since the last call, up to the recorder second {@code now}, as
   * one batch per bucket. Without a {@linkplain #startingAt start}, the first call sets it to the next
   * bucket. Returns whether any bucket was read.
   */
  boolean advance(RolloutPlan plan, int latencyIndex, Buckets buckets, long now) {
    return advance(plan, latencyIndex, buckets, now, null, Double.NaN);
  }

  /**
   * Like {@link #advance(RolloutPlan, int, Buckets, long)}, and feeds the sample-ratio detectors one
   * batch: the buckets read now against what the gates counted as {@code served} since the previous
   * read, at the gate's {@code exposure}; null {@code served}: no sample-ratio test. A read that
   * finds no bucket completed leaves the gates' counts for the next one.
   */
  boolean advance(RolloutPlan plan, int latencyIndex, Buckets buckets, long now,
      dev.burnguard.internal.gate.AdmissionCounts served, double exposure) {
    long completed = Math.floorDiv(now, BATCH_SECONDS) * BATCH_SECONDS;
    if (cursor == Long.MIN_VALUE) {
      startingAt(now + 1);
      rebaseServed(served, exposure);
      return false;
    }
    boolean fed = cursor < completed;
    if (completed - cursor > 30 * BATCH_SECONDS || cursor > completed + BATCH_SECONDS) {
      // a long pause, or the windows now come from a source with another second count (a fleet's
      // mirror and the local recorder): start from the bucket under way. Buckets are skipped, never
      // read twice (leaving calls out keeps every bound; counting one twice would not)
      cursor = completed + BATCH_SECONDS;
      rebaseServed(served, exposure);
      return false;
    }
    if (!fed) {
      return false;
    }
    long[] cand = new long[RolloutWindows.SIZE];
    long[] ctrl = new long[RolloutWindows.SIZE];
    long recordedCandidate = 0;
    long recordedControl = 0;
    for (; cursor < completed; cursor += BATCH_SECONDS) {
      buckets.counts(plan.candidate(), cursor, cursor + BATCH_SECONDS, cand);
      buckets.counts(plan.control(), cursor, cursor + BATCH_SECONDS, ctrl);
      feed(plan, latencyIndex, cand, ctrl);
      recordedCandidate += cand[RolloutWindows.CALLS];
      recordedControl += ctrl[RolloutWindows.CALLS];
    }
    if (served != null) {
      long servedCandidate = served.candidate();
      long servedControl = served.control();
      // the first read only sets the base; a read across an exposure change is left out (calls in
      // flight then straddle two shares); neither depends on the outcomes of the batch
      if (lastServedCandidate >= 0 && exposure == lastExposure) {
        feedSampleRatio(servedCandidate - lastServedCandidate, servedControl - lastServedControl, recordedCandidate,
            recordedControl);
      }
      lastServedCandidate = servedCandidate;
      lastServedControl = servedControl;
      lastExposure = exposure;
    }
    return true;
  }

  private void rebaseServed(dev.burnguard.internal.gate.AdmissionCounts served, double exposure) {
    if (served != null) {
      lastServedCandidate = served.candidate();
      lastServedControl = served.control();
      lastExposure = exposure;
    }
  }

  /**
   * Feeds the sample-ratio detectors one batch: {@code servedCandidate} and {@code servedControl}
   * calls served by the gates, {@code recordedCandidate} and {@code recordedControl} recorded. A batch
   * with an arm not served, nothing recorded, or more recorded than served in all (outcomes of calls
   * the gates did not count: recorded directly, or a replica's) is left out; that choice depends on
   * the counts given r, never on which arm the recorded calls came from.
   */
  void feedSampleRatio(long servedCandidate, long servedControl, long recordedCandidate, long recordedControl) {
    long served = servedCandidate + servedControl;
    long recorded = recordedCandidate + recordedControl;
    if (servedCandidate <= 0 || servedControl <= 0 || recorded == 0 || recorded > served) {
      return;
    }
    double q0 = (double) servedCandidate / served;
    double clock = recorded * Math.min(q0, 1 - q0);
    srmClock += clock;
    srmServedCandidate += servedCandidate;
    srmServedControl += servedControl;
    srmRecordedCandidate += recordedCandidate;
    srmRecordedControl += recordedControl;
    for (int j = 0; j < SRM_RATIOS.length; j++) {
      double rho = SRM_RATIOS[j];
      double q1 = rho * servedCandidate / (rho * servedCandidate + servedControl);
      double logLambda = recordedCandidate * Math.log(q1 / q0) + recordedControl * Math.log((1 - q1) / (1 - q0));
      srmLogR[j] = logAdd(srmLogR[j], Math.log(clock)) + logLambda;
    }
  }

  /** ln of the mean of the sample-ratio detectors; −∞ before any batch. */
  double sampleRatioLogStatistic() {
    double sum = Double.NEGATIVE_INFINITY;
    for (double r : srmLogR) {
      sum = logAdd(sum, r);
    }
    return sum - Math.log(SRM_RATIOS.length);
  }

  /** ln A_k of the sample-ratio detectors at their clock, with {@code a = α}. */
  double sampleRatioLogThreshold(RolloutPlan plan) {
    return logThreshold((long) Math.max(1, srmClock), plan.alpha());
  }

  /**
   * The decision's words for a sample-ratio mismatch — served and recorded calls per arm since the
   * test began, the statistic and its threshold — or null while the detectors are below it.
   */
  String sampleRatioMismatch(RolloutPlan plan) {
    double statistic = sampleRatioLogStatistic();
    double threshold = sampleRatioLogThreshold(plan);
    if (srmClock <= 0 || statistic < threshold) {
      return null;
    }
    boolean candidateShort = (double) srmRecordedCandidate / srmServedCandidate
        < (double) srmRecordedControl / srmServedControl;
    return String.format(java.util.Locale.ROOT, "sample ratio mismatch: admitted %,d candidate"
            + " (%s) / %,d control (%s), recorded %,d / %,d (the %s's outcomes go missing), ln statistic %.2f ≥"
            + " threshold %.2f; not advancing while it stays over (a crash or hang before the outcome is recorded,"
            + " or outcomes recorded on one arm only?)",
        srmServedCandidate, plan.candidate(), srmServedControl, plan.control(), srmRecordedCandidate,
        srmRecordedControl, candidateShort ? "candidate" : "control", statistic, threshold);
  }

  /** Feeds one batch: counts at {@link RolloutWindows#CALLS}, {@code ERRORS}, {@code SLOW + i}. */
  void feed(RolloutPlan plan, int latencyIndex, long[] cand, long[] ctrl) {
    long m = cand[RolloutWindows.CALLS];
    if (m > 0) {
      candidateCalls += m;
      for (int r = 0; r < rules; r++) {
        double factor = plan.rules().get(r).factor();
        update(r * 2 + AVAILABILITY, m, cand[RolloutWindows.ERRORS], plan.slo().errorBudget(), factor);
        if (latencyIndex >= 0) {
          update(r * 2 + LATENCY, m, cand[RolloutWindows.SLOW + latencyIndex], plan.slo().latencyBudget(), factor);
        }
      }
    }
    long n = ctrl[RolloutWindows.CALLS];
    if (m > 0 && n > 0) {
      shared(AVAILABILITY, m, n, cand[RolloutWindows.ERRORS], ctrl[RolloutWindows.ERRORS]);
      if (latencyIndex >= 0) {
        shared(LATENCY, m, n, cand[RolloutWindows.SLOW + latencyIndex], ctrl[RolloutWindows.SLOW + latencyIndex]);
      }
    }
  }

  private void update(int i, long m, long bad, double p0, double factor) {
    double p1 = factor * p0;
    double logLambda = bad * Math.log(p1 / p0) + (m - bad) * Math.log((1 - p1) / (1 - p0));
    logR[i] = logAdd(logR[i], Math.log(m)) + logLambda;
  }

  private void shared(int sli, long candCalls, long ctrlCalls, long candBad, long ctrlBad) {
    long bad = candBad + ctrlBad;
    if (bad == 0) {
      return;
    }
    sharedBad[sli] += bad;
    double q0 = (double) candCalls / (candCalls + ctrlCalls);
    for (int j = 0; j < sharedRatios.length; j++) {
      double rho = sharedRatios[j];
      double q1 = rho * candCalls / (rho * candCalls + ctrlCalls);
      double logLambda = candBad * Math.log(q1 / q0) + ctrlBad * Math.log((1 - q1) / (1 - q0));
      int i = sli * sharedRatios.length + j;
      sharedLogR[i] = logAdd(sharedLogR[i], Math.log(bad)) + logLambda;
    }
  }

  /** Candidate calls fed so far. */
  long candidateCalls() {
    return candidateCalls;
  }

  /** ln R of the detector of rule {@code rule} on {@code sli}; −∞ before any call. */
  double logStatistic(int rule, int sli) {
    return logR[rule * 2 + sli];
  }

  /** ln A_k for the candidate detectors at the calls so far; +∞ below {@code minCalls} candidate calls. */
  double logThreshold(RolloutPlan plan, int slis, long minCalls) {
    if (candidateCalls < Math.max(1, minCalls)) {
      return Double.POSITIVE_INFINITY;
    }
    return logThreshold(candidateCalls, plan.alpha() / (plan.rules().size() * slis));
  }

  /** ln of the mean of the shared-cause detectors of {@code sli}. */
  double sharedLogStatistic(int sli) {
    double sum = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < sharedRatios.length; j++) {
      sum = logAdd(sum, sharedLogR[sli * sharedRatios.length + j]);
    }
    return sum - Math.log(sharedRatios.length);
  }

  /** Whether the shared-cause detector of {@code sli} shows the candidate worse than the control. */
  boolean candidateWorseThanControl(RolloutPlan plan, int sli, int slis) {
    return sharedBad[sli] > 0 && sharedLogStatistic(sli) >= logThreshold(sharedBad[sli], plan.alpha() / slis);
  }

  /**
   * ln A_k = ln(2^(k+1) (k + 1)(k + 2) / a) for {@code n} in [2^k, 2^(k+1)): the dyadic threshold that
   * spends {@code a / ((k + 1)(k + 2))} on each block of calls (see the class comment).
   */
  static double logThreshold(long n, double a) {
    int k = 63 - Long.numberOfLeadingZeros(Math.max(1, n));
    return (k + 1) * Math.log(2) + Math.log(k + 1.0) + Math.log(k + 2.0) - Math.log(a);
  }

  /** ln(e^x + e^y), exact at −∞. */
  static double logAdd(double x, double y) {
    if (x == Double.NEGATIVE_INFINITY) {
      return y;
    }
    if (y == Double.NEGATIVE_INFINITY) {
      return x;
    }
    double hi = Math.max(x, y);
    return hi + Math.log1p(Math.exp(Math.min(x, y) - hi));
  }
}
