package dev.burnguard.internal.eval;

import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JsonLogic's value semantics (those of json-logic-js, which flagd follows): truthiness, loose and
 * strict equality, numeric coercion and string conversion, over the plain values targeting works on:
 * {@code null}, {@link Boolean}, {@link Number}, {@link String}, {@link List}, {@link Map} and
 * OpenFeature {@link Structure}. Internal, not for public use.
 */
public final class Values {
  private Values() {}

  public static boolean truthy(Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    if (v instanceof String) {
      return !((String) v).isEmpty();
    }
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      return d != 0 && !Double.isNaN(d);
    }
    if (v instanceof List) {
      return !((List<?>) v).isEmpty();
    }
    return true;
  }

  /** JavaScript's {@code Number(v)}: NaN where there is no number. */
  public static double toNumber(Object v) {
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    if (v == null) {
      return 0;
    }
    if (v instanceof Boolean) {
      return (Boolean) v ? 1 : 0;
    }
    if (v instanceof String) {
      String s = ((String) v).strip();
      if (s.isEmpty()) {
        return 0;
      }
      return parseDecimal(s);
    }
    if (v instanceof List) {
      List<?> list = (List<?>) v;
      if (list.isEmpty()) {
        return 0;
      }
      return list.size() == 1 ? toNumber(toJsString(list.get(0))) : Double.NaN;
    }
    return Double.NaN;
  }

  /**
   * JavaScript's {@code parseFloat(v)}, which json-logic-js's {@code +} and {@code *} use: the
   * longest decimal prefix of {@code String(v)} after leading whitespace, so {@code "12px"} is 12
   * while {@code null}, booleans and {@code ""} are NaN (where {@link #toNumber} gives 0 or 1).
   */
  public static double parseFloat(Object v) {
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof String) {
      return parseFloatPrefix((String) v);
    }
    if (v instanceof List) {
      return parseFloatPrefix(toJsString(v));
    }
    return Double.NaN; // "null", "true", "false", "[object Object]"
  }

  private static double parseFloatPrefix(String s) {
    int n = s.length();
    int start = 0;
    while (start < n && isJsWhitespace(s.charAt(start))) {
      start++;
    }
    int i = start;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    if (s.startsWith("Infinity", i)) {
      return s.charAt(start) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    int digits = 0;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      int afterPoint = i + 1;
      int fraction = 0;
      while (afterPoint + fraction < n && isDigit(s.charAt(afterPoint + fraction))) {
        fraction++;
      }
      if (digits + fraction > 0) {
        i = afterPoint + fraction;
        digits += fraction;
      }
    }
    if (digits == 0) {
      return Double.NaN;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      int e = i + 1;
      if (e < n && (s.charAt(e) == '+' || s.charAt(e) == '-')) {
        e++;
      }
      int expDigits = 0;
      while (e + expDigits < n && isDigit(s.charAt(e + expDigits))) {
        expDigits++;
      }
      if (expDigits > 0) {
        i = e + expDigits; // an exponent without digits is not part of the number
      }
    }
    return Double.parseDouble(s.substring(start, i));
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** ECMAScript's StrWhiteSpaceChar: WhiteSpace and LineTerminator. */
  private static boolean isJsWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || c == '\u00a0'
        || c == '\ufeff' || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.SPACE_SEPARATOR;
  }

  private static double parseDecimal(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
      if (!ok) {
        return "Infinity".equals(s) || "+Infinity".equals(s) ? Double.POSITIVE_INFINITY
            : "-Infinity".equals(s) ? Double.NEGATIVE_INFINITY : Double.NaN;
      }
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** JavaScript's {@code ==}. */
  public static boolean looseEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof String && b instanceof String) {
      return a.equals(b);
    }
    if (a instanceof Number && b instanceof Number) {
      return ((Number) a).doubleValue() == ((Number) b).doubleValue();
    }
    if (a instanceof Boolean && b instanceof Boolean) {
      return a.equals(b);
    }
    boolean aScalar = isScalar(a);
    boolean bScalar = isScalar(b);
    if (aScalar && bScalar) {
      return toNumber(a) == toNumber(b);
    }
    if (aScalar != bScalar) {
      // object compared with a primitive: the object converts to its string form
      Object prim = aScalar ? a : b;
      Object obj = aScalar ? b : a;
      return looseEquals(prim, toJsString(obj));
    }
    return a == b;
  }

  /** JavaScript's {@code ===}. */
  public static boolean strictEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Number && b instanceof Number) {
      return ((Number) a).doubleValue() == ((Number) b).doubleValue();
    }
    if (a instanceof String || a instanceof Boolean) {
      return a.equals(b);
    }
    return a == b;
  }

  /**
   * JavaScript's relational comparison: strings compare by UTF-16 code units when both sides are
   * strings, everything else numerically. Returns {@code unordered} where JavaScript answers false for
   * every relation (a NaN side): pass a value that makes the caller's relation false.
   */
  public static int compare(Object a, Object b, int unordered) {
    if (a instanceof String && b instanceof String) {
      return ((String) a).compareTo((String) b);
    }
    double x = toNumber(a);
    double y = toNumber(b);
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return unordered;
    }
    return Double.compare(x == 0 ? 0 : x, y == 0 ? 0 : y);
  }

  private static boolean isScalar(Object v) {
    return v instanceof String || v instanceof Number || v instanceof Boolean;
  }

  /** The JSON type of a flag value: "boolean", "string", "number" or "object" (also arrays); null otherwise. */
  public static String jsonType(Object v) {
    if (v instanceof Boolean) {
      return "boolean";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Number) {
      return "number";
    }
    if (v instanceof Map || v instanceof List) {
      return "object";
    }
    return null;
  }

  /** JavaScript's {@code String(v)}. */
  public static String toJsString(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return (String) v;
    }
    if (v instanceof Double || v instanceof Float) {
      return formatNumber(((Number) v).doubleValue());
    }
    if (v instanceof List) {
      StringBuilder sb = new StringBuilder();
      List<?> list = (List<?>) v;
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        Object e = list.get(i);
        if (e != null) {
          sb.append(toJsString(e));
        }
      }
      return sb.toString();
    }
    if (v instanceof Map || v instanceof Structure) {
      return "[object Object]";
    }
    return v.toString();
  }

  /** Formats a number the way JavaScript does for the common cases: integral values without ".0". */
  public static String formatNumber(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    return Double.toString(d);
  }

  /** A number result: integral values as {@link Long}, others as {@link Double}. */
  public static Number number(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15) {
      return (long) d;
    }
    return d;
  }

  /** Unwraps an OpenFeature value from the evaluation context into a plain value. */
  public static Object unwrap(Value v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isList()) {
      List<Value> values = v.asList();
      List<Object> out = new ArrayList<>(values.size());
      for (Value e : values) {
        out.add(unwrap(e));
      }
      return out;
    }
    if (v.isInstant()) {
      return v.asInstant().toString();
    }
    return v.asObject();
  }

  /** Reads member {@code key} (or index) of a plain or OpenFeature container; null when absent. */
  public static Object member(Object container, String key) {
    if (container instanceof Structure) {
      return unwrap(((Structure) container).getValue(key));
    }
    if (container instanceof Map) {
      return ((Map<?, ?>) container).get(key);
    }
    if (container instanceof List) {
      int index = parseIndex(key);
      List<?> list = (List<?>) container;
      return index >= 0 && index < list.size() ? list.get(index) : null;
    }
    if (container instanceof Value) {
      return member(unwrap((Value) container), key);
    }
    return null;
  }

  private static int parseIndex(String key) {
    if (key.isEmpty() || key.length() > 9) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
