package dev.burnguard.fuzz;

import dev.burnguard.internal.eval.TargetingCompiler;
import dev.burnguard.internal.json.JsonWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Random flag files in flagd's format, most of them valid enough to load, many with something wrong:
 * every variant type, targeting over every operator (with wrong arities, wrong-typed arguments,
 * unknown operators, {@code $ref}s that resolve, dangle or loop, nesting past the reader's limit),
 * rollout plans right and wrong. Values are plain JSON values ({@link Map}, {@link List},
 * {@link String}, {@link Long}, {@link Double}, {@link BigDecimal} for numbers a double cannot hold,
 * {@link Boolean}, null), written out with {@link JsonWriter}. Every choice comes from an
 * {@link Entropy}: a seeded random generator or a fuzzer's input.
 */
final class FlagFiles {
  private FlagFiles() {}

  /** Flag keys; the last ones are awkward in JSON paths. */
  static final List<String> FLAG_KEYS = List.of("checkout", "banner", "price", "config", "a.b", "it's", "", "ü ✓");
  /** Variant names that targeting rules also return, so that many rules pick a variant. */
  static final List<String> VARIANT_NAMES = List.of("on", "off", "true", "false", "red", "blue", "v1", "v2");
  static final List<String> EVALUATOR_NAMES = List.of("internal", "beta", "loop", "deep");
  /** What {@code var} reads: the context's attributes (see {@link Contexts}), flagd's own, and paths that miss. */
  static final List<String> VAR_PATHS = List.of("targetingKey", "email", "age", "version", "tier", "tags",
      "tags.0", "profile.address.city", "profile", "nested", "nested.next.next.value", "score", "when", "nothing",
      "$flagd.flagKey", "$flagd.timestamp", "$flagd", "$flagd.other", "", ".", "a..b", "current", "accumulator");
  private static final List<String> OPERATORS = new ArrayList<>(TargetingCompiler.OPERATORS);

  /** A whole flag file as JSON text. */
  static String json(Entropy e) {
    return JsonWriter.write(document(e));
  }

  /** A whole flag file as plain JSON values. */
  static Map<String, Object> document(Entropy e) {
    Map<String, Object> flags = e.map(0, 5, () -> e.pick(FLAG_KEYS), () -> flag(e));
    Map<String, Object> evaluators = e.weighted(
        30, (Supplier<Map<String, Object>>) () -> e.map(0, 3, () -> e.pick(EVALUATOR_NAMES), () -> targeting(e, 3)),
        1, (Supplier<Map<String, Object>>) () -> referenceChain(e.between(1, 80), e.between(1, 250)),
        1, (Supplier<Map<String, Object>>) () -> doublingReferences(e.between(1, 40)));
    Map<String, Object> metadata = e.orNull(0.6, () -> metadata(e));
    Map<String, Object> doc = new LinkedHashMap<>(e.<Map<String, Object>>pick(
        Map.of(), Map.of("$schema", "https://flagd.dev/schema/v0/flags.json"), Map.of(), Map.of(), Map.of(),
        Map.of(), Map.of(), Map.of(), Map.of(), Map.of("unknown", 1)));
    Map<String, Object> allFlags = new LinkedHashMap<>(flags);
    if (!evaluators.isEmpty()) {
      doc.put("$evaluators", evaluators);
      // a flag sure to use the first evaluator, which random rules reach only now and then
      allFlags.put("uses-" + EVALUATOR_NAMES.get(0), object("state", "ENABLED", "variants",
          object("on", true, "off", false), "defaultVariant", "off", "targeting",
          object("if", listOf(object("$ref", EVALUATOR_NAMES.get(0)), "on", "off"))));
    }
    doc.put("flags", allFlags);
    if (metadata != null) {
      doc.put("metadata", metadata);
    }
    return doc;
  }

  /**
   * Evaluators that refer to one another in a chain {@code length} long (the CI runs draw up to 80),
   * each nesting its reference {@code levels} deep (up to 250): a rule far deeper than any one JSON
   * value may be. Once overflowed the parser's stack.
   */
  static Map<String, Object> referenceChain(int length, int levels) {
    Map<String, Object> evaluators = new LinkedHashMap<>();
    for (int i = 0; i < length; i++) {
      Object rule = i == length - 1 ? object("var", "email") : object("$ref", chainName(i + 1));
      for (int level = 0; level < levels; level++) {
        rule = object("!", listOf(rule));
      }
      evaluators.put(chainName(i), rule);
    }
    return evaluators;
  }

  /**
   * {@code length} evaluators each of which refers to the next one twice (the runs draw up to 40): a
   * rule of 2^40 operations. Once made loading run forever.
   */
  static Map<String, Object> doublingReferences(int length) {
    Map<String, Object> evaluators = new LinkedHashMap<>();
    for (int i = 0; i < length; i++) {
      Object next = i == length - 1 ? object("var", "email") : object("$ref", chainName(i + 1));
      evaluators.put(chainName(i), object("cat", listOf(next, next)));
    }
    return evaluators;
  }

  /** The first link is the first evaluator name, so that random rules refer to it too. */
  private static String chainName(int i) {
    return i == 0 ? EVALUATOR_NAMES.get(0) : EVALUATOR_NAMES.get(0) + "-" + i;
  }

  /** One flag: its variants all of one type (sometimes not), and maybe targeting, metadata and a rollout. */
  static Object flag(Entropy e) {
    Object state = e.weighted(8, (Supplier<Object>) () -> "ENABLED", 2, (Supplier<Object>) () -> "DISABLED",
        1, (Supplier<Object>) () -> jsonValue(e, 1));
    Map<String, Object> variants;
    switch (e.between(0, 4)) {
      case 0: variants = variants(e, () -> e.bool()); break;
      case 1: variants = variants(e, () -> strings(e)); break;
      case 2: variants = variants(e, () -> numbers(e)); break;
      case 3: variants = variants(e, () -> objects(e, 3)); break;
      default: variants = variants(e, () -> jsonValue(e, 2)); break;
    }
    Object defaultVariant = e.orNull(0.2, () -> e.bool() ? e.pick(VARIANT_NAMES) : jsonValue(e, 1));
    Object targeting = e.orNull(0.3, () -> e.weighted(16, (Supplier<Object>) () -> targeting(e, 4),
        1, (Supplier<Object>) () -> deepTargeting(e), 1, (Supplier<Object>) () -> jsonValue(e, 1)));
    Object metadata = e.orNull(0.7, () -> metadata(e));
    Object rollout = e.orNull(0.6, () -> rollout(e));
    int oddity = e.between(0, 20);
    Map<String, Object> flag = new LinkedHashMap<>();
    if (oddity != 1) {
      flag.put("state", state);
    }
    if (oddity != 2) {
      flag.put("variants", variants);
    }
    flag.put("defaultVariant", defaultVariant);
    putIfNotNull(flag, "targeting", targeting);
    putIfNotNull(flag, "metadata", metadata);
    putIfNotNull(flag, "rollout", rollout);
    if (oddity == 3) {
      flag.put("unknown", true);
    }
    return flag;
  }

  private static Map<String, Object> variants(Entropy e, Supplier<Object> values) {
    return e.map(1, 4, () -> e.pick(VARIANT_NAMES), values);
  }

  /**
   * A targeting rule: an operation with arguments of any kind and number (a list, a bare value or
   * nothing), a literal, or a {@code $ref}; {@code depth} bounds nested operations.
   */
  static Object targeting(Entropy e, int depth) {
    if (depth == 0) {
      return leaf(e);
    }
    Supplier<Object> sub = () -> targeting(e, depth - 1);
    return e.weighted(
        3, (Supplier<Object>) () -> leaf(e),
        6, (Supplier<Object>) () -> {
          String op = e.weighted(20, (Supplier<String>) () -> e.pick(OPERATORS),
              1, (Supplier<String>) () -> e.pick("regex", "", "IF", "$ref", "var "));
          List<Object> args = e.list(0, 4, sub);
          int form = e.between(0, 9);
          // mostly a list of arguments; sometimes one bare argument, none, or an object
          Object argument = form == 0 ? (args.isEmpty() ? null : args.get(0)) : form == 1 ? Map.of() : args;
          return object(op, argument);
        },
        2, (Supplier<Object>) () -> fractional(e, sub),
        2, (Supplier<Object>) () -> semVer(e, sub),
        1, (Supplier<Object>) () -> twoOperators(sub),
        2, (Supplier<Object>) () -> e.list(0, 3, sub));
  }

  private static Object leaf(Entropy e) {
    return e.weighted(
        4, (Supplier<Object>) () -> e.pick(VARIANT_NAMES),
        4, (Supplier<Object>) () -> variable(e),
        3, (Supplier<Object>) () -> jsonValue(e, 1),
        1, (Supplier<Object>) () -> Map.of("$ref", e.bool() ? e.pick(EVALUATOR_NAMES) : e.pick("absent", 3L)));
  }

  /** A rule nested 200 to 300 levels deep: around the JSON reader's limit of 256. */
  static Object deepTargeting(Entropy e) {
    int levels = e.between(200, 300);
    String op = e.pick("!", "!!", "if", "and", "cat");
    Object rule = targeting(e, 1);
    for (int i = 0; i < levels; i++) {
      rule = object(op, listOf(rule));
    }
    return rule;
  }

  private static Object variable(Entropy e) {
    Supplier<Object> path = () -> e.bool() ? e.pick(VAR_PATHS) : e.pick(0L, 1L, -1L, 2.5);
    switch (e.between(0, 3)) {
      case 0: return object("var", path.get());
      case 1: return Map.of("var", listOf(path.get(), jsonValue(e, 1)));
      case 2: return Map.of("var", List.of(path.get()));
      default: return Map.of("var", List.of());
    }
  }

  /** flagd's fractional: an optional bucketing key, then buckets [variant, weight] of every shape. */
  private static Object fractional(Entropy e, Supplier<Object> sub) {
    Supplier<Object> weight = () -> e.weighted(
        6, (Supplier<Object>) () -> (long) e.between(-5, 100),
        1, (Supplier<Object>) () -> e.pick(0.5, 1e10, -0.0, (double) Integer.MAX_VALUE),
        1, (Supplier<Object>) () -> e.pick(Long.MAX_VALUE, (long) Integer.MAX_VALUE),
        1, sub);
    Supplier<Object> bucket = () -> {
      switch (e.between(0, 2)) {
        case 0: return listOf(e.pick(VARIANT_NAMES), weight.get());
        case 1: return List.of(e.pick(VARIANT_NAMES));
        default: return e.list(0, 3, sub);
      }
    };
    Object key = e.orNull(0.5, () -> {
      switch (e.between(0, 2)) {
        case 0: return variable(e);
        case 1: return e.pick("fixed-key", "");
        default: return sub.get();
      }
    });
    List<Object> args = new ArrayList<>();
    if (key != null) {
      args.add(key);
    }
    args.addAll(e.list(0, 4, bucket));
    return Map.of("fractional", args);
  }

  private static Object semVer(Entropy e, Supplier<Object> sub) {
    Supplier<Object> version = () -> {
      switch (e.between(0, 3)) {
        case 0: return e.pick("1.2.3", "v2.0.0-rc.1+build.5", "1.2", "01.2.3", "1.2.3-", "99999999999999999999.0.0", "",
            "1.0.0-alpha.01");
        case 1: return e.pick(1L, 2.5);
        case 2: return Map.of("var", "version");
        default: return sub.get();
      }
    };
    Object l = version.get();
    Object o = e.bool() ? e.pick("=", "!=", "<", "<=", ">", ">=", "^", "~", "≈", "") : sub.get();
    Object r = version.get();
    int arity = e.between(0, 5);
    return object("sem_ver", arity == 0 ? listOf(l, o) : arity == 1 ? listOf(l, o, r, r) : listOf(l, o, r));
  }

  /** An object with two operator keys, which no operation may have. */
  private static Object twoOperators(Supplier<Object> sub) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("if", sub.get());
    m.put("var", sub.get());
    return m;
  }

  /** A rollout member: a valid plan, one with a few members wrong, or any JSON value. */
  static Object rollout(Entropy e) {
    if (e.between(0, 6) == 0) {
      return jsonValue(e, 1);
    }
    Supplier<Object> duration = () -> {
      switch (e.between(0, 2)) {
        case 0: return e.pick("1m", "5m", "15s", "1h", "6h", "30m", "300ms", "PT5M", "P2D", "1h30m", "2d", "PT0.5S");
        case 1: return e.pick("0s", "-5m", "5x", "", "99999999999999999999d", "PT", "P", "1m1h",
            "9223372036854775807ms");
        default: return jsonValue(e, 0);
      }
    };
    Supplier<Object> percent = () -> {
      switch (e.between(0, 2)) {
        case 0: return e.pick(99.9, 99L, 95.5, 50L, 1L, 0.999, 100L, 0L, -1L);
        case 1: return new BigDecimal("1e400");
        default: return jsonValue(e, 0);
      }
    };
    Supplier<Object> stage = () -> {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("exposure", e.bool() ? e.pick(1L, 5L, 25L, 50L, 100L, 0.5, 0L, 101L, -3L) : jsonValue(e, 0));
      putIfNotNull(s, "bake", e.orNull(0.5, duration));
      putIfNotNull(s, "minSamples", e.orNull(0.5, () -> e.bool() ? (Object) (long) e.between(-1, 5000)
          : jsonValue(e, 0)));
      return s;
    };
    Supplier<Object> stages = () -> {
      switch (e.between(0, 2)) {
        case 0: return e.list(0, 4, stage);
        case 1: return List.of(Map.of("exposure", 10L), Map.of("exposure", 100L));
        default: return jsonValue(e, 1);
      }
    };
    Supplier<Object> slo = () -> {
      Object availability = percent.get();
      Object latency = e.orNull(0.5, () -> object("threshold", duration.get(), "objective", percent.get()));
      return latency == null ? object("availability", availability)
          : object("availability", availability, "latency", latency);
    };
    Supplier<Object> rule = () -> object("long", duration.get(), "short", duration.get(),
        "factor", e.bool() ? e.pick(14.4, 6L, 1L, 0L, -2.0) : jsonValue(e, 0),
        "action", e.bool() ? e.pick("rollback", "shrink", "ROLLBACK") : jsonValue(e, 0));
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("control", e.pick(VARIANT_NAMES));
    p.put("candidate", e.pick(VARIANT_NAMES));
    putIfNotNull(p, "stages", e.orNull(0.3, stages));
    putIfNotNull(p, "slo", e.orNull(0.5, slo));
    putIfNotNull(p, "rules", e.orNull(0.5, () -> e.list(0, 3, rule)));
    putIfNotNull(p, "mode", e.orNull(0.6, () -> e.bool() ? e.pick("enforce", "dry-run", "off") : jsonValue(e, 0)));
    putIfNotNull(p, "alpha", e.orNull(0.7, () -> e.bool() ? e.pick(0.05, 0.5, 0L, 2L) : jsonValue(e, 0)));
    switch (e.between(0, 12)) {
      case 0: p.put("maxShrinks", 3L); break;
      case 1: p.put("maxShrinks", 1e12); break;
      case 2: p.put("coolDown", "2m"); break;
      case 3: p.put("watch", "10m"); break;
      case 4: p.put("sharedCauseRatio", 0.5); break;
      case 5: p.put("sharedCauseRatio", -1L); break;
      case 6: p.put("surprise", true); break;
      case 7: p.remove("control"); break;
      default: break;
    }
    return p;
  }

  private static Map<String, Object> metadata(Entropy e) {
    return e.map(0, 3, () -> e.bool() ? e.pick("owner", "team", "burnguard.guarded", "version") : e.string(5),
        () -> e.weighted(5, (Supplier<Object>) () -> strings(e), 5, (Supplier<Object>) () -> numbers(e),
            5, (Supplier<Object>) () -> e.bool(), 1, (Supplier<Object>) () -> jsonValue(e, 1)));
  }

  /** Strings a flag file might hold, including empty, unicode, control characters and long ones. */
  static Object strings(Entropy e) {
    return e.weighted(
        4, (Supplier<Object>) () -> e.pick(VARIANT_NAMES),
        3, (Supplier<Object>) () -> e.string(12),
        1, (Supplier<Object>) () -> e.pick("", "1.2.3", "12px", " 7 ", "Infinity", "-0", "1e3", "\u0000\"\\",
            "a@example.com"),
        1, (Supplier<Object>) () -> e.string(1, 4).repeat(1_250));
  }

  /** JSON numbers: integers of every size, fractions, and literals beyond a double's range. */
  static Object numbers(Entropy e) {
    return e.weighted(
        4, (Supplier<Object>) () -> e.anyLong(),
        3, (Supplier<Object>) () -> e.anyDouble(),
        2, (Supplier<Object>) () -> e.pick(0L, -1L, 1L, (long) Integer.MAX_VALUE + 1, Long.MIN_VALUE,
            -0.0, 1e300, 4.9e-324, 9.2e18, 2.5),
        1, (Supplier<Object>) () -> e.pick(new BigDecimal("1e400"), new BigDecimal("-1e400"),
            new BigDecimal("123456789012345678901234567890")));
  }

  /** JSON objects and arrays of depth up to {@code depth}. */
  static Object objects(Entropy e, int depth) {
    Supplier<Object> member = depth == 0 ? () -> scalar(e) : () -> jsonValue(e, depth - 1);
    return e.bool() ? e.map(0, 3, () -> e.string(4), member) : e.list(0, 3, member);
  }

  /** Any JSON value of depth up to {@code depth}. */
  static Object jsonValue(Entropy e, int depth) {
    return depth == 0 || e.bool() ? scalar(e) : objects(e, depth);
  }

  private static Object scalar(Entropy e) {
    switch (e.between(0, 3)) {
      case 0: return null;
      case 1: return e.bool();
      case 2: return strings(e);
      default: return numbers(e);
    }
  }

  private static List<Object> listOf(Object... elements) {
    List<Object> list = new ArrayList<>();
    for (Object e : elements) {
      list.add(e);
    }
    return list;
  }

  /** A JSON object of the given members, in order; values may be null. */
  private static Map<String, Object> object(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static void putIfNotNull(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
