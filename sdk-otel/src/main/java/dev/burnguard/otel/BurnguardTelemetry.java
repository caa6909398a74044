package dev.burnguard.otel;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.GuardedProvider;
import dev.burnguard.BurnguardProvider.ProviderHealth;
import dev.burnguard.otel.internal.DecisionLog;
import dev.burnguard.otel.internal.FlagLoadMetrics;
import dev.burnguard.otel.internal.RolloutMetrics;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Rollouts;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Burnguard's OpenTelemetry setup in one line:
 *
 * <pre>{@code
 * BurnguardTelemetry telemetry = BurnguardTelemetry.install(openTelemetry, provider);
 * OpenFeatureAPI.getInstance().addHooks(telemetry.hook());
 * }</pre>
 *
 * <p>It creates the evaluation hook (events on the current span, and the {@code
 * burnguard.evaluations} counter), the rollout gauges, the decision counter and, for Burnguard's own
 * provider, the flag-file gauges ({@code burnguard.flags.last_known_good}, {@code
 * burnguard.flags.invalid}), and turns every guardian decision into a log record. A {@link
 * GuardedProvider} (flags served by another provider) gets the same rollout metrics and decision
 * records, read through the same {@link Rollouts} façade: {@code install(openTelemetry,
 * guardedProvider)}. OpenFeature hooks belong to an API instance or a client,
 * so the hook is returned rather than added to the global API: add it where you evaluate. To feed
 * the guard from spans, also register a {@link BurnguardSpanProcessor} with the SDK's tracer
 * provider (that needs the OpenTelemetry SDK, which this class does not).
 *
 * <p>{@link #close()} stops the gauges and removes the decision listener.
 *
 * <p>Concurrency: immutable apart from the closed flag; the guardian calls the listener on its
 * thread, the metric reader calls the gauges on its own.
 */
public final class BurnguardTelemetry implements AutoCloseable {
  private final FlagEvaluationHook hook;
  private final RolloutMetrics metrics;
  /** Null for a provider without a flag file of its own (a GuardedProvider). */
  private final FlagLoadMetrics flagLoadMetrics;
  private final Rollouts.Registration decisions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private BurnguardTelemetry(OpenTelemetry openTelemetry, Rollouts rollouts, Supplier<ProviderHealth> health,
      BurnguardProvider flagFileProvider, FlagEvaluationHook hook) {
    this.hook = hook;
    this.metrics = new RolloutMetrics(openTelemetry.getMeterProvider(), rollouts, health);
    this.flagLoadMetrics = flagFileProvider == null ? null
        : new FlagLoadMetrics(openTelemetry.getMeterProvider(), flagFileProvider);
    DecisionLog log = new DecisionLog(openTelemetry.getLogsBridge());
    this.decisions = rollouts.onDecision(d -> decided(d, log));
  }

  /**
   * Installs metrics and decision telemetry for {@code provider} and returns them with a hook built
   * with the defaults plus the evaluation counter.
   */
  public static BurnguardTelemetry install(OpenTelemetry openTelemetry, BurnguardProvider provider) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return install(openTelemetry, provider, defaultHook(openTelemetry));
  }

  /**
   * As {@link #install(OpenTelemetry, BurnguardProvider)}, with a hook of your own options (build it
   * with {@link FlagEvaluationHook.Builder#meterProvider} to keep the evaluation counter).
   */
  public static BurnguardTelemetry install(OpenTelemetry openTelemetry, BurnguardProvider provider,
      FlagEvaluationHook hook) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    Objects.requireNonNull(provider, "provider");
    return new BurnguardTelemetry(openTelemetry, provider.rollouts(), provider::health, provider,
        Objects.requireNonNull(hook, "hook"));
  }

  /**
   * Installs the rollout metrics and decision telemetry of a {@link GuardedProvider}'s guarded flags
   * (the same instruments and attributes as for Burnguard's own provider; no flag-file gauges, the
   * delegate serves the flags) and returns them with a hook built with the defaults plus the
   * evaluation counter. The hook records every evaluation, of any provider, where it is added.
   */
  public static BurnguardTelemetry install(OpenTelemetry openTelemetry, GuardedProvider provider) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return install(openTelemetry, provider, defaultHook(openTelemetry));
  }

  /** As {@link #install(OpenTelemetry, GuardedProvider)}, with a hook of your own options. */
  public static BurnguardTelemetry install(OpenTelemetry openTelemetry, GuardedProvider provider,
      FlagEvaluationHook hook) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    Objects.requireNonNull(provider, "provider");
    return new BurnguardTelemetry(openTelemetry, provider.rollouts(), provider::health, null,
        Objects.requireNonNull(hook, "hook"));
  }

  private static FlagEvaluationHook defaultHook(OpenTelemetry openTelemetry) {
    return FlagEvaluationHook.builder().meterProvider(openTelemetry.getMeterProvider()).build();
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
      decisions.close();
      metrics.close();
      if (flagLoadMetrics != null) {
        flagLoadMetrics.close();
      }
    }
  }
}
