package dev.burnguard.internal;

import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.openfeature.sdk.FeatureProvider;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where Burnguard's own tests and tools reach a provider's engines: its guardian (to set plans
 * directly, read the gates in force or the per-stage counts) and its SLI recorder (the series kept,
 * the outcomes refused). Users read and act through {@code provider.rollouts()} and {@code
 * provider.outcomes()}; the providers no longer return internal types. The providers' package
 * installs the lookup when it builds its first provider.
 *
 * <p>Internal, not for public use.
 */
public final class ProviderInternals {
  /** One provider's engines. */
  public record Engines(Guardian guardian, SliRecorder recorder) {}

  private static volatile Function<FeatureProvider, Engines> lookup;

  private ProviderInternals() {}

  /** Installs how to find a provider's engines; called once by the providers' package. */
  public static void install(Function<FeatureProvider, Engines> engines) {
    lookup = Objects.requireNonNull(engines, "engines");
  }

  /** The guardian of a {@code BurnguardProvider} or {@code GuardedProvider}. */
  public static Guardian guardian(FeatureProvider provider) {
    return engines(provider).guardian();
  }

  /** The SLI recorder of a {@code BurnguardProvider} or {@code GuardedProvider}. */
  public static SliRecorder recorder(FeatureProvider provider) {
    return engines(provider).recorder();
  }

  private static Engines engines(FeatureProvider provider) {
    Objects.requireNonNull(provider, "provider");
    Function<FeatureProvider, Engines> engines = lookup;
    if (engines == null) {
      throw new IllegalArgumentException("not a Burnguard provider: " + provider.getClass().getName());
    }
    return engines.apply(provider);
  }
}
