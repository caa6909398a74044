package dev.burnguard.fuzz;

import dev.burnguard.internal.eval.TargetingCompiler;
import dev.burnguard.internal.json.JsonWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random flag files in flagd's format, most of them valid enough to load, many with something wrong:
 * every variant type, targeting over every operator (with wrong arities, wrong-typed arguments,
 * unknown operators, {@code $ref}s that resolve, dangle or loop, nesting past the reader's limit),
 * rollout plans right and wrong. Values are plain JSON values ({@link Map}, {@link List},
 * {@link String}, {@link Long}, {@link Double}, {@link BigDecimal} for numbers a double cannot hold,
 * {@link Boolean}, null), written out with {@link JsonWriter}.
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
  static Arbitrary<String> json() {
    return documents().map(JsonWriter::write);
  }

  /** A whole flag file as plain JSON values. */
  static Arbitrary<Map<String, Object>> documents() {
    Arbitrary<Map<String, Object>> flags = Arbitraries.maps(Arbitraries.of(FLAG_KEYS), flag()).ofMaxSize(5);
    Arbitrary<Map<String, Object>> evaluators = Arbitraries.frequencyOf(
        Tuple.of(30, Arbitraries.maps(Arbitraries.of(EVALUATOR_NAMES), targeting(3)).ofMaxSize(3)),
        Tuple.of(1, referenceChains()),
        Tuple.of(1, doublingReferences()));
    return Combinators.combine(flags, evaluators, metadata().injectNull(0.6), Arbitraries.<Map<String, Object>>of(
            Map.of(), Map.of("$schema", "https://flagd.dev/schema/v0/flags.json"), Map.of(), Map.of(), Map.of(),
            Map.of(), Map.of(), Map.of(), Map.of(), Map.of("unknown", 1)))
        .as((f, e, m, extra) -> {
          Map<String, Object> doc = new LinkedHashMap<>(extra);
          Map<String, Object> allFlags = new LinkedHashMap<>(f);
          if (!e.isEmpty()) {
            doc.put("$evaluators", e);
            // a flag sure to use the first evaluator, which random rules reach only now and then
            allFlags.put("uses-" + EVALUATOR_NAMES.get(0), object("state", "ENABLED", "variants",
                object("on", true, "off", false), "defaultVariant", "off", "targeting",
                object("if", listOf(object("$ref", EVALUATOR_NAMES.get(0)), "on", "off"))));
          }
          doc.put("flags", allFlags);
          if (m != null) {
            doc.put("metadata", m);
          }
          return doc;
        });
  }

  /**
   * Evaluators that refer to one another in a chain up to 80 long, each nesting its reference up to
   * 250 levels deep: a rule far deeper than any one JSON value may be.
   */
  static Arbitrary<Map<String, Object>> referenceChains() {
    return Combinators.combine(Arbitraries.integers().between(1, 80), Arbitraries.integers().between(1, 250))
        .as((length, levels) -> {
          Map<String, Object> evaluators = new LinkedHashMap<>();
          for (int i = 0; i < length; i++) {
            Object rule = i == length - 1 ? object("var", "email") : object("$ref", chainName(i + 1));
            for (int level = 0; level < levels; level++) {
              rule = object("!", listOf(rule));
            }
            evaluators.put(chainName(i), rule);
          }
          return evaluators;
        });
  }

  /** Evaluators each of which refers to the next one twice, up to 40 times: a rule of 2^40 operations. */
  static Arbitrary<Map<String, Object>> doublingReferences() {
    return Arbitraries.integers().between(1, 40).map(length -> {
      Map<String, Object> evaluators = new LinkedHashMap<>();
      for (int i = 0; i < length; i++) {
        Object next = i == length - 1 ? object("var", "email") : object("$ref", chainName(i + 1));
        evaluators.put(chainName(i), object("cat", listOf(next, next)));
      }
      return evaluators;
    });
  }

  /** The first link is the first evaluator name, so that random rules refer to it too. */
  private static String chainName(int i) {
    return i == 0 ? EVALUATOR_NAMES.get(0) : EVALUATOR_NAMES.get(0) + "-" + i;
  }

  /** One flag: its variants all of one type (sometimes not), and maybe targeting, metadata and a rollout. */
  static Arbitrary<Object> flag() {
    Arbitrary<Map<String, Object>> variants = Arbitraries.oneOf(
        variants(Arbitraries.of(true, false)),
        variants(strings()),
        variants(numbers()),
        variants(objects(3)),
        variants(jsonValue(2)));
    Arbitrary<Object> state = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.just("ENABLED")),
        Tuple.of(2, Arbitraries.just("DISABLED")),
        Tuple.of(1, jsonValue(1)));
    Arbitrary<Object> defaultVariant = Arbitraries.oneOf(Arbitraries.of(VARIANT_NAMES), jsonValue(1));
    Arbitrary<Object> targeting = Arbitraries.frequencyOf(Tuple.of(16, targeting(4)), Tuple.of(1, deepTargeting()),
        Tuple.of(1, jsonValue(1)));
    return Combinators.combine(state, variants, defaultVariant.injectNull(0.2), targeting.injectNull(0.3),
            metadata().injectNull(0.7), rollout().injectNull(0.6), Arbitraries.integers().between(0, 20))
        .as((s, v, d, t, m, r, oddity) -> {
          Map<String, Object> flag = new LinkedHashMap<>();
          if (oddity != 1) {
            flag.put("state", s);
          }
          if (oddity != 2) {
            flag.put("variants", v);
          }
          flag.put("defaultVariant", d);
          if (t != null) {
            flag.put("targeting", t);
          }
          if (m != null) {
            flag.put("metadata", m);
          }
          if (r != null) {
            flag.put("rollout", r);
          }
          if (oddity == 3) {
            flag.put("unknown", true);
          }
          return flag;
        });
  }

  private static Arbitrary<Map<String, Object>> variants(Arbitrary<?> values) {
    return Arbitraries.maps(Arbitraries.of(VARIANT_NAMES), values.map(v -> (Object) v)).ofMinSize(1).ofMaxSize(4);
  }

  /**
   * A targeting rule: an operation with arguments of any kind and number (a list, a bare value or
   * nothing), a literal, or a {@code $ref}; {@code depth} bounds nested operations.
   */
  static Arbitrary<Object> targeting(int depth) {
    Arbitrary<Object> leaf = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(VARIANT_NAMES).map(v -> (Object) v)),
        Tuple.of(4, variable()),
        Tuple.of(3, jsonValue(1)),
        Tuple.of(1, reference()));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<Object> sub = Arbitraries.lazy(() -> targeting(depth - 1));
    Arbitrary<String> op = Arbitraries.frequencyOf(
        Tuple.of(20, Arbitraries.of(OPERATORS)),
        Tuple.of(1, Arbitraries.of("regex", "", "IF", "$ref", "var ")));
    Arbitrary<Object> operation = Combinators.combine(op, sub.list().ofMaxSize(4), Arbitraries.integers().between(0, 9))
        .as((o, args, form) -> {
          // mostly a list of arguments; sometimes one bare argument, none, or an object
          Object argument = form == 0 ? (args.isEmpty() ? null : args.get(0))
              : form == 1 ? Map.of() : args;
          return object(o, argument);
        });
    return Arbitraries.frequencyOf(
        Tuple.of(3, leaf),
        Tuple.of(6, operation),
        Tuple.of(2, fractional(sub)),
        Tuple.of(2, semVer(sub)),
        Tuple.of(1, twoOperators(sub)),
        Tuple.of(2, sub.list().ofMaxSize(3).map(l -> (Object) l)));
  }

  /** A rule nested 200 to 300 levels deep: around the JSON reader's limit of 256. */
  static Arbitrary<Object> deepTargeting() {
    return Combinators.combine(Arbitraries.integers().between(200, 300), Arbitraries.of("!", "!!", "if", "and", "cat"),
        targeting(1)).as((levels, op, inner) -> {
          Object rule = inner;
          for (int i = 0; i < levels; i++) {
            rule = object(op, listOf(rule));
          }
          return rule;
        });
  }

  private static Arbitrary<Object> variable() {
    Arbitrary<Object> path = Arbitraries.oneOf(Arbitraries.of(VAR_PATHS).map(p -> (Object) p),
        Arbitraries.of(0L, 1L, -1L, 2.5).map(n -> (Object) n));
    return Arbitraries.oneOf(
        path.map(p -> (Object) object("var", p)),
        Combinators.combine(path, jsonValue(1)).as((p, d) -> (Object) Map.of("var", listOf(p, d))),
        path.map(p -> (Object) Map.of("var", List.of(p))),
        Arbitraries.just(Map.of("var", List.of())));
  }

  private static Arbitrary<Object> reference() {
    return Arbitraries.oneOf(Arbitraries.of(EVALUATOR_NAMES).map(n -> (Object) n), Arbitraries.of("absent", 3L))
        .map(n -> Map.of("$ref", n));
  }

  /** flagd's fractional: an optional bucketing key, then buckets [variant, weight] of every shape. */
  private static Arbitrary<Object> fractional(Arbitrary<Object> sub) {
    Arbitrary<Object> weight = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.longs().between(-5, 100).map(w -> (Object) w)),
        Tuple.of(1, Arbitraries.of(0.5, 1e10, -0.0, (double) Integer.MAX_VALUE).map(w -> (Object) w)),
        Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, (long) Integer.MAX_VALUE).map(w -> (Object) w)),
        Tuple.of(1, sub));
    Arbitrary<Object> bucket = Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(VARIANT_NAMES), weight).as((v, w) -> (Object) listOf(v, w)),
        Arbitraries.of(VARIANT_NAMES).map(v -> (Object) List.of(v)),
        sub.list().ofMaxSize(3).map(l -> (Object) l));
    Arbitrary<Object> key = Arbitraries.oneOf(variable(), Arbitraries.of("fixed-key", "").map(k -> (Object) k), sub);
    return Combinators.combine(key.injectNull(0.5), bucket.list().ofMaxSize(4))
        .as((k, buckets) -> {
          List<Object> args = new ArrayList<>();
          if (k != null) {
            args.add(k);
          }
          args.addAll(buckets);
          return Map.of("fractional", args);
        });
  }

  private static Arbitrary<Object> semVer(Arbitrary<Object> sub) {
    Arbitrary<Object> version = Arbitraries.oneOf(
        Arbitraries.of("1.2.3", "v2.0.0-rc.1+build.5", "1.2", "01.2.3", "1.2.3-", "99999999999999999999.0.0", "",
            "1.0.0-alpha.01").map(v -> (Object) v),
        Arbitraries.of(1L, 2.5).map(v -> (Object) v),
        Arbitraries.just(Map.of("var", "version")),
        sub);
    Arbitrary<Object> op = Arbitraries.oneOf(Arbitraries.of("=", "!=", "<", "<=", ">", ">=", "^", "~", "≈", "")
        .map(o -> (Object) o), sub);
    return Combinators.combine(version, op, version, Arbitraries.integers().between(0, 5))
        .as((l, o, r, arity) -> object("sem_ver", arity == 0 ? listOf(l, o) : arity == 1 ? listOf(l, o, r, r)
            : listOf(l, o, r)));
  }

  /** An object with two operator keys, which no operation may have. */
  private static Arbitrary<Object> twoOperators(Arbitrary<Object> sub) {
    return Combinators.combine(sub, sub).as((a, b) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("if", a);
      m.put("var", b);
      return m;
    });
  }

  /** A rollout member: a valid plan, one with a few members wrong, or any JSON value. */
  static Arbitrary<Object> rollout() {
    Arbitrary<Object> duration = Arbitraries.oneOf(
        Arbitraries.of("1m", "5m", "15s", "1h", "6h", "30m", "300ms", "PT5M", "P2D", "1h30m", "2d", "PT0.5S")
            .map(d -> (Object) d),
        Arbitraries.of("0s", "-5m", "5x", "", "99999999999999999999d", "PT", "P", "1m1h", "9223372036854775807ms")
            .map(d -> (Object) d),
        jsonValue(0));
    Arbitrary<Object> percent = Arbitraries.oneOf(Arbitraries.of(99.9, 99L, 95.5, 50L, 1L, 0.999, 100L, 0L, -1L)
        .map(p -> (Object) p), Arbitraries.just(new BigDecimal("1e400")), jsonValue(0));
    Arbitrary<Object> exposure = Arbitraries.oneOf(Arbitraries.of(1L, 5L, 25L, 50L, 100L, 0.5, 0L, 101L, -3L)
        .map(e -> (Object) e), jsonValue(0));
    Arbitrary<Object> stage = Combinators.combine(exposure, duration.injectNull(0.5),
            Arbitraries.oneOf(Arbitraries.longs().between(-1, 5000).map(n -> (Object) n), jsonValue(0)).injectNull(0.5))
        .as((e, b, n) -> {
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("exposure", e);
          if (b != null) {
            s.put("bake", b);
          }
          if (n != null) {
            s.put("minSamples", n);
          }
          return s;
        });
    Arbitrary<Object> stages = Arbitraries.oneOf(stage.list().ofMaxSize(4).map(l -> (Object) l),
        Arbitraries.just(List.of(Map.of("exposure", 10L), Map.of("exposure", 100L))), jsonValue(1));
    Arbitrary<Object> slo = Combinators.combine(percent, Combinators.combine(duration, percent)
            .as((t, o) -> (Object) object("threshold", t, "objective", o)).injectNull(0.5))
        .as((a, l) -> l == null ? object("availability", a) : object("availability", a, "latency", l));
    Arbitrary<Object> rule = Combinators.combine(duration, duration,
            Arbitraries.oneOf(Arbitraries.of(14.4, 6L, 1L, 0L, -2.0).map(f -> (Object) f), jsonValue(0)),
            Arbitraries.oneOf(Arbitraries.of("rollback", "shrink", "ROLLBACK").map(a -> (Object) a), jsonValue(0)))
        .as((l, s, f, a) -> (Object) object("long", l, "short", s, "factor", f, "action", a));
    Arbitrary<Object> plan = Combinators.combine(Arbitraries.of(VARIANT_NAMES), Arbitraries.of(VARIANT_NAMES),
            stages.injectNull(0.3), slo.injectNull(0.5), rule.list().ofMaxSize(3).injectNull(0.5),
            Arbitraries.oneOf(Arbitraries.of("enforce", "dry-run", "off").map(m -> (Object) m), jsonValue(0))
                .injectNull(0.6),
            Arbitraries.oneOf(Arbitraries.of(0.05, 0.5, 0L, 2L).map(a -> (Object) a), jsonValue(0)).injectNull(0.7),
            Arbitraries.integers().between(0, 12))
        .as((control, candidate, st, sl, ru, mode, alpha, extra) -> {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("control", control);
          p.put("candidate", candidate);
          putIfNotNull(p, "stages", st);
          putIfNotNull(p, "slo", sl);
          putIfNotNull(p, "rules", ru);
          putIfNotNull(p, "mode", mode);
          putIfNotNull(p, "alpha", alpha);
          switch (extra) {
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
        });
    return Arbitraries.frequencyOf(Tuple.of(6, plan), Tuple.of(1, jsonValue(1)));
  }

  private static Arbitrary<Map<String, Object>> metadata() {
    Arbitrary<Object> value = Arbitraries.frequencyOf(Tuple.of(5, strings()), Tuple.of(5, numbers()),
        Tuple.of(5, Arbitraries.of(true, false).map(b -> (Object) b)), Tuple.of(1, jsonValue(1)));
    Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of("owner", "team", "burnguard.guarded", "version"),
        Arbitraries.strings().ofMaxLength(5));
    return Arbitraries.maps(key, value).ofMaxSize(3);
  }

  /** Strings a flag file might hold, including empty, unicode, control characters and long ones. */
  static Arbitrary<Object> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(VARIANT_NAMES).map(s -> (Object) s)),
        Tuple.of(3, Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s)),
        Tuple.of(1, Arbitraries.of("", "1.2.3", "12px", " 7 ", "Infinity", "-0", "1e3", "\u0000\"\\",
            "a@example.com").map(s -> (Object) s)),
        Tuple.of(1, Arbitraries.strings().ofMinLength(1).ofMaxLength(4).map(s -> (Object) s.repeat(1_250))));
  }

  /** JSON numbers: integers of every size, fractions, and literals beyond a double's range. */
  static Arbitrary<Object> numbers() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.longs().map(n -> (Object) n)),
        Tuple.of(3, Arbitraries.doubles().map(n -> (Object) n)),
        Tuple.of(2, Arbitraries.of(0L, -1L, 1L, (long) Integer.MAX_VALUE + 1, Long.MIN_VALUE,
            -0.0, 1e300, 4.9e-324, 9.2e18, 2.5).map(n -> (Object) n)),
        Tuple.of(1, Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-1e400"),
            new BigDecimal("123456789012345678901234567890")).map(n -> (Object) n)));
  }

  /** JSON objects and arrays of depth up to {@code depth}. */
  static Arbitrary<Object> objects(int depth) {
    Arbitrary<Object> member = depth == 0 ? scalar() : Arbitraries.lazy(() -> jsonValue(depth - 1));
    return Arbitraries.oneOf(
        Arbitraries.maps(Arbitraries.strings().ofMaxLength(4), member).ofMaxSize(3).map(m -> (Object) m),
        member.list().ofMaxSize(3).map(l -> (Object) l));
  }

  /** Any JSON value of depth up to {@code depth}. */
  static Arbitrary<Object> jsonValue(int depth) {
    return depth == 0 ? scalar() : Arbitraries.oneOf(scalar(), objects(depth));
  }

  private static Arbitrary<Object> scalar() {
    return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.of(true, false).map(b -> (Object) b), strings(),
        numbers());
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
