package dev.burnguard.internal.eval;

import dev.burnguard.internal.eval.Operators.ArrayOp;
import dev.burnguard.internal.eval.Operators.Arithmetic;
import dev.burnguard.internal.eval.Operators.Relation;
import dev.burnguard.internal.json.JsonPath;
import dev.burnguard.internal.json.JsonReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles a flagd targeting rule (JsonLogic plus flagd's operators, with {@code $ref}s to shared
 * {@code $evaluators}) into a tree of {@link Node}s, once per flag when a flag set loads. Rejects
 * what cannot be evaluated — unknown operators, objects with several operator keys, {@code $ref}s
 * to evaluators that do not exist or refer to themselves, malformed {@code fractional} buckets —
 * naming the JSON path. Rejects, too, a rule that its {@code $ref}s make deeper than a JSON document
 * may be ({@link #MAX_DEPTH}) or larger than {@link #MAX_SIZE} values: evaluators that refer to one
 * another can nest a rule deep enough to overflow the stack, or double it at every step. Internal,
 * not for public use.
 */
public final class TargetingCompiler {
  /** The operators a targeting rule may use, for error messages. */
  public static final Set<String> OPERATORS = Collections.unmodifiableSet(new TreeSet<>(List.of(
      "var", "missing", "missing_some", "if", "?:", "==", "===", "!=", "!==", "!", "!!", "and", "or",
      ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%", "map", "filter", "reduce", "all",
      "none", "some", "merge", "in", "cat", "substr", "fractional", "sem_ver", "starts_with",
      "ends_with")));

  /** The deepest a rule may nest objects and arrays, with its {@code $ref}s expanded: as deep as a JSON document. */
  private static final int MAX_DEPTH = JsonReader.MAX_DEPTH;
  /** The most values (operations, arguments and literals) a rule may hold with its {@code $ref}s expanded. */
  private static final int MAX_SIZE = 100_000;

  private static final String EVALUATORS_PATH = JsonPath.child("$", "$evaluators");

  private final Map<String, Object> evaluators;
  private final String flagKey;
  private final String rulePath;
  private final Deque<String> refStack = new ArrayDeque<>();
  private int depth;
  private int size;

  private TargetingCompiler(Map<String, Object> evaluators, String flagKey, String rulePath) {
    this.evaluators = evaluators;
    this.flagKey = flagKey;
    this.rulePath = rulePath;
  }

  /**
   * Compiles {@code rule}, the targeting of flag {@code flagKey}, found at {@code path} in its file.
   *
   * @param evaluators the file's {@code $evaluators}, by name
   */
  public static Node compile(Object rule, String path, Map<String, Object> evaluators, String flagKey)
      throws TargetingException {
    return new TargetingCompiler(evaluators, flagKey, path).node(rule, path);
  }

  private Node node(Object json, String path) throws TargetingException {
    if (++size > MAX_SIZE) {
      throw new TargetingException(rulePath, null, "targeting holds more than " + MAX_SIZE
          + " values with the evaluators its $refs name expanded; do evaluators refer to one another many times over?");
    }
    if (!(json instanceof Map) && !(json instanceof List)) {
      return new Node.Constant(json);
    }
    if (depth == MAX_DEPTH) {
      throw new TargetingException(path, json, "targeting nests deeper than " + MAX_DEPTH
          + " levels with the evaluators its $refs name expanded");
    }
    depth++;
    try {
      return container(json, path);
    } finally {
      depth--;
    }
  }

  private Node container(Object json, String path) throws TargetingException {
    if (json instanceof Map) {
      return operation((Map<?, ?>) json, path);
    }
    List<?> list = (List<?>) json;
    Node[] elements = new Node[list.size()];
    boolean constant = true;
    for (int i = 0; i < elements.length; i++) {
      elements[i] = node(list.get(i), JsonPath.index(path, i));
      constant &= elements[i].isConstant();
    }
    if (constant) {
      List<Object> values = new ArrayList<>(elements.length);
      for (Node e : elements) {
        values.add(e.eval(null));
      }
      return new Node.Constant(Collections.unmodifiableList(values));
    }
    return new Operators.ArrayOf(elements);
  }

  private Node operation(Map<?, ?> json, String path) throws TargetingException {
    if (json.isEmpty()) {
      return new Node.Constant(json);
    }
    if (json.size() > 1) {
      throw new TargetingException(path, json, "a JsonLogic operation must have exactly one operator key, found "
          + json.size() + ": " + json.keySet());
    }
    Map.Entry<?, ?> entry = json.entrySet().iterator().next();
    String op = (String) entry.getKey();
    Object rawArgs = entry.getValue();
    String opPath = JsonPath.child(path, op);
    if ("$ref".equals(op)) {
      return reference(rawArgs, opPath);
    }
    List<?> raw = rawArgs instanceof List ? (List<?>) rawArgs : Collections.singletonList(rawArgs);
    boolean argsIsList = rawArgs instanceof List;
    switch (op) {
      case "var":
        return variable(raw, argsIsList, opPath);
      case "missing":
        return new Operators.Missing(args(raw, argsIsList, opPath));
      case "missing_some":
        return new Operators.MissingSome(arg(raw, 0, argsIsList, opPath), arg(raw, 1, argsIsList, opPath));
      case "if":
      case "?:":
        return new Operators.If(args(raw, argsIsList, opPath));
      case "and":
        return new Operators.AndOr(args(raw, argsIsList, opPath), true);
      case "or":
        return new Operators.AndOr(args(raw, argsIsList, opPath), false);
      case "!":
        return new Operators.Not(arg(raw, 0, argsIsList, opPath), true);
      case "!!":
        return new Operators.Not(arg(raw, 0, argsIsList, opPath), false);
      case "==":
        return new Operators.Compare(Relation.EQ, args(raw, argsIsList, opPath));
      case "!=":
        return new Operators.Compare(Relation.NE, args(raw, argsIsList, opPath));
      case "===":
        return new Operators.Compare(Relation.STRICT_EQ, args(raw, argsIsList, opPath));
      case "!==":
        return new Operators.Compare(Relation.STRICT_NE, args(raw, argsIsList, opPath));
      case "<":
        return new Operators.Compare(Relation.LT, args(raw, argsIsList, opPath));
      case "<=":
        return new Operators.Compare(Relation.LE, args(raw, argsIsList, opPath));
      case ">":
        return new Operators.Compare(Relation.GT, args(raw, argsIsList, opPath));
      case ">=":
        return new Operators.Compare(Relation.GE, args(raw, argsIsList, opPath));
      case "in":
        return in(raw, argsIsList, opPath);
      case "cat":
        return new Operators.Cat(args(raw, argsIsList, opPath));
      case "substr":
        return new Operators.Substr(args(raw, argsIsList, opPath));
      case "merge":
        return new Operators.Merge(args(raw, argsIsList, opPath));
      case "+":
        return new Operators.Calculate(Arithmetic.ADD, args(raw, argsIsList, opPath));
      case "-":
        return new Operators.Calculate(Arithmetic.SUBTRACT, args(raw, argsIsList, opPath));
      case "*":
        return new Operators.Calculate(Arithmetic.MULTIPLY, args(raw, argsIsList, opPath));
      case "/":
        return new Operators.Calculate(Arithmetic.DIVIDE, args(raw, argsIsList, opPath));
      case "%":
        return new Operators.Calculate(Arithmetic.MODULO, args(raw, argsIsList, opPath));
      case "min":
        return new Operators.Calculate(Arithmetic.MIN, args(raw, argsIsList, opPath));
      case "max":
        return new Operators.Calculate(Arithmetic.MAX, args(raw, argsIsList, opPath));
      case "all":
        return overArray(ArrayOp.ALL, raw, argsIsList, opPath);
      case "some":
        return overArray(ArrayOp.SOME, raw, argsIsList, opPath);
      case "none":
        return overArray(ArrayOp.NONE, raw, argsIsList, opPath);
      case "map":
        return overArray(ArrayOp.MAP, raw, argsIsList, opPath);
      case "filter":
        return overArray(ArrayOp.FILTER, raw, argsIsList, opPath);
      case "reduce":
        return new Operators.Reduce(arg(raw, 0, argsIsList, opPath), arg(raw, 1, argsIsList, opPath),
            raw.size() > 2 ? arg(raw, 2, argsIsList, opPath) : null);
      case "starts_with":
        return new Operators.Affix(args(raw, argsIsList, opPath), true);
      case "ends_with":
        return new Operators.Affix(args(raw, argsIsList, opPath), false);
      case "sem_ver":
        return new Operators.SemVerCompare(args(raw, argsIsList, opPath));
      case "fractional":
        return fractional(raw, argsIsList, opPath);
      default:
        throw new TargetingException(path, json, "unknown JsonLogic operator \"" + op + "\"; supported: "
            + String.join(" ", OPERATORS));
    }
  }

  private Node reference(Object name, String path) throws TargetingException {
    if (!(name instanceof String)) {
      throw new TargetingException(path, name, "$ref must name an evaluator with a string");
    }
    String evaluator = (String) name;
    if (evaluators == null || !evaluators.containsKey(evaluator)) {
      throw new TargetingException(path, name, "$ref to evaluator \"" + evaluator + "\", which is not defined in "
          + EVALUATORS_PATH + (evaluators == null || evaluators.isEmpty() ? " (the file has none)"
          : " (defined: " + String.join(", ", new TreeSet<>(evaluators.keySet())) + ")"));
    }
    if (refStack.contains(evaluator)) {
      throw new TargetingException(path, name, "$ref cycle: " + String.join(" -> ", refStack) + " -> " + evaluator);
    }
    refStack.addLast(evaluator);
    try {
      return node(evaluators.get(evaluator), JsonPath.child(EVALUATORS_PATH, evaluator));
    } finally {
      refStack.removeLast();
    }
  }

  private Node variable(List<?> raw, boolean argsIsList, String path) throws TargetingException {
    Object first = raw.isEmpty() ? null : raw.get(0);
    Node fallback = raw.size() > 1 ? arg(raw, 1, argsIsList, path) : null;
    if (first == null) {
      return new Operators.Var(Operators.NO_PATH, null, fallback);
    }
    if (first instanceof String || first instanceof Number) {
      String text = first instanceof String ? (String) first : Values.toJsString(first);
      return new Operators.Var(Operators.splitPath(text), null, fallback);
    }
    if (first instanceof Map) {
      return new Operators.Var(null, arg(raw, 0, argsIsList, path), fallback);
    }
    throw new TargetingException(argsIsList ? JsonPath.index(path, 0) : path, first,
        "var takes a path string (like \"user.email\"), a number or an expression");
  }

  private Node in(List<?> raw, boolean argsIsList, String path) throws TargetingException {
    Node needle = arg(raw, 0, argsIsList, path);
    Node haystack = arg(raw, 1, argsIsList, path);
    if (haystack.isConstant()) {
      Object members = haystack.eval(null);
      if (members instanceof List && ((List<?>) members).stream().allMatch(m -> m instanceof String)) {
        return new Operators.InStringSet(needle, (List<?>) members);
      }
    }
    return new Operators.In(needle, haystack);
  }

  private Node overArray(ArrayOp op, List<?> raw, boolean argsIsList, String path) throws TargetingException {
    return new Operators.OverArray(op, arg(raw, 0, argsIsList, path), arg(raw, 1, argsIsList, path));
  }

  private Node fractional(List<?> raw, boolean argsIsList, String path) throws TargetingException {
    if (!argsIsList || raw.isEmpty()) {
      throw new TargetingException(path, argsIsList ? raw : raw.get(0),
          "fractional takes an array: [optional bucketing key, [variant, weight], ...]");
    }
    int first = raw.get(0) instanceof List ? 0 : 1;
    Node key = first == 0 ? null : node(raw.get(0), JsonPath.index(path, 0));
    if (raw.size() == first) {
      throw new TargetingException(path, raw, "fractional needs at least one [variant, weight] bucket");
    }
    Node[] variants = new Node[raw.size() - first];
    Node[] weights = new Node[variants.length];
    for (int i = first; i < raw.size(); i++) {
      String bucketPath = JsonPath.index(path, i);
      Object bucket = raw.get(i);
      if (!(bucket instanceof List) || ((List<?>) bucket).isEmpty() || ((List<?>) bucket).size() > 2) {
        throw new TargetingException(bucketPath, bucket, "a fractional bucket must be [variant] or [variant, weight]");
      }
      List<?> b = (List<?>) bucket;
      variants[i - first] = node(b.get(0), JsonPath.index(bucketPath, 0));
      weights[i - first] = b.size() == 2 ? node(b.get(1), JsonPath.index(bucketPath, 1)) : new Node.Constant(1L);
    }
    return new Operators.Fractional(key, flagKey, variants, weights);
  }

  private Node[] args(List<?> raw, boolean argsIsList, String path) throws TargetingException {
    Node[] nodes = new Node[raw.size()];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = arg(raw, i, argsIsList, path);
    }
    return nodes;
  }

  /** Argument {@code i}, or a null constant when absent (JsonLogic treats missing arguments as null). */
  private Node arg(List<?> raw, int i, boolean argsIsList, String path) throws TargetingException {
    if (i >= raw.size()) {
      return new Node.Constant(null);
    }
    return node(raw.get(i), argsIsList ? JsonPath.index(path, i) : path);
  }
}
