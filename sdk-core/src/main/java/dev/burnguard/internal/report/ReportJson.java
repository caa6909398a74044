package dev.burnguard.internal.report;

import dev.burnguard.internal.guardian.StageCounts;
import dev.burnguard.internal.store.RolloutJson;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON rendering of a {@link RolloutReport}: one object, ASCII, the decisions as the journal writes them. */
final class ReportJson {
  private ReportJson() {}

  static String render(RolloutReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "burnguard-rollout-report/1");
    m.put("flag", r.flagKey());
    m.put("generatedAt", r.generatedAt().toString());
    m.put("control", r.control());
    m.put("candidate", r.candidate());
    m.put("plan", r.plan() == null ? null : plan(r.plan()));
    List<Object> exposures = new ArrayList<>();
    r.stageExposures().forEach(e -> exposures.add(number(e)));
    m.put("stageExposures", exposures);
    m.put("state", r.state() == null ? null : RolloutJson.state(r.state()));
    List<Object> decisions = new ArrayList<>();
    for (Decision d : r.decisions()) {
      decisions.add(RolloutJson.decision(d));
    }
    m.put("decisions", decisions);
    List<Object> stages = new ArrayList<>();
    for (StageCounts.Stage s : r.stages()) {
      Map<String, Object> st = new LinkedHashMap<>();
      st.put("stage", (long) s.stage());
      st.put("exposure", number(r.exposure(s.stage())));
      st.put("candidate", counts(s.candidateCalls(), s.candidateErrors(), s.candidateSlow()));
      st.put("control", counts(s.controlCalls(), s.controlErrors(), s.controlSlow()));
      stages.add(st);
    }
    m.put("stages", stages);
    long[] t = r.totals();
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("candidate", counts(t[0], t[1], t[2]));
    totals.put("control", counts(t[3], t[4], t[5]));
    m.put("totals", totals);
    Map<String, Object> latency = new LinkedHashMap<>();
    for (RolloutReport.Latency l : r.latency()) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("calls", l.calls());
      v.put("p50Millis", number(l.p50().toNanos() / 1e6));
      v.put("p95Millis", number(l.p95().toNanos() / 1e6));
      v.put("p99Millis", number(l.p99().toNanos() / 1e6));
      latency.put(l.variant(), v);
    }
    m.put("latency", latency);
    Map<String, Object> impact = new LinkedHashMap<>();
    impact.put("excessFailedCalls", number(r.excessFailedCalls()));
    impact.put("errorBudget", number(r.errorBudget()));
    impact.put("budgetCalls", number(r.budgetCalls()));
    impact.put("candidateBudgetShare", number(r.candidateBudgetShare()));
    impact.put("excessBudgetShare", number(r.excessBudgetShare()));
    m.put("impact", impact);
    return RolloutJson.write(m) + "\n";
  }

  private static Map<String, Object> counts(long calls, long errors, long slow) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("calls", calls);
    m.put("errors", errors);
    m.put("slow", slow);
    return m;
  }

  private static Map<String, Object> plan(RolloutPlan p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("control", p.control());
    m.put("candidate", p.candidate());
    m.put("mode", p.mode().name());
    List<Object> stages = new ArrayList<>();
    for (Stage s : p.stages()) {
      Map<String, Object> st = new LinkedHashMap<>();
      st.put("exposurePercent", number(s.exposurePercent()));
      st.put("bake", s.bake().toString());
      st.put("minSamples", s.minSamples());
      stages.add(st);
    }
    m.put("stages", stages);
    Map<String, Object> slo = new LinkedHashMap<>();
    slo.put("availability", number(p.slo().availability()));
    slo.put("latencyThreshold", p.slo().latencyThreshold().map(Object::toString).orElse(null));
    slo.put("latencyObjective", number(p.slo().latencyObjective()));
    m.put("slo", slo);
    List<Object> rules = new ArrayList<>();
    for (BurnRateRule rule : p.rules()) {
      rules.add(RolloutJson.rule(rule));
    }
    m.put("rules", rules);
    m.put("alpha", number(p.alpha()));
    m.put("maxShrinks", (long) p.maxShrinks());
    m.put("coolDown", p.coolDown().toString());
    m.put("watch", p.watch().toString());
    m.put("fingerprint", p.fingerprint());
    return m;
  }

  /** A double as a JSON number, or null for NaN and the infinities (which JSON has no number for). */
  private static Object number(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : (Object) v;
  }
}
