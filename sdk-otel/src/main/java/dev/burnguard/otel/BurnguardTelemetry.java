package dev.burnguard.otel;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.otel.internal.DecisionLog;
import dev.burnguard.otel.internal.FlagLoadMetrics;
import dev.burnguard.otel.internal.RolloutMetrics;
import dev.burnguard.rollout.Decision;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Burnguard's OpenTelemetry setup in one line:
 *
 * <pre>{@code
 * BurnguardTelemetry telemetry = BurnguardTelemetry.install(openTelemetry, provider);
 * OpenFeatureAPI.getInstance().addHooks(telemetry.hook());
 * }</pre>
 *
 * <p>It creates the evaluation hook (events on the current span, and the {@code
 * burnguard.evaluations} counter), the rollout gauges, the decision counter and the flag-file gauges
 * ({@code burnguard.flags.last_known_good}, {@code burnguard.flags.invalid}), and turns every
 * guardian decision into a log record. OpenFeature hooks belong to an API instance or a client,
 * so the hook is returned rather than added to the global API: add it where you evaluate. To feed
 * the guard from spans, also register a {@link BurnguardSpanProcessor} with the SDK's tracer
 * provider (that needs the OpenTelemetry SDK, which this class does not).
 *
 * <p>{@link #close()} stops the gauges and the decision telemetry. The guardian has no way to remove
 * a listener, so the listener stays registered and does nothing after close.
 *
 * <p>Concurrency: immutable apart from the closed flag; the guardian calls the listener on its
 * thread, the metric reader calls the gauges on its own.
 */
public final class BurnguardTelemetry implements AutoCloseable {
  private final FlagEvaluationHook hook;
  private final RolloutMetrics metrics;
  private final FlagLoadMetrics flagLoadMetrics;
  private final AtomicBoolean closed = new AtomicBoolean();

  private BurnguardTelemetry(OpenTelemetry openTelemetry, BurnguardProvider provider, FlagEvaluationHook hook) {
    this.hook = hook;
    this.metrics = new RolloutMetrics(openTelemetry.getMeterProvider(), provider);
    this.flagLoadMetrics = new FlagLoadMetrics(openTelemetry.getMeterProvider(), provider);
    DecisionLog log = new DecisionLog(openTelemetry.getLogsBridge());
    provider.guardian().addListener(d -> decided(d, log));
  }

  /**
   * Installs metrics and decision telemetry for {@code provider} and returns them with a hook built
   * with the defaults plus the evaluation counter.
   */
  public static BurnguardTelemetry install(OpenTelemetry openTelemetry, BurnguardProvider provider) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new BurnguardTelemetry(openTelemetry, Objects.requireNonNull(provider, "provider"),
        FlagEvaluationHook.builder().meterProvider(openTelemetry.getMeterProvider()).build());
  }

  /**
   * As {@link #install(OpenTelemetry, BurnguardProvider)}, with a hook of your own options (build it
   * with {@link FlagEvaluationHook.Builder#meterProvider} to keep the evaluation counter).
   */
  public static BurnguardTelemetry install(OpenTelemetry openTelemetry, BurnguardProvider provider,
      FlagEvaluationHook hook) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new BurnguardTelemetry(openTelemetry, Objects.requireNonNull(provider, "provider"),
        Objects.requireNonNull(hook, "hook"));
  }

  /** The evaluation hook: add it to the OpenFeature API or the clients that evaluate Burnguard's flags. */
  public FlagEvaluationHook hook() {
    return hook;
  }

  private void decided(Decision d, DecisionLog log) {
    if (closed.get()) {
      return;
    }
    metrics.decided(d);
    log.decided(d);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      metrics.close();
      flagLoadMetrics.close();
    }
  }
}
