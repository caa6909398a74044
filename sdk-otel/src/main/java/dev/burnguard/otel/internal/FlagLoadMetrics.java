package dev.burnguard.otel.internal;

import dev.burnguard.BurnguardProvider;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not for public use. The health of the loaded flag file as two gauges, read from the
 * provider at each collection: flags served from their last good definition because their new one
 * is invalid, and flags that resolve with PARSE_ERROR. Alert on the first above zero: the file in
 * force is not the file being served.
 *
 * <p>Concurrency: the callbacks run on the metric reader's thread and read the provider's current
 * immutable flag set; a failing callback is logged and swallowed.
 */
public final class FlagLoadMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlagLoadMetrics.class);

  /** Flags served from their last good definition. */
  public static final String LAST_KNOWN_GOOD = "burnguard.flags.last_known_good";
  /** Flags that resolve with PARSE_ERROR. */
  public static final String INVALID = "burnguard.flags.invalid";

  private final ObservableLongGauge lastKnownGood;
  private final ObservableLongGauge invalid;

  public FlagLoadMetrics(MeterProvider meterProvider, BurnguardProvider provider) {
    Meter meter = meterProvider.get(Instruments.SCOPE);
    lastKnownGood = meter.gaugeBuilder(LAST_KNOWN_GOOD).ofLongs().setUnit("{flag}")
        .setDescription("Flags served from their last good definition because their new definition is invalid")
        .buildWithCallback(m -> {
          try {
            m.record(provider.flagsAtLastKnownGood().size());
          } catch (RuntimeException e) {
            LOG.warn("reading the flags at their last good definition failed", e);
          }
        });
    invalid = meter.gaugeBuilder(INVALID).ofLongs().setUnit("{flag}")
        .setDescription("Flags whose definition is invalid and that resolve with PARSE_ERROR")
        .buildWithCallback(m -> {
          try {
            m.record(provider.invalidFlags().size());
          } catch (RuntimeException e) {
            LOG.warn("reading the invalid flags failed", e);
          }
        });
  }

  @Override
  public void close() {
    lastKnownGood.close();
    invalid.close();
  }
}
