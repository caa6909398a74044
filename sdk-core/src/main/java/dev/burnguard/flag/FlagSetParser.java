package dev.burnguard.flag;

import dev.burnguard.flag.Flag.FlagState;
import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.internal.eval.Node;
import dev.burnguard.internal.eval.TargetingCompiler;
import dev.burnguard.internal.eval.TargetingException;
import dev.burnguard.internal.eval.Values;
import dev.burnguard.internal.json.JsonPath;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.json.JsonSyntaxException;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.internal.resolve.CompiledFlag;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.RolloutPlan;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates flagd's flag-definition format, with Burnguard's extensions: a flag's
 * optional {@code "rollout"} member (see {@link RolloutPlanParser}); a file without it is plain
 * flagd; and the file's optional top-level {@code "slos"} and {@code "errorBudgetPolicy"} (see
 * {@link ErrorBudgetParser}). Every problem is reported with its origin, JSON path and value; all problems of a file are
 * collected before it is rejected, so that one round trip fixes them all.
 */
final class FlagSetParser {
  static final Set<String> ROOT_KEYS = Set.of("$schema", "flags", "$evaluators", "metadata", ErrorBudgetParser.SLOS,
      ErrorBudgetParser.POLICY);
  static final Set<String> FLAG_KEYS = Set.of("state", "variants", "defaultVariant", "targeting", "metadata", "rollout");
  static final int SNIPPET = 80;

  private final String origin;
  private final FlagSetOptions options;
  private final List<FlagProblem> fatal = new ArrayList<>();

  private FlagSetParser(String origin, FlagSetOptions options) {
    this.origin = origin;
    this.options = options;
  }

  static FlagSet parse(String json, String origin, FlagSetOptions options) throws InvalidFlagSetException {
    Object root;
    try {
      root = JsonReader.read(json);
    } catch (JsonSyntaxException e) {
      throw new InvalidFlagSetException(List.of(new FlagProblem(origin, e.jsonPath(),
          null, "malformed JSON at line " + e.line() + ", column " + e.column() + ": " + e.reason())));
    }
    return parse(root, origin, options);
  }

  static FlagSet parse(Object root, String origin, FlagSetOptions options) throws InvalidFlagSetException {
    return new FlagSetParser(origin, options).flagSet(root);
  }

  private FlagSet flagSet(Object root) throws InvalidFlagSetException {
    if (!(root instanceof Map)) {
      fatal("$", root, "a flag definition must be a JSON object with a \"flags\" member");
      throw new InvalidFlagSetException(fatal);
    }
    Map<?, ?> doc = (Map<?, ?>) root;
    for (Object key : doc.keySet()) {
      if (!ROOT_KEYS.contains(key)) {
        fatal(JsonPath.child("$", (String) key), null, "unknown member; allowed: " + String.join(", ", sorted(ROOT_KEYS)));
      }
    }
    Map<String, Object> evaluators = objectMember(doc, "$evaluators", "$");
    List<FlagProblem> isolated = new ArrayList<>();
    List<FlagProblem> evaluatorProblems = evaluatorProblems(evaluators);
    if (options.invalidFlagPolicy() == InvalidFlagPolicy.ISOLATE_FLAG) {
      isolated.addAll(evaluatorProblems);
    } else {
      fatal.addAll(evaluatorProblems);
    }
    Map<String, Object> setMetadata = metadata(doc.get("metadata"), "$.metadata");
    // the service SLOs and their policy: any problem refuses the file, whatever the flag policy
    ErrorBudgetPolicy budgetPolicy = ErrorBudgetParser.parse(doc, origin, fatal);
    Object flagsJson = doc.get("flags");
    if (!(flagsJson instanceof Map)) {
      fatal("$.flags", flagsJson, flagsJson == null ? "missing: a flag definition needs a \"flags\" object"
          : "\"flags\" must be an object of flag key to flag");
      throw new InvalidFlagSetException(fatal);
    }
    Map<String, Flag> flags = new LinkedHashMap<>();
    Map<String, List<FlagProblem>> invalidFlags = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) flagsJson).entrySet()) {
      String key = (String) e.getKey();
      String path = JsonPath.child("$.flags", key);
      List<FlagProblem> problems = new ArrayList<>();
      Flag flag = flag(key, e.getValue(), path, evaluators, setMetadata, problems);
      if (problems.isEmpty()) {
        flags.put(key, flag);
      } else if (options.invalidFlagPolicy() == InvalidFlagPolicy.ISOLATE_FLAG) {
        isolated.addAll(problems);
        invalidFlags.put(key, List.copyOf(problems));
        flags.put(key, invalidFlag(key, e.getValue(), setMetadata, problems));
      } else {
        fatal.addAll(problems);
      }
    }
    if (!fatal.isEmpty()) {
      throw new InvalidFlagSetException(fatal);
    }
    return new FlagSet(origin, Collections.unmodifiableMap(flags), setMetadata, isolated, invalidFlags, Map.of(),
        budgetPolicy);
  }

  /**
   * The problems of every {@code $evaluators} entry, whether or not a flag refers to it, so that a
   * broken evaluator is reported when the file loads, not the day a flag first uses it. Each entry is
   * compiled on its own: it must be valid JsonLogic, its {@code $ref}s must name defined evaluators,
   * and it must not refer to itself. The other evaluators it refers to stand in as opaque values
   * (each is checked as its own entry), so this costs one pass over the evaluators' JSON however
   * they refer to one another; cycles through several evaluators, and the depth and size limits of
   * a rule with its {@code $ref}s expanded, are checked in each flag that refers to them, whose
   * compilation follows the references. Such a flag fails with the path inside the evaluator.
   */
  private List<FlagProblem> evaluatorProblems(Map<String, Object> evaluators) {
    List<FlagProblem> problems = new ArrayList<>();
    String evaluatorsPath = JsonPath.child("$", "$evaluators");
    for (Map.Entry<String, Object> e : evaluators.entrySet()) {
      try {
        TargetingCompiler.compile(e.getValue(), JsonPath.child(evaluatorsPath, e.getKey()),
            new OneEvaluator(evaluators, e.getKey()), e.getKey());
      } catch (TargetingException ex) {
        problems.add(problem(ex.jsonPath(), ex.value(), "invalid evaluator \"" + e.getKey() + "\": " + ex.getMessage()));
      }
    }
    return problems;
  }

  /**
   * The file's evaluators as one of them sees them when it is checked on its own: the same names,
   * itself as written, every other one an opaque value (a context variable, so that no literal type
   * is assumed of it).
   */
  private static final class OneEvaluator extends java.util.AbstractMap<String, Object> {
    private static final Object OPAQUE = Map.of("var", "$burnguard.evaluator");
    private final Map<String, Object> evaluators;
    private final String checked;

    OneEvaluator(Map<String, Object> evaluators, String checked) {
      this.evaluators = evaluators;
      this.checked = checked;
    }

    @Override
    public boolean containsKey(Object name) {
      return evaluators.containsKey(name);
    }

    @Override
    public Object get(Object name) {
      return checked.equals(name) ? evaluators.get(name) : evaluators.containsKey(name) ? OPAQUE : null;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
      return evaluators.entrySet(); // only its keys are read, to name the evaluators defined
    }
  }

  private Flag flag(String key, Object json, String path, Map<String, Object> evaluators,
      Map<String, Object> setMetadata, List<FlagProblem> problems) {
    if (key.isEmpty()) {
      problems.add(problem(path, null, "a flag key must not be empty"));
      return null;
    }
    if (!(json instanceof Map)) {
      problems.add(problem(path, json, "a flag must be an object with \"state\" and \"variants\""));
      return null;
    }
    Map<?, ?> def = (Map<?, ?>) json;
    for (Object member : def.keySet()) {
      if (!FLAG_KEYS.contains(member)) {
        problems.add(problem(JsonPath.child(path, (String) member), null,
            "unknown flag member; allowed: " + String.join(", ", sorted(FLAG_KEYS))));
      }
    }
    Object stateJson = def.get("state");
    FlagState state = null;
    if ("ENABLED".equals(stateJson) || "DISABLED".equals(stateJson)) {
      state = FlagState.valueOf((String) stateJson);
    } else {
      problems.add(problem(JsonPath.child(path, "state"), stateJson,
          stateJson == null ? "missing: state must be \"ENABLED\" or \"DISABLED\"" : "state must be \"ENABLED\" or \"DISABLED\""));
    }
    Map<String, Object> variants = variants(def.get("variants"), JsonPath.child(path, "variants"), problems);
    Object defaultJson = def.get("defaultVariant");
    String defaultVariant = null;
    String defaultPath = JsonPath.child(path, "defaultVariant");
    if (defaultJson instanceof String) {
      defaultVariant = (String) defaultJson;
      if (variants != null && !variants.containsKey(defaultVariant)) {
        problems.add(problem(defaultPath, defaultJson, "defaultVariant names a variant the flag does not define (variants: "
            + String.join(", ", variants.keySet()) + ")"));
      }
    } else if (defaultJson != null) {
      problems.add(problem(defaultPath, defaultJson, "defaultVariant must be a variant name, or null"));
    }
    Object targeting = def.get("targeting");
    String targetingPath = JsonPath.child(path, "targeting");
    Node compiled = null;
    boolean hasTargeting = targeting instanceof Map && !((Map<?, ?>) targeting).isEmpty();
    if (hasTargeting) {
      try {
        compiled = TargetingCompiler.compile(targeting, targetingPath, evaluators, key);
      } catch (TargetingException e) {
        problems.add(problem(e.jsonPath(), e.value(), "invalid targeting: " + e.getMessage()));
      }
    } else if (targeting != null && !(targeting instanceof Map)) {
      problems.add(problem(targetingPath, targeting, "targeting must be a JsonLogic object"));
    }
    Map<String, Object> flagMetadata = metadata(def.get("metadata"), JsonPath.child(path, "metadata"), problems);
    RolloutPlan rollout = RolloutPlanParser.parse(def.get("rollout"), JsonPath.child(path, "rollout"), variants,
        origin, problems);
    if (rollout != null) {
      uncountedLatency(rollout, def.get("rollout"), JsonPath.child(path, "rollout"), problems);
    }
    if (!problems.isEmpty()) {
      return null;
    }
    Map<String, Object> merged = new LinkedHashMap<>(setMetadata);
    merged.putAll(flagMetadata);
    Map<Object, Object> definition = new LinkedHashMap<>(def);
    definition.put("targeting", hasTargeting ? targeting : null);
    definition.put("$evaluators", hasTargeting ? referencedEvaluators(targeting, evaluators) : Map.of());
    definition.put("metadata", merged);
    // the plan as the model reads it, so that "60m" for "1h" or a default written out is no change
    definition.put("rollout", rollout == null ? null : rollout.fingerprint());
    CompiledFlag compiledFlag = new CompiledFlag(key, state == FlagState.ENABLED, variants, defaultVariant,
        compiled, merged, options.clock());
    return new Flag(key, state, variants, defaultVariant, hasTargeting ? targeting : null,
        flagMetadata, rollout, definition, compiledFlag);
  }

  private Flag invalidFlag(String key, Object json, Map<String, Object> setMetadata, List<FlagProblem> problems) {
    String reason = "flag \"" + key + "\" is invalid: " + problems.get(0)
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    CompiledFlag compiled = CompiledFlag.invalid(key, reason, setMetadata, options.clock());
    return new Flag(key, FlagState.ENABLED, Map.of(), null, null, Map.of(), null, json, compiled);
  }

  private Map<String, Object> variants(Object json, String path, List<FlagProblem> problems) {
    if (!(json instanceof Map) || ((Map<?, ?>) json).isEmpty()) {
      problems.add(problem(path, json, json == null ? "missing: a flag needs at least one variant"
          : "variants must be a non-empty object of variant name to value"));
      return null;
    }
    Map<String, Object> variants = new LinkedHashMap<>();
    String firstKind = null;
    String firstName = null;
    for (Map.Entry<?, ?> v : ((Map<?, ?>) json).entrySet()) {
      String name = (String) v.getKey();
      Object value = v.getValue();
      String kind = Values.jsonType(value);
      String variantPath = JsonPath.child(path, name);
      if (kind == null) {
        problems.add(problem(variantPath, value, "a variant value must be a boolean, string, number or object"));
        continue;
      }
      if (firstKind == null) {
        firstKind = kind;
        firstName = name;
      } else if (!firstKind.equals(kind)) {
        problems.add(problem(variantPath, value, "variants mix types: \"" + name + "\" is a " + kind + " but \""
            + firstName + "\" is a " + firstKind + "; all variants of a flag must have the same type"));
        continue;
      }
      variants.put(name, value);
    }
    return Collections.unmodifiableMap(variants);
  }

  private Map<String, Object> metadata(Object json, String path) {
    return metadata(json, path, fatal);
  }

  private Map<String, Object> metadata(Object json, String path, List<FlagProblem> problems) {
    if (json == null) {
      return Map.of();
    }
    if (!(json instanceof Map)) {
      problems.add(problem(path, json, "metadata must be an object"));
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) json).entrySet()) {
      Object v = e.getValue();
      if (v instanceof String || v instanceof Boolean || v instanceof Number) {
        out.put((String) e.getKey(), v);
      } else {
        problems.add(problem(JsonPath.child(path, (String) e.getKey()), v,
            "metadata values must be strings, numbers or booleans"));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> objectMember(Map<?, ?> doc, String key, String parent) {
    Object v = doc.get(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map)) {
      fatal(JsonPath.child(parent, key), v, key + " must be an object");
      return Map.of();
    }
    return (Map<String, Object>) v;
  }

  /**
   * The evaluators {@code rule} refers to, directly or through other evaluators, by name: with the
   * rule, what its behaviour depends on, to tell when a flag changed. Walks the JSON without
   * recursion and visits each evaluator once, so that {@code $ref}s the compiler never follows (in
   * arguments an operator ignores), cycles among them and deep rules cost no more than their size.
   */
  private static Map<String, Object> referencedEvaluators(Object rule, Map<String, Object> evaluators) {
    Map<String, Object> referenced = new LinkedHashMap<>();
    Deque<Object> pending = new ArrayDeque<>();
    push(rule, pending);
    while (!pending.isEmpty()) {
      Object json = pending.pop();
      if (json instanceof Map) {
        Map<?, ?> map = (Map<?, ?>) json;
        Object name = map.size() == 1 ? map.get("$ref") : null;
        if (name instanceof String && evaluators.containsKey(name) && !referenced.containsKey(name)) {
          referenced.put((String) name, evaluators.get(name));
          push(evaluators.get(name), pending);
        }
        map.values().forEach(v -> push(v, pending));
      } else if (json instanceof List) {
        ((List<?>) json).forEach(v -> push(v, pending));
      }
    }
    return referenced;
  }

  /** Pushes {@code json} unless it is JSON null (an evaluator may be null too): a deque holds no nulls. */
  private static void push(Object json, Deque<Object> pending) {
    if (json != null) {
      pending.push(json);
    }
  }

  private static List<String> sorted(Set<String> keys) {
    List<String> list = new ArrayList<>(keys);
    Collections.sort(list);
    return list;
  }

  private void fatal(String path, Object value, String message) {
    fatal.add(problem(path, value, message));
  }

  /**
   * A plan whose latency threshold the provider does not count (see {@link
   * FlagSetOptions#latencyThresholds()}) is a problem at the threshold's JSON path.
   */
  private void uncountedLatency(RolloutPlan plan, Object json, String rolloutPath, List<FlagProblem> problems) {
    Duration threshold = plan.slo().latencyThreshold().orElse(null);
    String uncounted = options.latencyThresholds()
        .map(counted -> SliRecorder.uncountedLatencyThreshold(threshold, counted)).orElse(null);
    if (uncounted != null) {
      String latencyPath = JsonPath.child(JsonPath.child(rolloutPath, "slo"), "latency");
      Object written = json instanceof Map<?, ?> r && r.get("slo") instanceof Map<?, ?> slo
          && slo.get("latency") instanceof Map<?, ?> latency ? latency.get("threshold") : threshold.toString();
      problems.add(problem(JsonPath.child(latencyPath, "threshold"), written, uncounted));
    }
  }

  private FlagProblem problem(String path, Object value, String message) {
    return new FlagProblem(origin, path, value == null ? null : JsonWriter.snippet(value, SNIPPET), message);
  }
}
