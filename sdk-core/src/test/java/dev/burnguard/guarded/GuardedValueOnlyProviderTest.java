package dev.burnguard.guarded;

import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.Value;
import java.util.List;

/** The guard over a provider that reports values only, no variant names: the candidate is matched by value. */
class GuardedValueOnlyProviderTest extends GuardedDelegateContract {
  @Override
  FeatureProvider newDelegate() {
    return new ValueOnlyProvider();
  }

  @Override
  boolean reportsVariants() {
    return false;
  }

  @Override
  List<Probe> unguardedProbes() {
    return List.of(new Probe("plain-bool", Boolean.class), new Probe("plain-string", String.class),
        new Probe("plain-int", Integer.class), new Probe("plain-double", Double.class),
        new Probe("plain-string", Integer.class), new Probe("plain-int", Value.class),
        new Probe("missing", Boolean.class));
  }
}
