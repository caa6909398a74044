package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One flag evaluation, called on the provider directly (no OpenFeature client, hooks or context
 * merging), for Burnguard's three typical flag shapes next to the OpenFeature SDK's
 * {@link InMemoryProvider} resolving the same static boolean flag.
 *
 * <p>Every call takes the next of the {@link Users}' pre-built contexts, which differ in their
 * targeting key, so that fractional bucketing hashes a different key each time and cannot be
 * folded into a constant. {@code contextType} picks the context implementation: the SDK's
 * {@link ImmutableContext} copies the {@code Value} on every {@code getValue} (and so on every
 * {@code getTargetingKey}), {@link MutableContext} does not; the difference is the context's cost,
 * not the provider's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProviderEvaluationBenchmark {
  private static final String STATIC_FLAG = "static-boolean";
  private static final String FRACTIONAL_FLAG = "fractional-50-50";
  private static final String TARGETED_FLAG = "targeted-3-conditions";

  private static final String FLAGS = """
      {
        "flags": {
          "static-boolean": {
            "state": "ENABLED",
            "variants": {"on": true, "off": false},
            "defaultVariant": "on"
          },
          "fractional-50-50": {
            "state": "ENABLED",
            "variants": {"on": true, "off": false},
            "defaultVariant": "off",
            "targeting": {"fractional": [["on", 50], ["off", 50]]}
          },
          "targeted-3-conditions": {
            "state": "ENABLED",
            "variants": {"on": "new-checkout", "off": "classic-checkout"},
            "defaultVariant": "off",
            "targeting": {"if": [{"and": [
              {"==": [{"var": "country"}, "NL"]},
              {"in": [{"var": "plan"}, ["pro", "enterprise"]]},
              {">=": [{"var": "age"}, 18]}
            ]}, "on", "off"]}
          }
        }
      }
      """;

  @Param({"ImmutableContext", "MutableContext"})
  public String contextType;

  private BurnguardProvider burnguard;
  private InMemoryProvider inMemory;
  private EvaluationContext[] contexts;

  /** The calling thread's position in {@link #contexts}. */
  @State(Scope.Thread)
  public static class User {
    private int next;

    EvaluationContext next(ProviderEvaluationBenchmark b) {
      return b.contexts[next++ & (Users.HOT_SET - 1)];
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    contexts = Users.openFeature(contextType, Users.HOT_SET);
    burnguard = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).build();
    burnguard.initialize(contexts[0]);
    inMemory = new InMemoryProvider(Map.of(STATIC_FLAG, Flag.<Boolean>builder()
        .variant("on", true).variant("off", false).defaultVariant("on").build()));
    inMemory.initialize(contexts[0]);
    checkFlagsResolveAsIntended();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    burnguard.shutdown();
    inMemory.shutdown();
  }

  /** (a) A flag without targeting: the default variant, reason STATIC. */
  @Benchmark
  public ProviderEvaluation<Boolean> burnguardStaticBoolean(User user) {
    return burnguard.getBooleanEvaluation(STATIC_FLAG, false, user.next(this));
  }

  /** (b) {@code fractional} 50/50 bucketing on flag key + targeting key: one Murmur3 hash, reason SPLIT. */
  @Benchmark
  public ProviderEvaluation<Boolean> burnguardFractional(User user) {
    return burnguard.getBooleanEvaluation(FRACTIONAL_FLAG, false, user.next(this));
  }

  /** (c) {@code if} over an {@code and} of {@code ==}, {@code in} and {@code >=}, all true: three context reads. */
  @Benchmark
  public ProviderEvaluation<String> burnguardTargeting(User user) {
    return burnguard.getStringEvaluation(TARGETED_FLAG, "classic-checkout", user.next(this));
  }

  /** (d) The OpenFeature SDK's InMemoryProvider on the same static boolean flag: a map lookup. */
  @Benchmark
  public ProviderEvaluation<Boolean> inMemoryStaticBoolean(User user) {
    return inMemory.getBooleanEvaluation(STATIC_FLAG, false, user.next(this));
  }

  /** Fails the run rather than measure an error path or a split that always picks one side. */
  private void checkFlagsResolveAsIntended() {
    Set<Boolean> splitValues = new HashSet<>();
    for (EvaluationContext ctx : contexts) {
      expect(burnguard.getBooleanEvaluation(STATIC_FLAG, false, ctx), Reason.STATIC, Set.of(true));
      expect(inMemory.getBooleanEvaluation(STATIC_FLAG, false, ctx), Reason.STATIC, Set.of(true));
      splitValues.add(expect(burnguard.getBooleanEvaluation(FRACTIONAL_FLAG, false, ctx), Reason.SPLIT,
          Set.of(true, false)));
      expect(burnguard.getStringEvaluation(TARGETED_FLAG, "classic-checkout", ctx), Reason.TARGETING_MATCH,
          Set.of("new-checkout"));
    }
    if (splitValues.size() != 2) {
      throw new IllegalStateException("the " + Users.HOT_SET + " users all fall in one bucket: " + splitValues);
    }
  }

  private static <T> T expect(ProviderEvaluation<T> result, Reason reason, Set<T> values) {
    if (result.getErrorCode() != null || !reason.name().equals(result.getReason())
        || !values.contains(result.getValue())) {
      throw new IllegalStateException("expected one of " + values + " with reason " + reason + ", got " + result);
    }
    return result.getValue();
  }
}
