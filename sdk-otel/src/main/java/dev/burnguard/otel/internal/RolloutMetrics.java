package dev.burnguard.otel.internal;

import dev.burnguard.BurnguardProvider.ProviderHealth;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not for public use. Rollout health as metrics: observable gauges read at each collection
 * from a provider's {@link Rollouts} façade (its states and the {@linkplain Rollouts#health() rollout
 * health} of the guardian's last tick: window counts and burn rates as judged) and its {@link
 * ProviderHealth}, and a counter of decisions fed by a decision listener. The same for Burnguard's
 * own provider and for a {@link dev.burnguard.GuardedProvider}.
 *
 * <p>Cardinality: one series set per flag under rollout, its two variants, its rules' windows and
 * the six statuses: all bounded by the flag file.
 *
 * <p>Concurrency: the collection callback runs on the metric reader's thread and only reads
 * immutable snapshots (states, health);
 * {@link #decided} runs on the guardian's thread. A failing callback is logged and swallowed.
 */
public final class RolloutMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutMetrics.class);

  public static final AttributeKey<String> STATUS = AttributeKey.stringKey("burnguard.rollout.status");
  public static final AttributeKey<String> SLI = AttributeKey.stringKey("burnguard.sli");
  public static final AttributeKey<String> WINDOW = AttributeKey.stringKey("burnguard.window");
  public static final AttributeKey<String> ACTION = AttributeKey.stringKey("burnguard.decision.action");
  public static final AttributeKey<Boolean> APPLIED = AttributeKey.booleanKey("burnguard.decision.applied");

  private final Rollouts rollouts;
  private final Supplier<ProviderHealth> providerHealth;
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

  /**
   * @param rollouts the provider's rollouts ({@code provider.rollouts()})
   * @param providerHealth the provider's {@code health()}
   */
  public RolloutMetrics(MeterProvider meterProvider, Rollouts rollouts, Supplier<ProviderHealth> providerHealth) {
    this.rollouts = rollouts;
    this.providerHealth = providerHealth;
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
      ProviderHealth health = providerHealth.get();
      storeHealthy.record(health.safe() ? 1 : 0);
      storePending.record(health.store().pendingDecisions());
      Map<String, RolloutHealth> judged = rollouts.health();
      for (RolloutState s : rollouts.states().values()) {
        observe(s, judged.get(s.flagKey()));
      }
    } catch (RuntimeException e) {
      LOG.warn("reading rollout metrics failed", e);
    }
  }

  /** One rollout's gauges; {@code health} is null before the guardian's first tick. */
  private void observe(RolloutState s, RolloutHealth health) {
    Attributes flag = Attributes.of(FeatureFlagAttributes.KEY, s.flagKey());
    exposure.record(s.exposure(), flag);
    stage.record(s.stage(), flag);
    for (RolloutStatus st : RolloutStatus.values()) {
      status.record(st == s.status() ? 1 : 0,
          Attributes.of(FeatureFlagAttributes.KEY, s.flagKey(), STATUS, st.name().toLowerCase(Locale.ROOT)));
    }
    // window counts and burn rates as the guardian judged them at its last tick: one burn-rate
    // implementation, and the exported numbers are the ones decided on
    if (health == null) {
      return; // not ticked yet
    }
    for (RolloutHealth.VariantWindow w : health.windows()) {
      Attributes vw = Attributes.of(FeatureFlagAttributes.KEY, s.flagKey(),
          FeatureFlagAttributes.RESULT_VARIANT, w.variant(), WINDOW, Durations.format(w.window()));
      windowCalls.record(w.calls(), vw);
      windowErrors.record(w.errors(), vw);
      if (w.calls() == 0) {
        continue;
      }
      burnRate.record(w.availabilityBurn(), vw.toBuilder().put(SLI, "availability").build());
      if (w.slow() >= 0) {
        burnRate.record(w.latencyBurn(), vw.toBuilder().put(SLI, "latency").build());
      }
    }
  }

  @Override
  public void close() {
    callback.close();
  }
}
