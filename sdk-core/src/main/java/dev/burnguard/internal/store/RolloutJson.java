package dev.burnguard.internal.store;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.Decision.RuleCheck;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rollout values ({@link RolloutState}, {@link Decision} with its {@link RuleCheck} evidence and
 * {@link BurnRateRule}s) to and from the plain values of {@link JsonReader} / {@link JsonWriter}.
 *
 * <p>Every record component is written, under its component name, so that reading gives back an
 * equal value: instants and durations as ISO-8601 strings ({@link Instant#toString()},
 * {@link Duration#toString()}), enums by name, absent values as {@code null}. Doubles are written
 * with {@link Double#toString(double)}, which {@link Double#parseDouble} reads back to the same
 * bits; the non-finite values JSON has no number for (a burn rate over zero calls is NaN) are the
 * strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}. Longs whose decimal form
 * {@link JsonReader} would read as a double (20 characters: below -10^18 + 1) are written as
 * strings. {@link #write} escapes every non-ASCII character, so the output is ASCII and lone
 * surrogates survive.
 *
 * <p>Reading is strict about the members it knows (each must be present with the right type) and
 * ignores members it does not, so a newer writer's additions do not break an older reader. Errors
 * are {@link IllegalArgumentException}s naming the JSON path. Internal, not for public use.
 */
public final class RolloutJson {
  private RolloutJson() {}

  /** Compact, ASCII-only JSON for a plain value built by this class. */
  public static String write(Object plain) {
    String json = JsonWriter.write(plain);
    StringBuilder sb = null;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c >= 0x80) {
        if (sb == null) {
          sb = new StringBuilder(json.length() + 16).append(json, 0, i);
        }
        // outside strings JSON is ASCII, so every such character is inside a string
        sb.append(String.format("\\u%04x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? json : sb.toString();
  }

  // ---------------------------------------------------------------- writing

  public static Map<String, Object> state(RolloutState s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("flagKey", s.flagKey());
    m.put("planFingerprint", s.planFingerprint());
    m.put("status", s.status().name());
    m.put("stage", (long) s.stage());
    m.put("exposure", number(s.exposure()));
    m.put("shrinks", (long) s.shrinks());
    m.put("stageStartedAt", s.stageStartedAt().toString());
    m.put("until", s.until() == null ? null : s.until().toString());
    m.put("pausedStatus", s.pausedStatus() == null ? null : s.pausedStatus().name());
    m.put("version", number(s.version()));
    m.put("evidenceSince", s.evidenceSince() == null ? null : s.evidenceSince().toString());
    m.put("planRemovedAt", s.planRemovedAt() == null ? null : s.planRemovedAt().toString());
    return m;
  }

  public static Map<String, Object> decision(Decision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("flagKey", d.flagKey());
    m.put("at", d.at().toString());
    m.put("action", d.action().name());
    m.put("actor", d.actor());
    m.put("applied", d.applied());
    m.put("reason", d.reason());
    List<Object> evidence = new ArrayList<>(d.evidence().size());
    for (RuleCheck c : d.evidence()) {
      evidence.add(ruleCheck(c));
    }
    m.put("evidence", evidence);
    m.put("before", d.before() == null ? null : state(d.before()));
    m.put("after", state(d.after()));
    return m;
  }

  public static Map<String, Object> ruleCheck(RuleCheck c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", rule(c.rule()));
    m.put("sli", c.sli());
    m.put("budget", number(c.budget()));
    m.put("candidateCallsLong", number(c.candidateCallsLong()));
    m.put("candidateBadLong", number(c.candidateBadLong()));
    m.put("burnLong", number(c.burnLong()));
    m.put("candidateCallsShort", number(c.candidateCallsShort()));
    m.put("candidateBadShort", number(c.candidateBadShort()));
    m.put("burnShort", number(c.burnShort()));
    m.put("controlCallsShort", number(c.controlCallsShort()));
    m.put("controlBadShort", number(c.controlBadShort()));
    m.put("controlBurnShort", number(c.controlBurnShort()));
    m.put("burning", c.burning());
    m.put("logLikelihoodRatio", number(c.logLikelihoodRatio()));
    m.put("testThreshold", number(c.testThreshold()));
    m.put("sharedCause", c.sharedCause());
    return m;
  }

  public static Map<String, Object> rule(BurnRateRule r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("longWindow", r.longWindow().toString());
    m.put("shortWindow", r.shortWindow().toString());
    m.put("factor", number(r.factor()));
    m.put("action", r.action().name());
    return m;
  }

  /** A double as a JSON number, or as a string for the values JSON has no number for. */
  static Object number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Infinity" : "-Infinity";
    }
    return v; // JsonWriter appends Double.toString(v), which always has a '.' or an exponent
  }

  /** A long as a JSON number, or as a string when JsonReader would read the number as a double. */
  static Object number(long v) {
    String s = Long.toString(v);
    return s.length() > 19 ? s : (Object) v;
  }

  // ---------------------------------------------------------------- reading

  /** Reads a state written by {@link #state(RolloutState)}; {@code path} names it in errors. */
  public static RolloutState readState(Object json, String path) {
    Members m = Members.of(json, path);
    String flagKey = m.string("flagKey");
    String planFingerprint = m.string("planFingerprint");
    RolloutStatus status = m.enumValue("status", RolloutStatus.class);
    int stage = m.integer("stage");
    double exposure = m.decimal("exposure");
    int shrinks = m.integer("shrinks");
    Instant stageStartedAt = m.instant("stageStartedAt");
    Instant until = m.optionalInstant("until");
    RolloutStatus pausedStatus = m.optionalEnum("pausedStatus", RolloutStatus.class);
    long version = m.longValue("version");
    // absent in states written before these fields existed
    Instant evidenceSince = m.has("evidenceSince") ? m.optionalInstant("evidenceSince") : null;
    Instant planRemovedAt = m.has("planRemovedAt") ? m.optionalInstant("planRemovedAt") : null;
    try {
      return new RolloutState(flagKey, planFingerprint, status, stage, exposure, shrinks, stageStartedAt, until,
          pausedStatus, version, evidenceSince, planRemovedAt);
    } catch (IllegalArgumentException e) {
      throw m.invalid(e);
    }
  }

  /** Reads a decision written by {@link #decision(Decision)}. */
  public static Decision readDecision(Object json, String path) {
    Members m = Members.of(json, path);
    String flagKey = m.string("flagKey");
    Instant at = m.instant("at");
    DecisionAction action = m.enumValue("action", DecisionAction.class);
    String actor = m.string("actor");
    boolean applied = m.bool("applied");
    String reason = m.string("reason");
    List<?> list = m.list("evidence");
    List<RuleCheck> evidence = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      evidence.add(readRuleCheck(list.get(i), path + ".evidence[" + i + "]"));
    }
    Object before = m.value("before");
    RolloutState beforeState = before == null ? null : readState(before, path + ".before");
    RolloutState afterState = readState(m.required("after"), path + ".after");
    try {
      return new Decision(flagKey, at, action, actor, applied, reason, evidence, beforeState, afterState);
    } catch (IllegalArgumentException e) {
      throw m.invalid(e);
    }
  }

  public static RuleCheck readRuleCheck(Object json, String path) {
    Members m = Members.of(json, path);
    BurnRateRule rule = readRule(m.required("rule"), path + ".rule");
    return new RuleCheck(rule, m.string("sli"), m.decimal("budget"),
        m.longValue("candidateCallsLong"), m.longValue("candidateBadLong"), m.decimal("burnLong"),
        m.longValue("candidateCallsShort"), m.longValue("candidateBadShort"), m.decimal("burnShort"),
        m.longValue("controlCallsShort"), m.longValue("controlBadShort"), m.decimal("controlBurnShort"),
        m.bool("burning"), m.decimal("logLikelihoodRatio"), m.decimal("testThreshold"), m.bool("sharedCause"));
  }

  public static BurnRateRule readRule(Object json, String path) {
    Members m = Members.of(json, path);
    Duration longWindow = m.duration("longWindow");
    Duration shortWindow = m.duration("shortWindow");
    double factor = m.decimal("factor");
    RuleAction action = m.enumValue("action", RuleAction.class);
    try {
      return new BurnRateRule(longWindow, shortWindow, factor, action);
    } catch (IllegalArgumentException e) {
      throw m.invalid(e);
    }
  }

  /** The members of one JSON object, read with types checked and errors naming the JSON path. */
  static final class Members {
    private final Map<?, ?> map;
    private final String path;

    private Members(Map<?, ?> map, String path) {
      this.map = map;
      this.path = path;
    }

    static Members of(Object json, String path) {
      if (!(json instanceof Map)) {
        throw new IllegalArgumentException(path + ": expected an object, got " + JsonWriter.snippet(json, 40));
      }
      return new Members((Map<?, ?>) json, path);
    }

    /** A value the record's own validation refused, e.g. an exposure outside [0, 1]. */
    IllegalArgumentException invalid(IllegalArgumentException e) {
      return new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }

    private IllegalArgumentException wrongType(String name, String expected) {
      return new IllegalArgumentException(path + "." + name + ": expected " + expected + ", got "
          + JsonWriter.snippet(map.get(name), 40));
    }

    boolean has(String name) {
      return map.containsKey(name);
    }

    Object value(String name) {
      if (!map.containsKey(name)) {
        throw new IllegalArgumentException(path + "." + name + ": missing");
      }
      return map.get(name);
    }

    Object required(String name) {
      Object v = value(name);
      if (v == null) {
        throw wrongType(name, "a value");
      }
      return v;
    }

    String string(String name) {
      Object v = value(name);
      if (!(v instanceof String)) {
        throw wrongType(name, "a string");
      }
      return (String) v;
    }

    boolean bool(String name) {
      Object v = value(name);
      if (!(v instanceof Boolean)) {
        throw wrongType(name, "true or false");
      }
      return (Boolean) v;
    }

    List<?> list(String name) {
      Object v = value(name);
      if (!(v instanceof List)) {
        throw wrongType(name, "an array");
      }
      return (List<?>) v;
    }

    long longValue(String name) {
      Object v = value(name);
      if (v instanceof Long) {
        return (Long) v;
      }
      if (v instanceof String) {
        try {
          return Long.parseLong((String) v);
        } catch (NumberFormatException e) {
          // falls through
        }
      }
      throw wrongType(name, "an integer");
    }

    int integer(String name) {
      long v = longValue(name);
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw wrongType(name, "a 32-bit integer");
      }
      return (int) v;
    }

    double decimal(String name) {
      Object v = value(name);
      if (v instanceof Double) {
        return (Double) v;
      }
      if (v instanceof Long) {
        return (Long) v;
      }
      if ("NaN".equals(v)) {
        return Double.NaN;
      }
      if ("Infinity".equals(v)) {
        return Double.POSITIVE_INFINITY;
      }
      if ("-Infinity".equals(v)) {
        return Double.NEGATIVE_INFINITY;
      }
      throw wrongType(name, "a number");
    }

    Instant instant(String name) {
      Instant i = optionalInstant(name);
      if (i == null) {
        throw wrongType(name, "an ISO-8601 instant");
      }
      return i;
    }

    Instant optionalInstant(String name) {
      Object v = value(name);
      if (v == null) {
        return null;
      }
      if (v instanceof String) {
        try {
          return Instant.parse((String) v);
        } catch (DateTimeParseException e) {
          // falls through
        }
      }
      throw wrongType(name, "an ISO-8601 instant");
    }

    Duration duration(String name) {
      Object v = value(name);
      if (v instanceof String) {
        try {
          return Duration.parse((String) v);
        } catch (DateTimeParseException e) {
          // falls through
        }
      }
      throw wrongType(name, "an ISO-8601 duration");
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type) {
      E e = optionalEnum(name, type);
      if (e == null) {
        throw wrongType(name, "one of " + Arrays.toString(type.getEnumConstants()));
      }
      return e;
    }

    <E extends Enum<E>> E optionalEnum(String name, Class<E> type) {
      Object v = value(name);
      if (v == null) {
        return null;
      }
      if (v instanceof String) {
        for (E e : type.getEnumConstants()) {
          if (e.name().equals(v)) {
            return e;
          }
        }
      }
      throw wrongType(name, "one of " + Arrays.toString(type.getEnumConstants()));
    }
  }
}
