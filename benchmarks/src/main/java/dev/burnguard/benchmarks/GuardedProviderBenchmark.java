package dev.burnguard.benchmarks;

import dev.burnguard.GuardedProvider;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of {@link GuardedProvider} around another provider, against that provider called alone,
 * in the same run: an unguarded flag through the wrapper (the goal: at most 15 ns and 0 B/op
 * added), and a guarded flag at 50 % exposure (half the contexts held back to the control). Direct
 * provider calls ({@code getBooleanEvaluation}), no OpenFeature client, so that only the wrapper's
 * work differs. Delegates: the SDK's {@link InMemoryProvider} and flagd 0.11.15 in its in-process
 * file mode. 1,024 users with targeting keys, taken in turn.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GuardedProviderBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class GuardedProviderBenchmark {
  static final String GUARDED = "guarded-bool";
  static final String PLAIN = "plain-bool";
  private static final int USERS = 1024;
  private static final String FLAGD_FLAGS = "{\"flags\": {"
      + "\"guarded-bool\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"},"
      + "\"plain-bool\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"}}}";

  private FeatureProvider inMemory;
  private GuardedProvider guardedInMemory;
  private FeatureProvider flagd;
  private GuardedProvider guardedFlagd;
  private Path directory;
  private EvaluationContext[] users;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    users = new EvaluationContext[USERS];
    for (int i = 0; i < USERS; i++) {
      users[i] = new ImmutableContext("user-" + i);
    }
    RolloutPlan half = RolloutPlan.builder("off", "on")
        .stages(List.of(new Stage(50, Duration.ofDays(1), 0), new Stage(100, Duration.ofDays(1), 0))).build();
    inMemory = new InMemoryProvider(Map.of(
        GUARDED, Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("on").build(),
        PLAIN, Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("on").build()));
    guardedInMemory = GuardedProvider.builder(inMemory).inMemoryRolloutState().guardianTicking(false)
        .rollout(GUARDED, half).build();
    guardedInMemory.initialize(new ImmutableContext());

    directory = Files.createTempDirectory("guarded-benchmark");
    Path file = directory.resolve("flagd.json");
    Files.writeString(file, FLAGD_FLAGS);
    flagd = new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE).deadline(5_000)
        .offlineFlagSourcePath(file.toString()).build());
    guardedFlagd = GuardedProvider.builder(flagd).inMemoryRolloutState().guardianTicking(false)
        .rollout(GUARDED, half).build();
    guardedFlagd.initialize(new ImmutableContext());
    check();
  }

  /** Refuses to measure a setup that does not do what the names say. */
  private void check() {
    for (FeatureProvider p : List.of(inMemory, guardedInMemory, flagd, guardedFlagd)) {
      if (!Boolean.TRUE.equals(p.getBooleanEvaluation(PLAIN, false, users[0]).getValue())) {
        throw new IllegalStateException(p.getMetadata().getName() + " does not serve " + PLAIN);
      }
    }
    for (GuardedProvider p : List.of(guardedInMemory, guardedFlagd)) {
      int candidates = 0;
      for (EvaluationContext u : users) {
        candidates += p.getBooleanEvaluation(GUARDED, false, u).getValue() ? 1 : 0;
      }
      if (candidates < USERS / 3 || candidates > USERS * 2 / 3) {
        throw new IllegalStateException("the guarded flag serves its candidate to " + candidates + " of " + USERS);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    guardedInMemory.shutdown();
    guardedFlagd.shutdown();
    Files.deleteIfExists(directory.resolve("flagd.json"));
    Files.deleteIfExists(directory);
  }

  private EvaluationContext user() {
    int i = next;
    next = (i + 1) & (USERS - 1);
    return users[i];
  }

  @Benchmark
  public ProviderEvaluation<Boolean> inMemoryAlone() {
    return inMemory.getBooleanEvaluation(PLAIN, false, user());
  }

  @Benchmark
  public ProviderEvaluation<Boolean> inMemoryWrappedUnguarded() {
    return guardedInMemory.getBooleanEvaluation(PLAIN, false, user());
  }

  @Benchmark
  public ProviderEvaluation<Boolean> inMemoryWrappedGuarded() {
    return guardedInMemory.getBooleanEvaluation(GUARDED, false, user());
  }

  @Benchmark
  public ProviderEvaluation<Boolean> flagdAlone() {
    return flagd.getBooleanEvaluation(PLAIN, false, user());
  }

  @Benchmark
  public ProviderEvaluation<Boolean> flagdWrappedUnguarded() {
    return guardedFlagd.getBooleanEvaluation(PLAIN, false, user());
  }

  @Benchmark
  public ProviderEvaluation<Boolean> flagdWrappedGuarded() {
    return guardedFlagd.getBooleanEvaluation(GUARDED, false, user());
  }
}
