package dev.burnguard.guarded;

import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The guard over flagd's own Java provider (0.11.15) in its in-process file mode: no daemon, no
 * gRPC, flags read from a flagd file, targeting by json-logic-java.
 */
class GuardedFlagdProviderTest extends GuardedDelegateContract {
  static final String FLAGS = """
      {"flags": {
        "guarded-bool": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "plain-bool": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"fractional": [["on", 50], ["off", 50]]}},
        "plain-string": {"state": "ENABLED", "variants": {"red": "red", "blue": "blue"}, "defaultVariant": "red",
          "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "blue", null]},
          "metadata": {"owner": "team-a", "version": 3}},
        "plain-int": {"state": "ENABLED", "variants": {"one": 1, "two": 2}, "defaultVariant": "one",
          "targeting": {"if": [{">": [{"var": "tier"}, 2]}, "two", null]}},
        "plain-double": {"state": "ENABLED", "variants": {"low": 0.25, "high": 0.75}, "defaultVariant": "low"},
        "plain-object": {"state": "ENABLED", "variants": {"a": {"color": "red", "size": 3}}, "defaultVariant": "a"},
        "disabled-flag": {"state": "DISABLED", "variants": {"on": true}, "defaultVariant": "on"}
      }}
      """;

  /** flagd waits twice its deadline for the first load; generous for a busy machine (as the benchmarks do). */
  private static final int DEADLINE_MS = 5_000;

  @Override
  FeatureProvider newDelegate() throws Exception {
    Path file = tmp.resolve("flagd.json");
    if (!Files.exists(file)) {
      Files.writeString(file, FLAGS);
    }
    return new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE).deadline(DEADLINE_MS)
        .offlineFlagSourcePath(file.toString()).build());
  }

  @Override
  boolean reportsVariants() {
    return true;
  }

  @Override
  List<Probe> unguardedProbes() {
    return List.of(new Probe("plain-bool", Boolean.class), new Probe("plain-string", String.class),
        new Probe("plain-int", Integer.class), new Probe("plain-double", Double.class),
        new Probe("plain-object", Value.class), new Probe("disabled-flag", Boolean.class),
        new Probe("plain-string", Integer.class), new Probe("missing", Boolean.class));
  }
}
