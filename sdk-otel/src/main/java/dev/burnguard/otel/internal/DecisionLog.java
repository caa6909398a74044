package dev.burnguard.otel.internal;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.Decision.RuleCheck;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.logs.Severity;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not for public use. Each guardian decision as one OpenTelemetry log record (event
 * {@value #EVENT_NAME}) whose body is {@link Decision#describe()} and whose attributes carry the
 * decision and its evidence; evidence is written as parallel arrays, one element per rule check.
 *
 * <p>Concurrency: stateless apart from the OpenTelemetry logger, which is thread-safe; called on
 * the guardian's thread. An exporter failure is logged and swallowed.
 */
public final class DecisionLog {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);

  public static final String EVENT_NAME = "burnguard.rollout.decision";
  public static final AttributeKey<String> ACTOR = AttributeKey.stringKey("burnguard.decision.actor");
  public static final AttributeKey<String> REASON = AttributeKey.stringKey("burnguard.decision.reason");
  public static final AttributeKey<Double> EXPOSURE_BEFORE = AttributeKey.doubleKey("burnguard.rollout.exposure.before");
  public static final AttributeKey<Double> EXPOSURE = AttributeKey.doubleKey("burnguard.rollout.exposure");
  public static final AttributeKey<Long> STAGE = AttributeKey.longKey("burnguard.rollout.stage");

  private final io.opentelemetry.api.logs.Logger logger;

  public DecisionLog(LoggerProvider loggerProvider) {
    this.logger = loggerProvider.get(Instruments.SCOPE);
  }

  /** Emits one decision; a guardian listener. */
  public void decided(Decision d) {
    try {
      logger.logRecordBuilder()
          .setEventName(EVENT_NAME)
          .setTimestamp(d.at())
          .setSeverity(severity(d.action()))
          .setSeverityText(severity(d.action()).name())
          .setBody(d.describe())
          .setAllAttributes(attributes(d))
          .emit();
    } catch (RuntimeException e) {
      LOG.warn("emitting decision {} as a log record failed", d.describe(), e);
    }
  }

  private static Severity severity(DecisionAction a) {
    return a == DecisionAction.ROLLBACK || a == DecisionAction.SHRINK ? Severity.WARN : Severity.INFO;
  }

  static Attributes attributes(Decision d) {
    AttributesBuilder b = Attributes.builder()
        .put(FeatureFlagAttributes.KEY, d.flagKey())
        .put(RolloutMetrics.ACTION, d.action().name().toLowerCase(Locale.ROOT))
        .put(RolloutMetrics.APPLIED, d.applied())
        .put(ACTOR, d.actor())
        .put(REASON, d.reason())
        .put(RolloutMetrics.STATUS, d.after().status().name().toLowerCase(Locale.ROOT))
        .put(STAGE, (long) d.after().stage())
        .put(EXPOSURE, d.after().exposure());
    if (d.before() != null) {
      b.put(EXPOSURE_BEFORE, d.before().exposure());
    }
    List<RuleCheck> ev = d.evidence();
    if (!ev.isEmpty()) {
      strings(b, "rule", ev, c -> c.rule().toString());
      strings(b, "sli", ev, RuleCheck::sli);
      doubles(b, "factor", ev, c -> c.rule().factor());
      doubles(b, "budget", ev, RuleCheck::budget);
      doubles(b, "burn_long", ev, RuleCheck::burnLong);
      doubles(b, "burn_short", ev, RuleCheck::burnShort);
      longs(b, "calls_long", ev, RuleCheck::candidateCallsLong);
      longs(b, "bad_long", ev, RuleCheck::candidateBadLong);
      longs(b, "calls_short", ev, RuleCheck::candidateCallsShort);
      longs(b, "bad_short", ev, RuleCheck::candidateBadShort);
      doubles(b, "control_burn_short", ev, RuleCheck::controlBurnShort);
      longs(b, "control_calls_short", ev, RuleCheck::controlCallsShort);
      doubles(b, "llr", ev, RuleCheck::logLikelihoodRatio);
      doubles(b, "llr_threshold", ev, RuleCheck::testThreshold);
      booleans(b, "fires", ev, RuleCheck::fires);
      booleans(b, "shared_cause", ev, RuleCheck::sharedCause);
    }
    return b.build();
  }

  private static void strings(AttributesBuilder b, String name, List<RuleCheck> ev, Function<RuleCheck, String> f) {
    b.put(AttributeKey.stringArrayKey("burnguard.evidence." + name), ev.stream().map(f).toList());
  }

  private static void booleans(AttributesBuilder b, String name, List<RuleCheck> ev, Predicate<RuleCheck> f) {
    b.put(AttributeKey.booleanArrayKey("burnguard.evidence." + name), ev.stream().map(f::test).toList());
  }

  private static void doubles(AttributesBuilder b, String name, List<RuleCheck> ev, ToDoubleFunction<RuleCheck> f) {
    b.put(AttributeKey.doubleArrayKey("burnguard.evidence." + name), ev.stream().map(c -> f.applyAsDouble(c)).toList());
  }

  private static void longs(AttributesBuilder b, String name, List<RuleCheck> ev, ToLongFunction<RuleCheck> f) {
    b.put(AttributeKey.longArrayKey("burnguard.evidence." + name), ev.stream().map(c -> f.applyAsLong(c)).toList());
  }
}
