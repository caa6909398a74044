package dev.burnguard.dashboard;

import dev.burnguard.outcome.Outcomes.LatencyDistribution;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard draws: a bounded history of every guarded flag, sampled once a second —
 * exposure, candidate and control error ratios and p95/p99 latency over the last
 * {@link #RECENT}, the candidate's burn rate over each rule's windows — and the latest decisions
 * with their evidence.
 *
 * <p>Every rollout is read through the dashboard's {@link DashboardServer.Source}, whichever provider
 * serves its flag (or whichever store keeps it). The decision log is each rollout's recent decisions as its rollout store keeps them, so
 * after a restart it shows the decisions the journal kept; the guardian's notable holds, which are
 * published but never journaled, are kept here in memory and merged in by time.
 *
 * <p>Design (concurrency): {@link #sample()} is called by one thread (the service's one-second
 * scheduler, or a test); it alone touches the latency snapshots. Decisions arrive through
 * {@link #decided} on whichever thread the guardian decides on (its ticker, or an admin request).
 * Samples and holds are immutable maps kept in two bounded deques, each guarded by its own
 * monitor; {@link #snapshot} (HTTP threads) copies what it needs under those monitors and builds
 * its answer outside them, with the store's decisions (whose {@code load} never waits). Memory is
 * bounded by {@link #CAPACITY} samples and {@link #MAX_HOLDS} holds.
 */
final class RolloutHistory {
  /** Ten minutes of one-second samples. */
  static final int CAPACITY = 600;
  static final int MAX_HOLDS = 200;
  /** The window of the error ratios, latency percentiles and sample counts shown. */
  static final Duration RECENT = Duration.ofSeconds(10);

  private final DashboardServer.Source source;
  private final Clock clock;
  private final ArrayDeque<Map<String, Object>> samples = new ArrayDeque<>();
  private final ArrayDeque<Map<String, Object>> holds = new ArrayDeque<>();
  private long seq; // guarded by samples
  // sampler thread only: the latency snapshots of the last RECENT seconds, oldest first
  private final Map<String, ArrayDeque<LatencyDistribution>> latencies = new HashMap<>();

  RolloutHistory(DashboardServer.Source source, Clock clock) {
    this.source = source;
    this.clock = clock;
  }

  /** Records one sample of every guarded flag. One thread at a time. */
  void sample() {
    Instant now = Instant.ofEpochMilli(clock.wallMillis());
    Map<String, RolloutState> states = source.rollouts().states();
    Map<String, Object> flags = new LinkedHashMap<>();
    source.plans().forEach((flag, plan) -> {
      RolloutState state = states.get(flag);
      if (state != null) {
        flags.put(flag, sample(flag, plan, state, now));
      }
    });
    latencies.keySet().removeIf(k -> !flags.containsKey(k.substring(0, k.indexOf('\n'))));
    synchronized (samples) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("seq", ++seq);
      s.put("t", now.toEpochMilli());
      s.put("flags", flags);
      samples.addLast(s);
      if (samples.size() > CAPACITY) {
        samples.removeFirst();
      }
    }
  }

  private Map<String, Object> sample(String flag, RolloutPlan plan, RolloutState state, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", state.status().name());
    m.put("stage", state.stage());
    m.put("exposure", state.exposure());
    m.put("candidate", variant(flag, plan.candidate(), plan));
    m.put("control", variant(flag, plan.control(), plan));
    // burn rates and stage progress as the guardian judged them at its last tick (one implementation)
    RolloutHealth health = source.rollouts().health().get(flag);
    List<Object> burns = new ArrayList<>();
    for (BurnRateRule rule : plan.rules()) {
      Map<String, Object> b = new LinkedHashMap<>();
      if (health != null) {
        health.windows().stream().filter(w -> w.variant().equals(plan.candidate())).forEach(w -> {
          if (w.window().equals(rule.longWindow())) {
            b.put("availabilityLong", w.availabilityBurn());
            if (w.slow() >= 0) {
              b.put("latencyLong", w.latencyBurn());
            }
          }
          if (w.window().equals(rule.shortWindow())) {
            b.put("availabilityShort", w.availabilityBurn());
            if (w.slow() >= 0) {
              b.put("latencyShort", w.latencyBurn());
            }
          }
        });
      }
      burns.add(b);
    }
    m.put("burn", burns);
    m.put("stageCalls", health == null ? 0 : health.stage().samples());
    return m;
  }

  private Map<String, Object> variant(String flag, String variant, RolloutPlan plan) {
    Outcomes recorder = source.outcomes(flag);
    WindowCounts recent = recorder.counts(flag, variant, RECENT);
    LatencyDistribution all = recorder.latency(flag, variant);
    ArrayDeque<LatencyDistribution> ring = latencies.computeIfAbsent(flag + "\n" + variant, k -> new ArrayDeque<>());
    LatencyDistribution window = ring.isEmpty() ? all : all.since(ring.peekFirst());
    ring.addLast(all);
    if (ring.size() > RECENT.toSeconds()) {
      ring.removeFirst();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("calls", recent.calls());
    m.put("errors", recent.errors());
    m.put("errorRatio", recent.calls() == 0 ? null : recent.errorRatio());
    int latencyIndex = latencyIndex(plan, recorder);
    if (latencyIndex >= 0) {
      m.put("slowRatio", recent.calls() == 0 ? null : recent.slowRatio(latencyIndex));
    }
    m.put("p95", window.count() == 0 ? null : millis(window.quantile(0.95)));
    m.put("p99", window.count() == 0 ? null : millis(window.quantile(0.99)));
    return m;
  }

  private static int latencyIndex(RolloutPlan plan, Outcomes recorder) {
    return plan.slo().latencyThreshold().map(t -> recorder.latencyThresholds().indexOf(t)).orElse(-1);
  }

  /** A guardian listener: keeps a published hold (the store journals every other decision) for the decision log. */
  void decided(Decision d) {
    if (d.changes()) {
      return;
    }
    Map<String, Object> m = describe(d);
    synchronized (holds) {
      holds.addLast(m);
      if (holds.size() > MAX_HOLDS) {
        holds.removeFirst();
      }
    }
  }

  /** A decision, with its evidence, as the dashboard's JSON. */
  private static Map<String, Object> describe(Decision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("flag", d.flagKey());
    m.put("t", d.at().toEpochMilli());
    m.put("action", d.action().name());
    m.put("actor", d.actor());
    m.put("applied", d.applied());
    m.put("reason", d.reason());
    m.put("exposureBefore", d.before() == null ? null : d.before().exposure());
    m.put("exposureAfter", d.after().exposure());
    m.put("status", d.after().status().name());
    m.put("stage", d.after().stage());
    List<Object> evidence = new ArrayList<>();
    for (RuleCheck c : d.evidence()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("rule", c.rule().toString());
      e.put("ruleLongSeconds", c.rule().longWindow().toSeconds());
      e.put("ruleShortSeconds", c.rule().shortWindow().toSeconds());
      e.put("ruleAction", c.rule().action().name());
      e.put("sli", c.sli());
      e.put("factor", c.rule().factor());
      e.put("burnLong", c.burnLong());
      e.put("burnShort", c.burnShort());
      e.put("candidateLong", c.candidateBadLong() + "/" + c.candidateCallsLong());
      e.put("candidateShort", c.candidateBadShort() + "/" + c.candidateCallsShort());
      e.put("controlShort", c.controlBadShort() + "/" + c.controlCallsShort());
      e.put("controlBurnShort", c.controlBurnShort());
      e.put("llr", c.logLikelihoodRatio());
      e.put("threshold", c.testThreshold());
      e.put("sharedCause", c.sharedCause());
      e.put("fires", c.fires());
      evidence.add(e);
    }
    m.put("evidence", evidence);
    return m;
  }

  /**
   * The dashboard's view: every guarded flag's plan and state, the samples after {@code since}
   * (a sample's {@code seq}; 0 for all kept), and the decisions the store keeps plus the holds
   * kept here, oldest first.
   */
  Map<String, Object> snapshot(long since) {
    List<Object> newSamples = new ArrayList<>();
    long last;
    synchronized (samples) {
      for (Map<String, Object> s : samples) {
        if ((long) s.get("seq") > since) {
          newSamples.add(s);
        }
      }
      last = seq;
    }
    List<Map<String, Object>> log = new ArrayList<>();
    synchronized (holds) {
      log.addAll(holds);
    }
    Map<String, RolloutState> states = source.rollouts().states();
    Map<String, RolloutPlan> plans = source.plans();
    plans.keySet().forEach(flag -> source.rollouts().recentDecisions(flag).forEach(d -> log.add(describe(d))));
    log.sort(java.util.Comparator.comparingLong(m -> (long) m.get("t"))); // stable: journal order within a millisecond
    Map<String, Object> flags = new LinkedHashMap<>();
    plans.forEach((flag, plan) -> {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("plan", plan(plan));
      RolloutState s = states.get(flag);
      if (s != null) {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("status", s.status().name());
        st.put("stage", s.stage());
        st.put("exposure", s.exposure());
        st.put("shrinks", s.shrinks());
        st.put("stageStartedAt", s.stageStartedAt().toEpochMilli());
        st.put("until", s.until() == null ? null : s.until().toEpochMilli());
        f.put("state", st);
      }
      flags.put(flag, f);
    });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("now", clock.wallMillis());
    out.put("seq", last);
    out.put("flags", flags);
    out.put("samples", newSamples);
    out.put("decisions", log);
    out.put("budgets", budgets());
    return out;
  }

  /**
   * The error budgets of the service's journey SLOs (the gauge): spent share, bad calls, the bad
   * calls the period's traffic allows, the period.
   */
  private List<Object> budgets() {
    List<Object> out = new ArrayList<>();
    source.rollouts().errorBudgets().forEach((name, b) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      ErrorBudgetPolicy.ServiceSlo slo = b.slo();
      m.put("name", name);
      m.put("journey", slo.journey());
      m.put("objective", slo.objective());
      m.put("latencyThresholdMs", slo.latencyThreshold() == null ? null : millis(slo.latencyThreshold()));
      m.put("period", slo.period().toString());
      m.put("from", b.from().toEpochMilli());
      m.put("calls", b.calls());
      m.put("badCalls", b.badCalls());
      m.put("allowedBadCalls", b.allowedBadCalls().doubleValue());
      m.put("spent", b.spent());
      m.put("describe", b.describe());
      out.add(m);
    });
    return out;
  }

  private Map<String, Object> plan(RolloutPlan plan) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("control", plan.control());
    p.put("candidate", plan.candidate());
    p.put("mode", plan.mode().name());
    List<Object> stages = new ArrayList<>();
    for (Stage s : plan.stages()) {
      stages.add(Map.of("exposure", s.exposure(), "bakeSeconds", s.bake().toSeconds(), "minSamples", s.minSamples()));
    }
    p.put("stages", stages);
    Map<String, Object> slo = new LinkedHashMap<>();
    slo.put("availability", plan.slo().availability());
    slo.put("errorBudget", plan.slo().errorBudget());
    plan.slo().latencyThreshold().ifPresent(t -> {
      slo.put("latencyThresholdMs", millis(t));
      slo.put("latencyObjective", plan.slo().latencyObjective());
    });
    p.put("slo", slo);
    List<Object> rules = new ArrayList<>();
    for (BurnRateRule r : plan.rules()) {
      rules.add(Map.of("label", r.toString(), "factor", r.factor(), "longSeconds", r.longWindow().toSeconds(),
          "shortSeconds", r.shortWindow().toSeconds(), "action", r.action().name()));
    }
    p.put("rules", rules);
    return p;
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }
}
