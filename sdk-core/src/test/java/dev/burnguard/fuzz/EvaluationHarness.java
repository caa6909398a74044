package dev.burnguard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.flag.InvalidFlagSetException;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One provider (fed by a {@link ReloadableSource}, flags isolated when invalid) and an OpenFeature
 * client on it, and the checks that evaluation never throws: shared by the seeded runs of
 * {@link NeverThrowsPropertiesTest} and the Jazzer fuzzing of {@link EvaluationFuzzTest}.
 *
 * <p>An error is a result with an error code and reason ERROR; a success has a value of the type
 * asked for; the client reports exactly what the provider resolved. Files that do not load are
 * refused with problems that each name a JSON path, and leave the flags in force as they were.
 */
final class EvaluationHarness {
  /** Keys no generated file defines. */
  private static final List<String> UNKNOWN_KEYS = List.of("no-such-flag", "CHECKOUT");

  static final LongAdder EVALUATIONS = new LongAdder();
  static final LongAdder FILES = new LongAdder();
  static final LongAdder REJECTED = new LongAdder();

  private static OpenFeatureAPI api;
  private static BurnguardProvider provider;
  private static ReloadableSource source;
  private static List<Typed<?>> types;

  private EvaluationHarness() {}

  /** Starts a provider and client on an empty flag file, and zeroes the counters. */
  static void start() {
    EVALUATIONS.reset();
    FILES.reset();
    REJECTED.reset();
    source = new ReloadableSource("{\"flags\": {}}");
    provider = BurnguardProvider.builder()
        .source(source)
        .clock(new ManualClock())
        .guardianTicking(false)
        .invalidFlagPolicy(InvalidFlagPolicy.ISOLATE_FLAG)
        .build();
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    Client client = api.getClient();
    types = List.of(
        new Typed<>(Boolean.class, true, provider::getBooleanEvaluation, client::getBooleanDetails),
        new Typed<>(String.class, "caller's default", provider::getStringEvaluation, client::getStringDetails),
        new Typed<>(Integer.class, -7, provider::getIntegerEvaluation, client::getIntegerDetails),
        new Typed<>(Long.class, -7L, provider::getLongEvaluation, client::getLongDetails),
        new Typed<>(Double.class, -0.5, provider::getDoubleEvaluation, client::getDoubleDetails),
        new Typed<>(Value.class, new Value("caller's default"), provider::getObjectEvaluation, client::getObjectDetails));
  }

  static void stop() {
    api.shutdown();
  }

  /** Loads {@code json} and evaluates every flag in it, and unknown ones, as every type in every context. */
  static void evaluateEverything(String json, List<EvaluationContext> contexts) {
    FlagSet served = load(json);
    List<String> keys = new ArrayList<>(served.flags().keySet());
    keys.addAll(UNKNOWN_KEYS);
    for (String key : keys) {
      for (EvaluationContext context : contexts) {
        for (Typed<?> type : types) {
          type.check(key, context);
        }
      }
    }
  }

  /** Parses {@code json} under both policies: either it loads, or each problem names its JSON path. */
  static void parseEitherWay(String json) {
    for (InvalidFlagPolicy policy : InvalidFlagPolicy.values()) {
      parse(json, FlagSetOptions.builder().invalidFlagPolicy(policy).build());
    }
  }

  /** The flag set {@code json} parses to, or empty when it is refused, which must name where each problem is. */
  private static Optional<FlagSet> parse(String json, FlagSetOptions options) {
    return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      try {
        return Optional.of(FlagSet.parse(json, ReloadableSource.ORIGIN, options));
      } catch (InvalidFlagSetException e) {
        ProblemPaths.assertEachNamed(e.problems(), e.getMessage(), ReloadableSource.ORIGIN);
        return Optional.empty();
      }
    });
  }

  /**
   * Reloads the provider with {@code json}: a file that parses is served; one that does not leaves
   * the flags served before in place, and is reported as the last load failure with its problems.
   */
  static FlagSet load(String json) {
    FlagSet before = provider.flagSet().orElseThrow();
    Optional<FlagSet> parsed = parse(json, FlagSetOptions.builder().invalidFlagPolicy(InvalidFlagPolicy.ISOLATE_FLAG)
        .latencyThresholds(provider.outcomes().latencyThresholds()).build());
    source.reload(json);
    FILES.increment();
    FlagSet after = provider.flagSet().orElseThrow();
    if (parsed.isPresent()) {
      assertThat(after.flags().keySet()).containsExactlyElementsOf(parsed.get().flags().keySet());
      assertThat(provider.lastLoadFailure()).isEmpty();
    } else {
      REJECTED.increment();
      assertThat(after).isSameAs(before);
      assertThat(provider.lastLoadFailure()).hasValueSatisfying(
          failure -> ProblemPaths.assertEachNamed(failure.problems(), failure.message(), ReloadableSource.ORIGIN));
    }
    return after;
  }

  /** A provider method or a client method resolving one type. */
  @FunctionalInterface
  private interface Resolver<T, R> {
    R resolve(String key, T defaultValue, EvaluationContext context);
  }

  /** One of the six types a flag resolves as, with the provider's and the client's method for it. */
  private static final class Typed<T> {
    private final Class<T> type;
    private final T defaultValue;
    private final Resolver<T, ProviderEvaluation<T>> provider;
    private final Resolver<T, FlagEvaluationDetails<T>> client;

    Typed(Class<T> type, T defaultValue, Resolver<T, ProviderEvaluation<T>> provider,
        Resolver<T, FlagEvaluationDetails<T>> client) {
      this.type = type;
      this.defaultValue = defaultValue;
      this.provider = provider;
      this.client = client;
    }

    void check(String key, EvaluationContext context) {
      ProviderEvaluation<T> direct = provider.resolve(key, defaultValue, context);
      EVALUATIONS.increment();
      Supplier<String> what = () -> type.getSimpleName() + " evaluation of \"" + key + "\" in " + context;
      if (direct.getErrorCode() != null) {
        assertThat(direct.getReason()).as(what).isEqualTo(Reason.ERROR.name());
        assertThat(direct.getValue()).as(what).isEqualTo(defaultValue);
        assertThat(direct.getErrorMessage()).as(what).isNotBlank();
      } else {
        assertThat(direct.getReason()).as(what).isNotNull().isNotEqualTo(Reason.ERROR.name());
        assertThat(direct.getValue()).as(what).isInstanceOf(type);
      }
      if (context == null) {
        return; // the client always passes a context, so it would not resolve the same call
      }
      FlagEvaluationDetails<T> details = client.resolve(key, defaultValue, context);
      EVALUATIONS.increment();
      assertThat(details.getValue()).as(what).isEqualTo(direct.getValue());
      assertThat(details.getVariant()).as(what).isEqualTo(direct.getVariant());
      assertThat(details.getReason()).as(what).isEqualTo(direct.getReason());
      assertThat(details.getErrorCode()).as(what).isEqualTo(direct.getErrorCode());
      assertThat(details.getErrorMessage()).as(what).isEqualTo(direct.getErrorMessage());
    }
  }
}
