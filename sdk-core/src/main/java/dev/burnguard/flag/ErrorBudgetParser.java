package dev.burnguard.flag;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.internal.json.JsonPath;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.ErrorBudgetPolicy.Action;
import dev.burnguard.rollout.ErrorBudgetPolicy.Period;
import dev.burnguard.rollout.ErrorBudgetPolicy.ServiceSlo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the flag file's top-level {@code "slos"} and {@code "errorBudgetPolicy"} members,
 * Burnguard's extension to flagd's format, into an {@link ErrorBudgetPolicy}. Objectives are
 * percentages and durations are written as in a flag's {@code "rollout"} (the readers of {@link
 * RolloutPlanParser} are used, so the two agree); a period is a rolling duration of whole hours
 * ({@code "28d"}) or {@code "calendar-month"} (UTC). The model's checks are not repeated: its
 * {@link IllegalArgumentException} becomes a problem at the JSON path of the value at fault.
 */
final class ErrorBudgetParser {
  static final String SLOS = "slos";
  static final String POLICY = "errorBudgetPolicy";
  static final String CALENDAR_MONTH = "calendar-month";
  static final Set<String> SLO_KEYS = Set.of("journey", "availability", "latency", "period");
  static final Set<String> POLICY_KEYS = Set.of("slos", "flags", "thresholds");
  static final Set<String> THRESHOLD_KEYS = Set.of("spent", "action");

  private final RolloutPlanParser values;
  private final List<FlagProblem> problems;

  private ErrorBudgetParser(String origin, List<FlagProblem> problems) {
    this.values = new RolloutPlanParser(origin, problems);
    this.problems = problems;
  }

  /**
   * The policy the document declares, or null when it declares no SLOs or when they are invalid,
   * in which case the problems are added to {@code problems}.
   */
  static ErrorBudgetPolicy parse(Map<?, ?> doc, String origin, List<FlagProblem> problems) {
    return new ErrorBudgetParser(origin, problems).policy(doc);
  }

  private ErrorBudgetPolicy policy(Map<?, ?> doc) {
    if (!doc.containsKey(SLOS) && !doc.containsKey(POLICY)) {
      return null;
    }
    int before = problems.size();
    ErrorBudgetPolicy.Builder b = ErrorBudgetPolicy.builder();
    String slosPath = JsonPath.child("$", SLOS);
    Object slosJson = doc.get(SLOS);
    if (!(slosJson instanceof Map) || ((Map<?, ?>) slosJson).isEmpty()) {
      values.problem(slosPath, slosJson, slosJson == null
          ? "missing: an error-budget policy needs the SLOs it reads, e.g. \"slos\": {\"checkout\": {\"journey\":"
              + " \"checkout\", \"availability\": 99.9, \"period\": \"28d\"}}"
          : "slos must be a non-empty object of SLO name to SLO, e.g. {\"checkout\": {\"journey\": \"checkout\","
              + " \"availability\": 99.9, \"period\": \"28d\"}}");
    } else {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) slosJson).entrySet()) {
        String name = (String) e.getKey();
        ServiceSlo slo = slo(name, e.getValue(), JsonPath.child(slosPath, name));
        if (slo != null) {
          values.modelCheck(JsonPath.child(slosPath, name), e.getValue(), () -> b.slo(slo));
        }
      }
    }
    Map<?, ?> slos = slosJson instanceof Map ? (Map<?, ?>) slosJson : Map.of();
    String policyPath = JsonPath.child("$", POLICY);
    if (doc.containsKey(POLICY)) {
      Object json = doc.get(POLICY);
      if (!(json instanceof Map)) {
        values.problem(policyPath, json, "errorBudgetPolicy must be an object, e.g. {\"thresholds\": [{\"spent\": 75,"
            + " \"action\": \"hold\"}, {\"spent\": 100, \"action\": \"freeze\"}]}");
      } else {
        rules((Map<?, ?>) json, policyPath, slos, b);
      }
    }
    if (problems.size() > before) {
      return null;
    }
    ErrorBudgetPolicy[] policy = new ErrorBudgetPolicy[1];
    return values.modelCheck(policyPath, doc.get(POLICY), () -> policy[0] = b.build()) ? policy[0] : null;
  }

  private ServiceSlo slo(String name, Object json, String path) {
    if (!(json instanceof Map)) {
      values.problem(path, json, "an SLO must be an object, e.g. {\"journey\": \"checkout\", \"availability\": 99.9,"
          + " \"period\": \"28d\"}");
      return null;
    }
    Map<?, ?> def = (Map<?, ?>) json;
    int before = problems.size();
    values.unknownMembers(def, path, SLO_KEYS);
    String journeyPath = JsonPath.child(path, "journey");
    Object journeyJson = def.get("journey");
    if (!(journeyJson instanceof String) || ((String) journeyJson).isEmpty()) {
      values.problem(journeyPath, journeyJson, journeyJson == null
          ? "missing: an SLO names the journey whose outcomes it counts, e.g. \"checkout\""
          : "journey must be a non-empty string, the name outcomes are recorded with");
    }
    Double objective = null;
    Duration threshold = null;
    if (def.containsKey("availability") == def.containsKey("latency")) {
      values.problem(path, json, "an SLO has exactly one objective: \"availability\": 99.9, or \"latency\":"
          + " {\"threshold\": \"400ms\", \"objective\": 95}");
    } else if (def.containsKey("availability")) {
      objective = values.percent(def.get("availability"), JsonPath.child(path, "availability"));
    } else {
      String latencyPath = JsonPath.child(path, "latency");
      Object latency = def.get("latency");
      if (!(latency instanceof Map)) {
        values.problem(latencyPath, latency, "latency must be an object, e.g. {\"threshold\": \"400ms\", \"objective\": 95}"
            + " (95 % of calls within 400 ms: p95 < 400 ms)");
      } else {
        Map<?, ?> l = (Map<?, ?>) latency;
        values.unknownMembers(l, latencyPath, RolloutPlanParser.LATENCY_KEYS);
        threshold = values.required(l, "threshold", JsonPath.child(latencyPath, "threshold"), values::duration,
            "a latency SLO needs a threshold, e.g. \"400ms\"");
        objective = values.required(l, "objective", JsonPath.child(latencyPath, "objective"), values::percent,
            "a latency SLO needs the percentage of calls that must be within the threshold, e.g. 95");
        if (threshold != null && threshold.isZero()) {
          values.problem(JsonPath.child(latencyPath, "threshold"), l.get("threshold"), "latency threshold must be positive");
        }
      }
    }
    Period period = period(def, JsonPath.child(path, "period"));
    if (problems.size() > before || objective == null || period == null) {
      return null;
    }
    ServiceSlo[] slo = new ServiceSlo[1];
    double o = objective;
    Duration t = threshold;
    return values.modelCheck(path, json, () -> slo[0] = new ServiceSlo(name, (String) journeyJson, o, t, period))
        ? slo[0] : null;
  }

  private Period period(Map<?, ?> def, String path) {
    Object json = def.get("period");
    if (!def.containsKey("period")) {
      values.problem(path, null, "missing: an SLO needs its budget period, a rolling \"28d\" or \"" + CALENDAR_MONTH + "\"");
      return null;
    }
    if (CALENDAR_MONTH.equals(json)) {
      return Period.calendarMonth();
    }
    Duration length = values.duration(json, path);
    if (length == null) {
      return null;
    }
    Period[] period = new Period[1];
    return values.modelCheck(path, json, () -> period[0] = Period.rolling(length)) ? period[0] : null;
  }

  private void rules(Map<?, ?> def, String path, Map<?, ?> slos, ErrorBudgetPolicy.Builder b) {
    values.unknownMembers(def, path, POLICY_KEYS);
    if (def.containsKey("slos")) {
      List<String> names = names(def.get("slos"), JsonPath.child(path, "slos"), "SLO");
      if (names != null) {
        for (int i = 0; i < names.size(); i++) {
          if (!slos.containsKey(names.get(i))) {
            values.problem(JsonPath.index(JsonPath.child(path, "slos"), i), names.get(i),
                "names an SLO that \"slos\" does not declare (SLOs: " + String.join(", ", keys(slos)) + ")");
          }
        }
        b.governedSlos(names);
      }
    }
    if (def.containsKey("flags")) {
      List<String> flags = names(def.get("flags"), JsonPath.child(path, "flags"), "flag");
      if (flags != null) {
        b.governedFlags(flags);
      }
    }
    String thresholdsPath = JsonPath.child(path, "thresholds");
    Object json = def.get("thresholds");
    if (!(json instanceof List) || ((List<?>) json).isEmpty()) {
      values.problem(thresholdsPath, json, (json == null ? "missing: " : "")
          + "thresholds must be a non-empty array, e.g. [{\"spent\": 75, \"action\": \"hold\"}, {\"spent\": 100,"
          + " \"action\": \"freeze\"}]");
      return;
    }
    List<?> items = (List<?>) json;
    for (int i = 0; i < items.size(); i++) {
      String at = JsonPath.index(thresholdsPath, i);
      Object item = items.get(i);
      if (!(item instanceof Map)) {
        values.problem(at, item, "a threshold must be an object, e.g. {\"spent\": 75, \"action\": \"hold\"}");
        continue;
      }
      Map<?, ?> t = (Map<?, ?>) item;
      values.unknownMembers(t, at, THRESHOLD_KEYS);
      Double spent = values.required(t, "spent", JsonPath.child(at, "spent"), values::number,
          "a threshold needs the share of the budget spent, in percent, e.g. 75");
      Object actionJson = t.get("action");
      Action action = "hold".equals(actionJson) ? Action.HOLD : "freeze".equals(actionJson) ? Action.FREEZE : null;
      if (action == null) {
        values.problem(JsonPath.child(at, "action"), actionJson, (actionJson == null ? "missing: " : "")
            + "action must be \"hold\" (no advance beyond the current stage) or \"freeze\" (no rise of exposure at all)");
      }
      if (spent != null && action != null) {
        values.modelCheck(JsonPath.child(at, "spent"), t.get("spent"), () -> b.threshold(spent, action));
      }
    }
  }

  private List<String> names(Object json, String path, String what) {
    if (!(json instanceof List) || ((List<?>) json).isEmpty()) {
      values.problem(path, json, "must be a non-empty array of " + what + " names");
      return null;
    }
    List<String> names = new ArrayList<>();
    List<?> items = (List<?>) json;
    for (int i = 0; i < items.size(); i++) {
      if (!(items.get(i) instanceof String)) {
        values.problem(JsonPath.index(path, i), items.get(i), "must be " + what + " name (a string)");
        return null;
      }
      names.add((String) items.get(i));
    }
    return names;
  }

  private static List<String> keys(Map<?, ?> map) {
    List<String> keys = new ArrayList<>();
    map.keySet().forEach(k -> keys.add((String) k));
    return keys;
  }
}
