package dev.burnguard.internal.eval;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JsonLogic operators flagd supports, as compiled nodes. Every node is immutable and thread-safe;
 * per-evaluation state lives in the {@link Frame}. Internal, not for public use.
 */
final class Operators {
  private Operators() {}

  static final String[] NO_PATH = new String[0];

  // ---------------------------------------------------------------- data access

  /** {@code var}: a dot path into the context (or the current item inside array operators). */
  static final class Var extends Node {
    private final String[] path;
    private final Node dynamicPath;
    private final Node fallback;
    /** The path's one name when it is a literal one-name path other than {@code $flagd} (the usual {@code var}); else null. */
    private final String attribute;

    Var(String[] path, Node dynamicPath, Node fallback) {
      this.path = path;
      this.dynamicPath = dynamicPath;
      this.fallback = fallback;
      // interned: a context whose attribute names are string literals (also interned) then finds
      // the name by identity in its map, without comparing the characters
      this.attribute = path != null && path.length == 1 && !"$flagd".equals(path[0]) ? path[0].intern() : null;
    }

    @Override
    public Object eval(Frame f) {
      if (attribute != null) { // what lookup does for a one-name path, without its loop and checks
        Object v = f.scoped ? Values.member(f.scope, attribute) : contextAttribute(f.context, attribute);
        return v == null && fallback != null ? fallback.eval(f) : v;
      }
      String[] p = path;
      if (p == null) {
        Object key = dynamicPath.eval(f);
        p = splitPath(key == null ? "" : Values.toJsString(key));
      }
      Object v = lookup(f, p);
      if (v == null && fallback != null) {
        return fallback.eval(f);
      }
      return v;
    }
  }

  static String[] splitPath(String path) {
    return path.isEmpty() ? NO_PATH : path.split("\\.", -1);
  }

  static Object lookup(Frame f, String[] path) {
    Object current;
    int i;
    if (f.scoped) {
      current = f.scope;
      i = 0;
    } else {
      if (path.length == 0) {
        return f.context;
      }
      current = rootMember(f, path);
      if (current == FLAGD_HANDLED) {
        return flagdProperty(f, path);
      }
      i = 1;
    }
    for (; i < path.length && current != null; i++) {
      current = Values.member(current, path[i]);
    }
    return current;
  }

  private static final Object FLAGD_HANDLED = new Object();

  private static Object rootMember(Frame f, String[] path) {
    String first = path[0];
    if ("$flagd".equals(first)) {
      return FLAGD_HANDLED;
    }
    return contextAttribute(f.context, first);
  }

  /** Top-level attribute {@code name} of {@code ctx} (may be null) as a plain value, the targeting key included. */
  static Object contextAttribute(EvaluationContext ctx, String name) {
    if (ctx == null) {
      return null;
    }
    if (EvaluationContext.TARGETING_KEY.equals(name)) {
      String key = ctx.getTargetingKey();
      if (key != null) {
        return key;
      }
    }
    // Strings, numbers and booleans (the usual attributes) are read in place. An ImmutableContext
    // copies the Value on every read (Value.clone); when the copy goes no further than this read, C2
    // removes it (0 B/op). Escape analysis also gives up where two allocations meet, so an
    // ImmutableContext's copy must not meet another context type's Value: a separate read per type.
    Object plain = ctx instanceof ImmutableContext ? plain(((ImmutableContext) ctx).getValue(name))
        : plain(ctx.getValue(name));
    // anything else is read again, so that the copy above never escapes, and converted
    return plain != NOT_PLAIN ? plain : Values.unwrap(ctx.getValue(name));
  }

  /** What {@link #plain} returns for a value that is not a string, number, boolean or null. */
  private static final Object NOT_PLAIN = new Object();

  /** {@code value}'s string, number or boolean (null for none), else {@link #NOT_PLAIN}. */
  private static Object plain(Value value) {
    Object o = value == null ? null : value.asObject();
    return o == null || o instanceof String || o instanceof Number || o instanceof Boolean ? o : NOT_PLAIN;
  }

  /** {@code $flagd.flagKey} and {@code $flagd.timestamp} (Unix seconds), as flagd injects them. */
  private static Object flagdProperty(Frame f, String[] path) {
    if (path.length == 1) {
      Map<String, Object> props = new HashMap<>();
      props.put("flagKey", f.flagKey);
      props.put("timestamp", f.clock.wallMillis() / 1000);
      return props;
    }
    if (path.length != 2) {
      return null;
    }
    if ("flagKey".equals(path[1])) {
      return f.flagKey;
    }
    if ("timestamp".equals(path[1])) {
      return f.clock.wallMillis() / 1000;
    }
    return null;
  }

  /** {@code missing}: the keys among the arguments whose values are null or empty strings. */
  static final class Missing extends Node {
    private final Node[] args;

    Missing(Node[] args) {
      this.args = args;
    }

    @Override
    public Object eval(Frame f) {
      List<Object> keys = new ArrayList<>();
      for (Node a : args) {
        Object v = a.eval(f);
        if (v instanceof List) {
          keys.addAll((List<?>) v);
        } else {
          keys.add(v);
        }
      }
      return missingOf(f, keys);
    }
  }

  static List<Object> missingOf(Frame f, List<?> keys) {
    List<Object> missing = new ArrayList<>();
    for (Object k : keys) {
      String key = k == null ? "" : Values.toJsString(k);
      Object v = lookup(f, splitPath(key));
      if (v == null || "".equals(v)) {
        missing.add(key);
      }
    }
    return missing;
  }

  /** {@code missing_some}: [minimum, keys]: empty when at least minimum keys are present. */
  static final class MissingSome extends Node {
    private final Node min;
    private final Node keys;

    MissingSome(Node min, Node keys) {
      this.min = min;
      this.keys = keys;
    }

    @Override
    public Object eval(Frame f) {
      Object k = keys.eval(f);
      if (!(k instanceof List)) {
        return null;
      }
      List<?> all = (List<?>) k;
      List<Object> missing = missingOf(f, all);
      double need = Values.toNumber(min.eval(f));
      return all.size() - missing.size() >= need ? Collections.emptyList() : missing;
    }
  }

  // ---------------------------------------------------------------- logic

  /** {@code if} / {@code ?:}: condition, value pairs with an optional final else. */
  static final class If extends Node {
    private final Node[] args;

    If(Node[] args) {
      this.args = args;
    }

    @Override
    public Object eval(Frame f) {
      int i = 0;
      for (; i + 1 < args.length; i += 2) {
        if (Values.truthy(args[i].eval(f))) {
          return args[i + 1].eval(f);
        }
      }
      return i < args.length ? args[i].eval(f) : null;
    }
  }

  /** {@code and} / {@code or}: the first falsy (truthy) argument, else the last. */
  static final class AndOr extends Node {
    private final Node[] args;
    private final boolean isAnd;

    AndOr(Node[] args, boolean isAnd) {
      this.args = args;
      this.isAnd = isAnd;
    }

    @Override
    public Object eval(Frame f) {
      Object v = null;
      for (Node a : args) {
        v = a.eval(f);
        if (Values.truthy(v) != isAnd) {
          return v;
        }
      }
      return v;
    }
  }

  /** {@code !} and {@code !!}. */
  static final class Not extends Node {
    private final Node arg;
    private final boolean negate;

    Not(Node arg, boolean negate) {
      this.arg = arg;
      this.negate = negate;
    }

    @Override
    public Object eval(Frame f) {
      return Values.truthy(arg.eval(f)) != negate;
    }
  }

  enum Relation { EQ, NE, STRICT_EQ, STRICT_NE, LT, LE, GT, GE }

  /** Comparisons; {@code <} and {@code <=} also take three arguments (between). */
  static final class Compare extends Node {
    private final Relation relation;
    private final Node[] args;

    Compare(Relation relation, Node[] args) {
      this.relation = relation;
      this.args = args;
    }

    @Override
    public Object eval(Frame f) {
      if (args.length < 2) {
        return Boolean.FALSE;
      }
      Object a = args[0].eval(f);
      Object b = args[1].eval(f);
      switch (relation) {
        case EQ: return Values.looseEquals(a, b);
        case NE: return !Values.looseEquals(a, b);
        case STRICT_EQ: return Values.strictEquals(a, b);
        case STRICT_NE: return !Values.strictEquals(a, b);
        case GT: return Values.compare(a, b, 0) > 0;
        case GE: return Values.compare(a, b, -1) >= 0;
        case LT:
        case LE:
          boolean strict = relation == Relation.LT;
          if (!less(a, b, strict)) {
            return Boolean.FALSE;
          }
          return args.length < 3 || less(b, args[2].eval(f), strict);
        default:
          throw new AssertionError(relation);
      }
    }

    private static boolean less(Object a, Object b, boolean strict) {
      return strict ? Values.compare(a, b, 0) < 0 : Values.compare(a, b, 1) <= 0;
    }
  }

  // ---------------------------------------------------------------- arrays and strings

  /** {@code in}: substring of a non-empty string, or member (by {@code ===}) of an array. */
  static final class In extends Node {
    private final Node needle;
    private final Node haystack;

    In(Node needle, Node haystack) {
      this.needle = needle;
      this.haystack = haystack;
    }

    @Override
    public Object eval(Frame f) {
      Object n = needle.eval(f);
      Object h = haystack.eval(f);
      if (h instanceof String) {
        // json-logic-js: an empty (falsy) haystack is false; indexOf turns the needle into a string
        String text = (String) h;
        return !text.isEmpty() && text.contains(Values.toJsString(n));
      }
      if (h instanceof List) {
        for (Object e : (List<?>) h) {
          if (Values.strictEquals(n, e)) {
            return true;
          }
        }
      }
      return Boolean.FALSE;
    }
  }

  /** {@code in} against a literal array of strings: a hash lookup instead of a scan. */
  static final class InStringSet extends Node {
    private final Node needle;
    private final Set<String> members;

    InStringSet(Node needle, List<?> members) {
      this.needle = needle;
      Set<String> set = new HashSet<>();
      for (Object m : members) {
        set.add((String) m);
      }
      this.members = set;
    }

    @Override
    public Object eval(Frame f) {
      Object n = needle.eval(f);
      return n instanceof String && members.contains(n);
    }
  }

  /** A literal array whose elements are expressions. */
  static final class ArrayOf extends Node {
    private final Node[] elements;

    ArrayOf(Node[] elements) {
      this.elements = elements;
    }

    @Override
    public Object eval(Frame f) {
      List<Object> out = new ArrayList<>(elements.length);
      for (Node e : elements) {
        out.add(e.eval(f));
      }
      return out;
    }
  }

  /** {@code merge}: flattens its arguments one level into one array. */
  static final class Merge extends Node {
    private final Node[] args;

    Merge(Node[] args) {
      this.args = args;
    }

    @Override
    public Object eval(Frame f) {
      List<Object> out = new ArrayList<>();
      for (Node a : args) {
        Object v = a.eval(f);
        if (v instanceof List) {
          out.addAll((List<?>) v);
        } else {
          out.add(v);
        }
      }
      return out;
    }
  }

  enum ArrayOp { ALL, SOME, NONE, MAP, FILTER }

  /** {@code all}, {@code some}, {@code none}, {@code map}, {@code filter}: [array, expression]. */
  static final class OverArray extends Node {
    private final ArrayOp op;
    private final Node array;
    private final Node body;

    OverArray(ArrayOp op, Node array, Node body) {
      this.op = op;
      this.array = array;
      this.body = body;
    }

    @Override
    public Object eval(Frame f) {
      Object a = array.eval(f);
      List<?> items = a instanceof List ? (List<?>) a : Collections.emptyList();
      Object saved = f.scope;
      boolean savedScoped = f.scoped;
      f.scoped = true;
      try {
        switch (op) {
          case ALL:
            if (items.isEmpty()) {
              return Boolean.FALSE;
            }
            for (Object item : items) {
              f.scope = item;
              if (!Values.truthy(body.eval(f))) {
                return Boolean.FALSE;
              }
            }
            return Boolean.TRUE;
          case SOME:
          case NONE:
            for (Object item : items) {
              f.scope = item;
              if (Values.truthy(body.eval(f))) {
                return op == ArrayOp.SOME;
              }
            }
            return op == ArrayOp.NONE;
          case MAP:
            List<Object> mapped = new ArrayList<>(items.size());
            for (Object item : items) {
              f.scope = item;
              mapped.add(body.eval(f));
            }
            return mapped;
          case FILTER:
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
              f.scope = item;
              if (Values.truthy(body.eval(f))) {
                kept.add(item);
              }
            }
            return kept;
          default:
            throw new AssertionError(op);
        }
      } finally {
        f.scope = saved;
        f.scoped = savedScoped;
      }
    }
  }

  /** {@code reduce}: [array, expression over {current, accumulator}, initial]. */
  static final class Reduce extends Node {
    private final Node array;
    private final Node body;
    private final Node initial;

    Reduce(Node array, Node body, Node initial) {
      this.array = array;
      this.body = body;
      this.initial = initial;
    }

    @Override
    public Object eval(Frame f) {
      Object a = array.eval(f);
      Object acc = initial == null ? null : initial.eval(f);
      if (!(a instanceof List)) {
        return acc;
      }
      Object saved = f.scope;
      boolean savedScoped = f.scoped;
      f.scoped = true;
      try {
        for (Object item : (List<?>) a) {
          Map<String, Object> scope = new HashMap<>(4);
          scope.put("current", item);
          scope.put("accumulator", acc);
          f.scope = scope;
          acc = body.eval(f);
        }
      } finally {
        f.scope = saved;
        f.scoped = savedScoped;
      }
      return acc;
    }
  }

  /** {@code cat}: the string forms of the arguments, concatenated. */
  static final class Cat extends Node {
    private final Node[] args;

    Cat(Node[] args) {
      this.args = args;
    }

    @Override
    public Object eval(Frame f) {
      StringBuilder sb = new StringBuilder();
      for (Node a : args) {
        Object v = a.eval(f);
        sb.append(v == null ? "" : Values.toJsString(v));
      }
      return sb.toString();
    }
  }

  /** {@code substr}: [string, start, length?] with JavaScript's negative-index rules. */
  static final class Substr extends Node {
    private final Node[] args;

    Substr(Node[] args) {
      this.args = args;
    }

    @Override
    public Object eval(Frame f) {
      if (args.length == 0) {
        return null;
      }
      String s = Values.toJsString(args[0].eval(f));
      int n = s.length();
      // a missing start is JavaScript's undefined, which substr reads as 0
      double startD = args.length > 1 ? Values.toNumber(args[1].eval(f)) : 0;
      int start = Double.isNaN(startD) ? 0 : (int) Math.max(-n, Math.min(n, startD));
      if (start < 0) {
        start += n;
      }
      int end = n;
      if (args.length > 2) {
        double lenD = Values.toNumber(args[2].eval(f));
        int len = Double.isNaN(lenD) ? 0 : (int) Math.max(-n, Math.min(n, lenD));
        end = len < 0 ? n + len : start + len;
      }
      end = Math.min(end, n);
      return end <= start ? "" : s.substring(start, end);
    }
  }

  /** flagd's {@code starts_with} / {@code ends_with}: null unless given exactly two strings. */
  static final class Affix extends Node {
    private final Node[] args;
    private final boolean prefix;
    /** The second argument when it is a literal string (the usual rule), read once; else null. */
    private final String literalPart;

    Affix(Node[] args, boolean prefix) {
      this.args = args;
      this.prefix = prefix;
      Object part = args.length == 2 && args[1].isConstant() ? args[1].eval(null) : null;
      this.literalPart = part instanceof String ? (String) part : null;
    }

    @Override
    public Object eval(Frame f) {
      if (args.length != 2) {
        return null;
      }
      Object s = args[0].eval(f);
      Object part = literalPart != null ? literalPart : args[1].eval(f);
      if (!(s instanceof String) || !(part instanceof String)) {
        return null;
      }
      // compared in place (startsWith and endsWith are regionMatches): no substring
      return prefix ? ((String) s).startsWith((String) part) : ((String) s).endsWith((String) part);
    }
  }

  // ---------------------------------------------------------------- arithmetic

  enum Arithmetic { ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO, MIN, MAX }

  /**
   * {@code + - * / % min max} over JavaScript numbers: {@code +} and {@code *} read operands with
   * {@code parseFloat}, the others with {@code Number()}, as json-logic-js does.
   */
  static final class Calculate extends Node {
    private final Arithmetic op;
    private final Node[] args;

    Calculate(Arithmetic op, Node[] args) {
      this.op = op;
      this.args = args;
    }

    @Override
    public Object eval(Frame f) {
      switch (op) {
        case ADD:
        case MULTIPLY:
          // json-logic-js folds these with parseFloat; "*" has no initial value to fold from
          if (args.length == 0 && op == Arithmetic.MULTIPLY) {
            return null;
          }
          double acc = op == Arithmetic.ADD ? 0 : 1;
          for (Node a : args) {
            double x = Values.parseFloat(a.eval(f));
            acc = op == Arithmetic.ADD ? acc + x : acc * x;
          }
          return finite(acc);
        case MIN:
        case MAX:
          if (args.length == 0) {
            return null;
          }
          double best = op == Arithmetic.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
          for (Node a : args) {
            double x = Values.toNumber(a.eval(f));
            if (Double.isNaN(x)) {
              return null;
            }
            best = op == Arithmetic.MIN ? Math.min(best, x) : Math.max(best, x);
          }
          return finite(best);
        case SUBTRACT:
          if (args.length == 1) {
            return finite(-Values.toNumber(args[0].eval(f)));
          }
          return args.length < 2 ? null
              : finite(Values.toNumber(args[0].eval(f)) - Values.toNumber(args[1].eval(f)));
        case DIVIDE:
          return args.length < 2 ? null
              : finite(Values.toNumber(args[0].eval(f)) / Values.toNumber(args[1].eval(f)));
        case MODULO:
          return args.length < 2 ? null
              : finite(Values.toNumber(args[0].eval(f)) % Values.toNumber(args[1].eval(f)));
        default:
          throw new AssertionError(op);
      }
    }

    /** NaN and infinities are not JSON numbers; such results are null. */
    private static Object finite(double d) {
      return Double.isNaN(d) || Double.isInfinite(d) ? null : Values.number(d);
    }
  }

  // ---------------------------------------------------------------- flagd's operators

  /** flagd's {@code sem_ver}: [version, operator, version]; null for bad input. */
  static final class SemVerCompare extends Node {
    // the operators, as codes so that a literal one is read once
    private static final int EQ = 0;
    private static final int NE = 1;
    private static final int LT = 2;
    private static final int LE = 3;
    private static final int GT = 4;
    private static final int GE = 5;
    private static final int SAME_MAJOR = 6;
    private static final int SAME_MINOR = 7;
    private static final int UNKNOWN = -1;

    private final Node[] args;
    /**
     * The operator's code and the right-hand version's text and shape when both are literals (the
     * usual rule), read once; else {@link #UNKNOWN} and null.
     */
    private final int literalOp;
    private final String literalRight;
    private final long literalRightShape;
    /** The literal right-hand version's major, minor and patch numbers, or null. */
    private final long[] literalRightRelease;

    SemVerCompare(Node[] args) {
      this.args = args;
      boolean literal = args.length == 3 && args[1].isConstant() && args[2].isConstant();
      String right = literal ? versionText(args[2].eval(null)) : null;
      long rightShape = right == null ? SemVer.INVALID : SemVer.shape(right);
      boolean valid = rightShape != SemVer.INVALID;
      this.literalOp = valid ? opCode(args[1].eval(null)) : UNKNOWN;
      this.literalRight = valid ? right : null;
      this.literalRightShape = rightShape;
      this.literalRightRelease = valid ? SemVer.release(right) : null;
    }

    @Override
    public Object eval(Frame f) {
      if (args.length != 3) {
        return null;
      }
      boolean literal = literalRight != null;
      int op = literal ? literalOp : opCode(args[1].eval(f));
      String left = versionText(args[0].eval(f));
      long leftShape = left == null ? SemVer.INVALID : SemVer.shape(left);
      String right = literal ? literalRight : versionText(args[2].eval(f));
      long rightShape = literal ? literalRightShape : right == null ? SemVer.INVALID : SemVer.shape(right);
      if (op == UNKNOWN || leftShape == SemVer.INVALID || rightShape == SemVer.INVALID) {
        return null;
      }
      switch (op) {
        case SAME_MAJOR: return SemVer.sameMajor(left, right);
        case SAME_MINOR: return SemVer.sameMinor(left, right);
        default: break;
      }
      int c = literal ? SemVer.compare(left, leftShape, literalRightRelease, right, rightShape)
          : SemVer.compare(left, leftShape, right, rightShape);
      switch (op) {
        case EQ: return c == 0;
        case NE: return c != 0;
        case LT: return c < 0;
        case LE: return c <= 0;
        case GT: return c > 0;
        case GE: return c >= 0;
        default: throw new AssertionError(op);
      }
    }

    private static int opCode(Object op) {
      if (!(op instanceof String)) {
        return UNKNOWN;
      }
      switch ((String) op) {
        case "=": return EQ;
        case "!=": return NE;
        case "<": return LT;
        case "<=": return LE;
        case ">": return GT;
        case ">=": return GE;
        case "^": return SAME_MAJOR;
        case "~": return SAME_MINOR;
        default: return UNKNOWN;
      }
    }

    /** The text a version is read from: a string as it is, a number in JavaScript's form; else null. */
    private static String versionText(Object v) {
      if (v instanceof String) {
        return (String) v;
      }
      if (v instanceof Number) {
        return Values.formatNumber(((Number) v).doubleValue());
      }
      return null;
    }
  }

  /**
   * flagd's {@code fractional}: deterministic weighted bucketing. The bucketing key is the first
   * argument's string value, or {@code $flagd.flagKey + targetingKey} when the first argument is
   * already a bucket or yields null; without a (non-empty) targeting key there is nothing to bucket
   * and the result is null, so such callers get the default variant rather than all landing in
   * one bucket. {@code bucket = (murmur3_x86_32(key, 0) as unsigned * totalWeight) >>> 32}; the
   * first bucket whose cumulative weight exceeds that value wins. Negative weights count as 0 and
   * null ones as 1; a weight that is not a whole number, a first argument of another type, or a
   * total of zero or above {@link Integer#MAX_VALUE} gives null.
   */
  static final class Fractional extends Node {
    private final Node key;
    /** The hash state after the flag key, for the default bucketing key flagKey + targetingKey. */
    private final Murmur3.Prefix flagKeyPrefix;
    private final Node[] variants;
    private final Node[] weights;
    /** The weights when all are literals (the usual case), else null. */
    private final long[] fixedWeights;
    private final long fixedTotal;

    Fractional(Node key, String flagKey, Node[] variants, Node[] weights) {
      this.key = key;
      this.flagKeyPrefix = Murmur3.prefix(flagKey);
      this.variants = variants;
      this.weights = weights;
      long[] fixed = new long[weights.length];
      for (int i = 0; i < weights.length; i++) {
        if (!weights[i].isConstant()) {
          fixed = null;
          break;
        }
        fixed[i] = weight(weights[i].eval(null));
      }
      this.fixedWeights = fixed;
      this.fixedTotal = fixed == null ? 0 : total(fixed);
    }

    /**
     * A bucket's weight as flagd reads it: null is 1 and a negative weight 0; {@link #INVALID} for
     * anything but a whole number up to {@link Integer#MAX_VALUE}, which voids the whole split.
     */
    private static long weight(Object w) {
      if (w == null) {
        return 1;
      }
      if (!(w instanceof Number)) {
        return INVALID;
      }
      double d = ((Number) w).doubleValue();
      if (d != Math.rint(d) || d > Integer.MAX_VALUE) { // also NaN and infinities
        return INVALID;
      }
      return d < 0 ? 0 : (long) d;
    }

    private static final long INVALID = -1;

    /** The sum of the weights, or {@link #INVALID} when one is. */
    private static long total(long[] w) {
      long total = 0;
      for (long x : w) {
        if (x == INVALID) {
          return INVALID;
        }
        total += x;
      }
      return total;
    }

    @Override
    public Object eval(Frame f) {
      Object k = key == null ? null : key.eval(f);
      if (k != null && !(k instanceof String)) {
        return null;
      }
      long[] w = fixedWeights;
      long total = fixedTotal;
      if (w == null) {
        w = new long[weights.length];
        for (int i = 0; i < w.length; i++) {
          w[i] = weight(weights[i].eval(f));
        }
        total = total(w);
      }
      int i = k == null ? bucket(f.context, w, total) : bucket(Murmur3.hash((String) k), w, total);
      if (i < 0) {
        return null;
      }
      f.split = true;
      return variants[i].eval(f);
    }

    /**
     * The results of the buckets, in order, when this split reads nothing but the targeting key:
     * the default bucketing key, literal weights and literal variants; else null.
     */
    Object[] literalResults() {
      if (key != null || fixedWeights == null) {
        return null;
      }
      Object[] results = new Object[variants.length];
      for (int i = 0; i < variants.length; i++) {
        if (!variants[i].isConstant()) {
          return null;
        }
        results[i] = variants[i].eval(null);
      }
      return results;
    }

    /** The bucket of {@code context} when {@link #literalResults} is not null; -1 where {@link #eval} gives null. */
    int literalBucket(EvaluationContext context) {
      return bucket(context, fixedWeights, fixedTotal);
    }

    /** The bucket of the default key, flag key + targeting key; -1 without a (non-empty) targeting key. */
    private int bucket(EvaluationContext context, long[] w, long total) {
      String targetingKey = context == null ? null : context.getTargetingKey();
      if (targetingKey == null || targetingKey.isEmpty()) {
        return -1;
      }
      return bucket(Murmur3.hash(flagKeyPrefix, targetingKey), w, total);
    }

    /** The first bucket whose cumulative weight exceeds the hash's point in the total; -1 when the weights void the split. */
    private static int bucket(int hash, long[] w, long total) {
      if (total <= 0 || total > Integer.MAX_VALUE) {
        return -1;
      }
      long point = ((hash & 0xffffffffL) * total) >>> 32;
      long cumulative = 0;
      for (int i = 0; i < w.length; i++) {
        cumulative += w[i];
        if (point < cumulative) {
          return i;
        }
      }
      return -1;
    }
  }
}
