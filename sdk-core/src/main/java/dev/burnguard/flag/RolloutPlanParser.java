package dev.burnguard.flag;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetBuilder;
import dev.burnguard.internal.json.JsonPath;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a flag's {@code "rollout"} member, Burnguard's extension to flagd's format, into a
 * {@link RolloutPlan}. Percentages in the file (SLO objectives) become the model's fractions;
 * durations are written {@code "300ms"}, {@code "15s"}, {@code "5m"}, {@code "1h"}, {@code "2d"}
 * (or combined, largest unit first: {@code "1h30m"}) or in ISO-8601 ({@code "PT5M"}).
 *
 * <p>The rules of the model are not repeated here: values are handed to the model's builders and
 * constructors, and the {@link IllegalArgumentException} they throw becomes a problem at the JSON
 * path of the value at fault. What is checked here is only what the model cannot know: the JSON
 * types, unknown members, the variants the flag defines, and the units of the file.
 */
final class RolloutPlanParser {
  static final Set<String> ROLLOUT_KEYS = Set.of("control", "candidate", "mode", "stages", "slo", "rules", "alpha",
      "maxShrinks", "coolDown", "watch", "sharedCauseRatio", "minCandidateCalls");
  static final Set<String> STAGE_KEYS = Set.of("exposure", "bake", "minSamples");
  static final Set<String> SLO_KEYS = Set.of("availability", "latency");
  static final Set<String> LATENCY_KEYS = Set.of("threshold", "objective");
  static final Set<String> RULE_KEYS = Set.of("long", "short", "factor", "action");
  static final Map<String, RolloutMode> MODES = ordered("enforce", RolloutMode.ENFORCE, "dry-run", RolloutMode.DRY_RUN);
  static final Map<String, RuleAction> ACTIONS = ordered("rollback", RuleAction.ROLLBACK, "shrink", RuleAction.SHRINK);

  /**
   * A duration as the file writes it: whole numbers with units d, h, m (minutes), s, ms, largest
   * first, each at most once ({@code "1h30m"}); or ISO-8601 without a sign ({@code "PT5M"},
   * {@code "P2D"}, {@code "PT0.5S"}). The JSON Schema uses this same pattern.
   */
  static final String DURATION_PATTERN = "^(?:(?=\\d)(?:\\d+d)?(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?(?:\\d+ms)?"
      + "|P(?=\\d|T\\d)(?:\\d+D)?(?:T(?=\\d)(?:\\d+H)?(?:\\d+M)?(?:\\d+(?:\\.\\d{1,9})?S)?)?)$";
  private static final Pattern DURATION = Pattern.compile(DURATION_PATTERN);
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");
  private static final String DURATION_EXAMPLES = "a duration such as \"300ms\", \"15s\", \"5m\", \"1h\", \"2d\", \"1h30m\""
      + " or ISO-8601 \"PT5M\"";

  /** The defaults, read from the model so that they are written down once: see {@link RolloutPlan}. */
  private static final RolloutPlan DEFAULTS = RolloutPlan.builder("control", "candidate").build();
  private static final Duration DEFAULT_BAKE = DEFAULTS.stages().get(0).bake();
  private static final long DEFAULT_MIN_SAMPLES = DEFAULTS.stages().get(0).minSamples();
  private static final double DEFAULT_AVAILABILITY = DEFAULTS.slo().availability();

  private final String origin;
  private final List<FlagProblem> problems;

  RolloutPlanParser(String origin, List<FlagProblem> problems) {
    this.origin = origin;
    this.problems = problems;
  }

  /**
   * Reads the {@code "rollout"} member at {@code path}: null when there is none, or when it is
   * invalid, in which case its problems are added to {@code problems}.
   *
   * @param json the member's value: JSON, or a {@link RolloutPlan} from {@link FlagSetBuilder}
   * @param variants the flag's variants, or null when they are themselves invalid
   */
  static RolloutPlan parse(Object json, String path, Map<String, Object> variants, String origin,
      List<FlagProblem> problems) {
    return new RolloutPlanParser(origin, problems).plan(json, path, variants);
  }

  private RolloutPlan plan(Object json, String path, Map<String, Object> variants) {
    if (json == null) {
      return null;
    }
    int before = problems.size();
    if (json instanceof RolloutPlan) {
      RolloutPlan plan = (RolloutPlan) json;
      checkVariant("control", plan.control(), JsonPath.child(path, "control"), variants);
      checkVariant("candidate", plan.candidate(), JsonPath.child(path, "candidate"), variants);
      return problems.size() > before ? null : plan;
    }
    if (!(json instanceof Map)) {
      problem(path, json, "rollout must be an object with at least \"control\" and \"candidate\" variants");
      return null;
    }
    Map<?, ?> def = (Map<?, ?>) json;
    unknownMembers(def, path, ROLLOUT_KEYS);
    String control = variantName(def, "control", path, variants);
    String candidate = variantName(def, "candidate", path, variants);
    RolloutPlan.Builder builder = null;
    if (control != null && candidate != null) {
      try {
        builder = RolloutPlan.builder(control, candidate);
      } catch (IllegalArgumentException e) {
        problem(JsonPath.child(path, "candidate"), candidate, e.getMessage());
      }
    }
    // without usable variant names, still check every other member so that one round trip fixes all
    RolloutPlan.Builder b = builder != null ? builder : RolloutPlan.builder("control", "candidate");
    member(def, path, "mode", this::mode, b::mode);
    if (def.containsKey("stages")) {
      stages(def.get("stages"), JsonPath.child(path, "stages"), b);
    }
    member(def, path, "slo", this::slo, b::slo);
    if (def.containsKey("rules")) {
      rules(def.get("rules"), JsonPath.child(path, "rules"), b);
    }
    member(def, path, "alpha", this::number, b::alpha);
    member(def, path, "maxShrinks", this::intNumber, b::maxShrinks);
    member(def, path, "coolDown", this::duration, b::coolDown);
    member(def, path, "watch", this::duration, b::watch);
    member(def, path, "sharedCauseRatio", this::number, b::sharedCauseRatio);
    member(def, path, "minCandidateCalls", this::intNumber, n -> b.minCandidateCalls(n));
    if (problems.size() > before || builder == null) {
      return null;
    }
    // the plan-wide checks: a rule that could never fire at the plan's SLO, say
    RolloutPlan[] plan = new RolloutPlan[1];
    RolloutPlan.Builder complete = builder;
    if (!modelCheck(JsonPath.child(path, "rules"), def.containsKey("rules") ? def.get("rules") : null,
        () -> plan[0] = complete.build())) {
      return null;
    }
    return plan[0];
  }

  /** Reads one JSON value into a model value, or reports why it cannot and returns null. */
  interface Reader<T> {
    T read(Object json, String path);
  }

  /**
   * Reads member {@code key} of {@code obj} when present and hands it to {@code setter}; an
   * {@link IllegalArgumentException} from the setter is a problem at the member's path.
   */
  private <T> void member(Map<?, ?> obj, String parent, String key, Reader<T> reader, Consumer<T> setter) {
    if (!obj.containsKey(key)) {
      return;
    }
    Object json = obj.get(key);
    String path = JsonPath.child(parent, key);
    T value = reader.read(json, path);
    if (value != null) {
      modelCheck(path, json, () -> setter.accept(value));
    }
  }

  /** Runs {@code r}; its {@link IllegalArgumentException} becomes a problem at {@code path}. */
  boolean modelCheck(String path, Object json, Runnable r) {
    String message = rejection(r);
    if (message != null) {
      problem(path, json, message);
      return false;
    }
    return true;
  }

  /** What the model says is wrong when running {@code r}, or null when it accepts it. */
  private static String rejection(Runnable r) {
    try {
      r.run();
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private String variantName(Map<?, ?> def, String key, String parent, Map<String, Object> variants) {
    Object json = def.get(key);
    String path = JsonPath.child(parent, key);
    if (!(json instanceof String)) {
      problem(path, json, json == null && !def.containsKey(key)
          ? "missing: a rollout names its " + key + " variant" : key + " must be a variant name");
      return null;
    }
    String name = (String) json;
    return checkVariant(key, name, path, variants) ? name : null;
  }

  private boolean checkVariant(String key, String name, String path, Map<String, Object> variants) {
    if (variants != null && !variants.containsKey(name)) {
      problem(path, name, key + " names a variant the flag does not define (variants: " + String.join(", ", variants.keySet()) + ")");
      return false;
    }
    return true;
  }

  private RolloutMode mode(Object json, String path) {
    RolloutMode mode = json instanceof String ? MODES.get(json) : null;
    if (mode == null) {
      problem(path, json, "mode must be one of " + quoted(MODES.keySet()));
    }
    return mode;
  }

  private RuleAction action(Object json, String path) {
    RuleAction action = json instanceof String ? ACTIONS.get(json) : null;
    if (action == null) {
      problem(path, json, json == null ? "missing: a rule's action must be one of " + quoted(ACTIONS.keySet())
          : "action must be one of " + quoted(ACTIONS.keySet()));
    }
    return action;
  }

  private void stages(Object json, String path, RolloutPlan.Builder b) {
    if (!(json instanceof List)) {
      problem(path, json, "stages must be an array of stages, e.g. [{\"exposure\": 1}, {\"exposure\": 100}]");
      return;
    }
    List<?> items = (List<?>) json;
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Stage stage = stage(items.get(i), JsonPath.index(path, i));
      if (stage != null) {
        stages.add(stage);
      }
    }
    if (stages.size() < items.size()) {
      return; // the order of stages is checked once every stage is valid
    }
    String message = rejection(() -> b.stages(stages));
    if (message == null) {
      return;
    }
    // the model says what is wrong with the sequence; point at the stage that breaks it
    String at = path;
    Object value = json;
    for (int i = 0; i < stages.size(); i++) {
      boolean notIncreasing = i > 0 && stages.get(i).exposurePercent() <= stages.get(i - 1).exposurePercent();
      boolean lastNot100 = i == stages.size() - 1 && stages.get(i).exposurePercent() != 100;
      if (notIncreasing || lastNot100) {
        at = JsonPath.child(JsonPath.index(path, i), "exposure");
        value = ((Map<?, ?>) items.get(i)).get("exposure");
        break;
      }
    }
    problem(at, value, message);
  }

  private Stage stage(Object json, String path) {
    if (!(json instanceof Map)) {
      problem(path, json, "a stage must be an object with an \"exposure\" percentage, e.g. {\"exposure\": 5, \"bake\": \"15m\"}");
      return null;
    }
    Map<?, ?> def = (Map<?, ?>) json;
    int before = problems.size();
    unknownMembers(def, path, STAGE_KEYS);
    String exposurePath = JsonPath.child(path, "exposure");
    Double exposure = def.containsKey("exposure") ? number(def.get("exposure"), exposurePath) : null;
    if (!def.containsKey("exposure")) {
      problem(exposurePath, null, "missing: a stage needs an exposure percentage in (0, 100]");
    }
    Duration bake = def.containsKey("bake") ? duration(def.get("bake"), JsonPath.child(path, "bake")) : DEFAULT_BAKE;
    Long minSamples = def.containsKey("minSamples")
        ? wholeNumber(def.get("minSamples"), JsonPath.child(path, "minSamples")) : Long.valueOf(DEFAULT_MIN_SAMPLES);
    if (problems.size() > before) {
      return null;
    }
    // let the model judge each value on its own, so that each problem is named at its own path
    modelCheck(exposurePath, def.get("exposure"), () -> new Stage(exposure, Duration.ZERO, 0));
    modelCheck(JsonPath.child(path, "bake"), def.get("bake"), () -> new Stage(100, bake, 0));
    modelCheck(JsonPath.child(path, "minSamples"), def.get("minSamples"), () -> new Stage(100, Duration.ZERO, minSamples));
    if (problems.size() > before || !modelCheck(path, json, () -> new Stage(exposure, bake, minSamples))) {
      return null;
    }
    return new Stage(exposure, bake, minSamples);
  }

  private Slo slo(Object json, String path) {
    if (!(json instanceof Map)) {
      problem(path, json, "slo must be an object, e.g. {\"availability\": 99.9}");
      return null;
    }
    Map<?, ?> def = (Map<?, ?>) json;
    int before = problems.size();
    unknownMembers(def, path, SLO_KEYS);
    String availabilityPath = JsonPath.child(path, "availability");
    Double availability = def.containsKey("availability")
        ? percent(def.get("availability"), availabilityPath) : Double.valueOf(DEFAULT_AVAILABILITY);
    Slo[] slo = new Slo[1];
    if (availability != null) {
      modelCheck(availabilityPath, def.get("availability"), () -> slo[0] = Slo.availability(availability));
    }
    if (def.containsKey("latency")) {
      latency(def.get("latency"), JsonPath.child(path, "latency"), slo);
    }
    return problems.size() > before ? null : slo[0];
  }

  /** Adds the latency objective at {@code path} to {@code slo[0]} (which may be null when availability is invalid). */
  private void latency(Object json, String path, Slo[] slo) {
    if (!(json instanceof Map)) {
      problem(path, json, "latency must be an object, e.g. {\"threshold\": \"300ms\", \"objective\": 99}");
      return;
    }
    Map<?, ?> def = (Map<?, ?>) json;
    int before = problems.size();
    unknownMembers(def, path, LATENCY_KEYS);
    String thresholdPath = JsonPath.child(path, "threshold");
    String objectivePath = JsonPath.child(path, "objective");
    Duration threshold = required(def, "threshold", thresholdPath, this::duration, "a latency objective needs a threshold, e.g. \"300ms\"");
    Double objective = required(def, "objective", objectivePath, this::percent,
        "a latency objective needs the percentage of calls that must be faster than the threshold, e.g. 99");
    if (problems.size() > before) {
      return;
    }
    Slo base = slo[0] != null ? slo[0] : Slo.availability(DEFAULT_AVAILABILITY);
    modelCheck(thresholdPath, def.get("threshold"), () -> base.withLatency(threshold, 0.5));
    modelCheck(objectivePath, def.get("objective"), () -> base.withLatency(Duration.ofSeconds(1), objective));
    if (problems.size() == before && modelCheck(path, json, () -> base.withLatency(threshold, objective))) {
      slo[0] = base.withLatency(threshold, objective);
    }
  }

  private void rules(Object json, String path, RolloutPlan.Builder b) {
    if (!(json instanceof List)) {
      problem(path, json, "rules must be an array of burn-rate rules, e.g. [{\"long\": \"1h\", \"short\": \"5m\","
          + " \"factor\": 14.4, \"action\": \"rollback\"}]");
      return;
    }
    List<?> items = (List<?>) json;
    List<BurnRateRule> rules = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      BurnRateRule rule = rule(items.get(i), JsonPath.index(path, i));
      if (rule != null) {
        rules.add(rule);
      }
    }
    if (rules.size() == items.size()) {
      modelCheck(path, json, () -> b.rules(rules));
    }
  }

  private BurnRateRule rule(Object json, String path) {
    if (!(json instanceof Map)) {
      problem(path, json, "a rule must be an object with \"long\", \"short\", \"factor\" and \"action\"");
      return null;
    }
    Map<?, ?> def = (Map<?, ?>) json;
    int before = problems.size();
    unknownMembers(def, path, RULE_KEYS);
    String longPath = JsonPath.child(path, "long");
    String shortPath = JsonPath.child(path, "short");
    String factorPath = JsonPath.child(path, "factor");
    Duration longWindow = required(def, "long", longPath, this::duration, "a rule needs its long window, e.g. \"1h\"");
    Duration shortWindow = required(def, "short", shortPath, this::duration, "a rule needs its short window, e.g. \"5m\"");
    Double factor = required(def, "factor", factorPath, this::number, "a rule needs its burn-rate factor, e.g. 14.4");
    RuleAction action = action(def.get("action"), JsonPath.child(path, "action"));
    if (problems.size() > before) {
      return null;
    }
    // the model checks the short window against the long one, so judge the long one first, alone
    if (modelCheck(longPath, def.get("long"), () -> new BurnRateRule(longWindow, longWindow, 1, action))) {
      modelCheck(shortPath, def.get("short"), () -> new BurnRateRule(longWindow, shortWindow, 1, action));
    }
    modelCheck(factorPath, def.get("factor"),
        () -> new BurnRateRule(Duration.ofHours(1), Duration.ofMinutes(5), factor, action));
    if (problems.size() > before
        || !modelCheck(path, json, () -> new BurnRateRule(longWindow, shortWindow, factor, action))) {
      return null;
    }
    return new BurnRateRule(longWindow, shortWindow, factor, action);
  }

  <T> T required(Map<?, ?> def, String key, String path, Reader<T> reader, String missing) {
    if (!def.containsKey(key)) {
      problem(path, null, "missing: " + missing);
      return null;
    }
    return reader.read(def.get(key), path);
  }

  Double number(Object json, String path) {
    if (!(json instanceof Number)) {
      problem(path, json, "must be a number");
      return null;
    }
    return ((Number) json).doubleValue();
  }

  /** A whole number: an integer, or a number with no fractional part such as {@code 500.0}. */
  private Long wholeNumber(Object json, String path) {
    if (json instanceof Long) {
      return (Long) json;
    }
    if (json instanceof Double) {
      double d = (Double) json;
      if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
        return (long) d;
      }
    }
    problem(path, json, "must be a whole number");
    return null;
  }

  private Integer intNumber(Object json, String path) {
    Long n = wholeNumber(json, path);
    if (n == null) {
      return null;
    }
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      problem(path, json, "must be a whole number no larger than " + Integer.MAX_VALUE);
      return null;
    }
    return n.intValue();
  }

  /**
   * An objective written as a percentage ({@code 99.9}), as the model's fraction ({@code 0.999}),
   * converted in decimal so that 99.9 gives exactly the double nearest 0.999.
   */
  Double percent(Object json, String path) {
    if (!(json instanceof Number)) {
      problem(path, json, "must be a percentage, e.g. 99.9");
      return null;
    }
    double p = ((Number) json).doubleValue();
    if (p > 0 && p <= 1) {
      problem(path, json, "must be a percentage, e.g. 99.9 for 99.9 %: " + json
          + " would mean " + json + " %, which looks like a fraction written by mistake");
      return null;
    }
    if (!(p > 1 && p < 100)) {
      problem(path, json, "must be a percentage above 1 and below 100, e.g. 99.9");
      return null;
    }
    BigDecimal decimal = json instanceof Long ? BigDecimal.valueOf((Long) json) : BigDecimal.valueOf(p);
    return decimal.movePointLeft(2).doubleValue();
  }

  Duration duration(Object json, String path) {
    if (!(json instanceof String)) {
      problem(path, json, "must be " + DURATION_EXAMPLES);
      return null;
    }
    String text = (String) json;
    if (!DURATION.matcher(text).matches()) {
      problem(path, json, "must be " + DURATION_EXAMPLES);
      return null;
    }
    try {
      if (text.startsWith("P")) {
        return Duration.parse(text);
      }
      Duration d = Duration.ZERO;
      Matcher m = DURATION_PART.matcher(text);
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
          case "d": d = d.plus(Duration.ofDays(n)); break;
          case "h": d = d.plus(Duration.ofHours(n)); break;
          case "m": d = d.plus(Duration.ofMinutes(n)); break;
          case "s": d = d.plus(Duration.ofSeconds(n)); break;
          default: d = d.plus(Duration.ofMillis(n)); break;
        }
      }
      return d;
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      problem(path, json, "duration out of range");
      return null;
    }
  }

  void unknownMembers(Map<?, ?> def, String path, Set<String> allowed) {
    for (Object member : def.keySet()) {
      if (!allowed.contains(member)) {
        List<String> sorted = new ArrayList<>(allowed);
        Collections.sort(sorted);
        problem(JsonPath.child(path, (String) member), null, "unknown member; allowed: " + String.join(", ", sorted));
      }
    }
  }

  private static String quoted(Set<String> names) {
    List<String> out = new ArrayList<>();
    names.forEach(n -> out.add("\"" + n + "\""));
    return String.join(", ", out);
  }

  private static <V> Map<String, V> ordered(String k1, V v1, String k2, V v2) {
    Map<String, V> map = new LinkedHashMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return Collections.unmodifiableMap(map);
  }

  void problem(String path, Object value, String message) {
    problems.add(new FlagProblem(origin, path, value == null ? null : JsonWriter.snippet(value, FlagSetParser.SNIPPET),
        message));
  }
}
