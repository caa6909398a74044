package dev.burnguard.otel.internal;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStatus;
import dev.burnguard.internal.guardian.RolloutWindows;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not for public use. Rollout health as metrics: observable gauges read from the guardian
 * and the SLI recorder (the source of truth) at each collection, and a counter of decisions fed by
 * a guardian listener.
 *
 * <p>Cardinality: one series set per flag under rollout, its two variants, its rules' windows and
 * the six statuses: all bounded by the flag file.
 *
 * <p>Concurrency: the collection callback runs on the metric reader's thread and only reads
 * immutable snapshots (states, plans) and the recorder, which is safe to read concurrently;
 * {@link #decided} runs on the guardian's thread. A failing callback is logged and swallowed.
 */
public final class RolloutMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutMetrics.class);

  public static final AttributeKey<String> STATUS = AttributeKey.stringKey("burnguard.rollout.status");
  public static final AttributeKey<String> SLI = AttributeKey.stringKey("burnguard.sli");
  public static final AttributeKey<String> WINDOW = AttributeKey.stringKey("burnguard.window");
  public static final AttributeKey<String> ACTION = AttributeKey.stringKey("burnguard.decision.action");
  public static final AttributeKey<Boolean> APPLIED = AttributeKey.booleanKey("burnguard.decision.applied");

  private final BurnguardProvider provider;
  private final LongCounter decisions;
  private final ObservableDoubleMeasurement exposure;
  private final ObservableLongMeasurement stage;
  private final ObservableLongMeasurement status;
  private final ObservableDoubleMeasurement burnRate;
  private final ObservableLongMeasurement windowCalls;
  private final ObservableLongMeasurement windowErrors;
  private final ObservableLongMeasurement storeHealthy;
  private final ObservableLongMeasurement storePending;
  private final BatchCallback callback;

  public RolloutMetrics(MeterProvider meterProvider, BurnguardProvider provider) {
    this.provider = provider;
    Meter meter = meterProvider.get(Instruments.SCOPE);
    decisions = meter.counterBuilder("burnguard.rollout.decisions").setUnit("{decision}")
        .setDescription("Guardian decisions, by flag, action and whether they were applied").build();
    exposure = meter.gaugeBuilder("burnguard.rollout.exposure").setUnit("1")
        .setDescription("Fraction of eligible contexts served the candidate").buildObserver();
    stage = meter.gaugeBuilder("burnguard.rollout.stage").ofLongs().setUnit("{stage}")
        .setDescription("Index of the rollout's current stage").buildObserver();
    status = meter.gaugeBuilder("burnguard.rollout.status").ofLongs().setUnit("1")
        .setDescription("1 for the rollout's current status, 0 for the others").buildObserver();
    burnRate = meter.gaugeBuilder("burnguard.rollout.burn_rate").setUnit("1")
        .setDescription("Error-budget burn rate of a variant over a rule window: (bad / calls) / budget").buildObserver();
    windowCalls = meter.gaugeBuilder("burnguard.rollout.window.calls").ofLongs().setUnit("{call}")
        .setDescription("Calls of a variant recorded over a rule window").buildObserver();
    windowErrors = meter.gaugeBuilder("burnguard.rollout.window.errors").ofLongs().setUnit("{call}")
        .setDescription("Failed calls of a variant recorded over a rule window").buildObserver();
    storeHealthy = meter.gaugeBuilder("burnguard.rollout.store.healthy").ofLongs().setUnit("1")
        .setDescription("1 while the rollout store writes every decision and no rollout state is kept only in memory,"
            + " 0 otherwise").buildObserver();
    storePending = meter.gaugeBuilder("burnguard.rollout.store.pending").ofLongs().setUnit("{decision}")
        .setDescription("Decisions kept in memory because the rollout store cannot write").buildObserver();
    callback = meter.batchCallback(this::observe, exposure, stage, status, burnRate, windowCalls, windowErrors,
        storeHealthy, storePending);
  }

  /** Counts one decision; a guardian listener. */
  public void decided(Decision d) {
    try {
      decisions.add(1, Attributes.of(FeatureFlagAttributes.KEY, d.flagKey(),
          ACTION, d.action().name().toLowerCase(Locale.ROOT), APPLIED, d.applied()));
    } catch (RuntimeException e) {
      LOG.warn("counting decision {} failed", d.describe(), e);
    }
  }

  private void observe() {
    try {
      dev.burnguard.ProviderHealth health = provider.health();
      storeHealthy.record(health.safe() ? 1 : 0);
      storePending.record(health.store().pendingDecisions());
      Map<String, RolloutPlan> plans = provider.guardian().plans();
      for (RolloutState s : provider.guardian().states().values()) {
        RolloutPlan plan = plans.get(s.flagKey());
        if (plan != null) {
          observe(s, plan);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("reading rollout metrics failed", e);
    }
  }

  private void observe(RolloutState s, RolloutPlan plan) {
    Attributes flag = Attributes.of(FeatureFlagAttributes.KEY, s.flagKey());
    exposure.record(s.exposure(), flag);
    stage.record(s.stage(), flag);
    for (RolloutStatus st : RolloutStatus.values()) {
      status.record(st == s.status() ? 1 : 0,
          Attributes.of(FeatureFlagAttributes.KEY, s.flagKey(), STATUS, st.name().toLowerCase(Locale.ROOT)));
    }
    TreeSet<Duration> windows = new TreeSet<>();
    for (BurnRateRule r : plan.rules()) {
      windows.add(r.longWindow());
      windows.add(r.shortWindow());
    }
    // -1 when the plan has no latency objective, or its threshold is not one the recorder counts
    int latencyIndex = plan.slo().latencyThreshold()
        .map(t -> provider.recorder().latencyThresholds().indexOf(t)).orElse(-1);
    long[] counts = new long[RolloutWindows.SIZE];
    for (String variant : new String[] {plan.candidate(), plan.control()}) {
      for (Duration w : windows) {
        Arrays.fill(counts, 0);
        provider.recorder().counts(s.flagKey(), variant, w, counts);
        String window = Durations.format(w);
        Attributes vw = Attributes.of(FeatureFlagAttributes.KEY, s.flagKey(),
            FeatureFlagAttributes.RESULT_VARIANT, variant, WINDOW, window);
        long calls = counts[RolloutWindows.CALLS];
        windowCalls.record(calls, vw);
        windowErrors.record(counts[RolloutWindows.ERRORS], vw);
        if (calls == 0) {
          continue;
        }
        burnRate.record(burn(counts[RolloutWindows.ERRORS], calls, plan.slo().errorBudget()),
            vw.toBuilder().put(SLI, "availability").build());
        if (latencyIndex >= 0) {
          burnRate.record(burn(counts[RolloutWindows.SLOW + latencyIndex], calls, plan.slo().latencyBudget()),
              vw.toBuilder().put(SLI, "latency").build());
        }
      }
    }
  }

  private static double burn(long bad, long calls, double budget) {
    return ((double) bad / calls) / budget;
  }

  @Override
  public void close() {
    callback.close();
  }
}
