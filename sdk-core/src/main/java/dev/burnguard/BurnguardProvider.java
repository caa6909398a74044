package dev.burnguard;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.outcome.Guard;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.internal.store.FileRolloutStore;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.internal.store.InMemoryRolloutStore;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.source.FlagSource;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.TrackingEventDetails;
import dev.openfeature.sdk.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The Burnguard OpenFeature provider: evaluates flags in flagd's flag-definition format in process.
 *
 * <pre>{@code
 * BurnguardProvider provider = BurnguardProvider.builder()
 *     .source(FlagSource.file(Path.of("flags.json")))
 *     .build();
 * OpenFeatureAPI.getInstance().setProviderAndWait(provider);
 * }</pre>
 *
 * <p>Events: READY after the first valid load (if that happens only after {@link #initialize}
 * gave up, READY is emitted then); CONFIGURATION_CHANGED with the exact keys of the flags added,
 * removed or changed by a reload; STALE when a reload fails — the last good flags stay in force —
 * or when a reload keeps some flags at their last good definition because their new one is invalid
 * (the event's metadata names them: {@value #LAST_KNOWN_GOOD_METADATA}); READY again when a later
 * load succeeds with every flag as the file says. If the first load fails, {@link #initialize}
 * throws and the OpenFeature SDK reports ERROR. Under the default {@link InvalidFlagPolicy#ISOLATE_FLAG}
 * a first load with invalid flags succeeds: those flags resolve with PARSE_ERROR.
 *
 * <p>Rollout state persists by default: unless the builder says otherwise ({@link
 * Builder#stateDirectory}, {@link Builder#rolloutStore}, {@link Builder#inMemoryRolloutState}), the
 * first guarded rollout opens a {@link FileRolloutStore} in the {@linkplain #DEFAULT_STATE_DIRECTORY
 * default state directory}, so that a restart keeps every rollout where it was (a rolled-back flag
 * stays rolled back). If that directory cannot be opened (unwritable, or held by another provider),
 * the rollouts run on state in memory, and the provider says so in its log, in {@link #health()} and
 * with a STALE event whose metadata carries {@value #STORE_HEALTHY_METADATA} = false. State kept in
 * memory by choice ({@link Builder#inMemoryRolloutState}, an {@link InMemoryRolloutStore}) is
 * warned about in the log and in {@link #health()} once a rollout is guarded.
 *
 * <p>When the {@linkplain #rolloutStore() rollout store} cannot write (a full disk, a read-only
 * state directory), the guardian keeps deciding and serving on the state in memory; the store logs
 * the error once and reports it in {@link RolloutStore#health()} and {@link #health()}, the
 * provider emits STALE (metadata {@value #STORE_HEALTHY_METADATA} = false, {@value
 * #STORE_ERROR_METADATA}, {@value #STORE_PENDING_METADATA}) — the rollout state on disk is behind
 * what is served — and every guardian tick retries, so the decisions made meanwhile are written as
 * soon as the disk works again; then the provider emits READY (metadata {@value
 * #STORE_HEALTHY_METADATA} = true) unless its flags are stale for another reason. A crash before the
 * store recovers loses the decisions made meanwhile (the restart serves the last state that was
 * written).
 *
 * <p>Evaluation never throws, blocks or logs: errors are results with an OpenFeature error code,
 * and before the first load every evaluation is {@code PROVIDER_NOT_READY}.
 *
 * <p>This class is the OpenFeature adapter: the loading of flags (the stale and last-known-good
 * state machine, its events) is {@code FlagLoading}'s, the rollout machinery {@code
 * RolloutRuntime}'s. Concurrency: the current {@link FlagSet} is one volatile reference in {@code
 * FlagLoading}, replaced whole, so every evaluation sees one consistent snapshot; loads are
 * serialized there and published with their rollout gates in one swap (its class comment says
 * how). Evaluations take no lock.
 */
public final class BurnguardProvider extends EventProvider {
  /** The provider name in OpenFeature metadata and telemetry. */
  public static final String NAME = "burnguard";

  /**
   * The tracking event name that records an outcome: {@code client.track("burnguard.outcome", ctx,
   * details)}. See {@link #track}.
   */
  public static final String OUTCOME_EVENT = "burnguard.outcome";

  /**
   * STALE event metadata: why the provider is stale, {@code "load-failed"} (the whole file was
   * refused; the last good flag set is in force) or {@code "invalid-flag-definitions"} (some flags
   * are served from their last good definition).
   */
  public static final String STALE_CAUSE_METADATA = "burnguard.staleCause";
  /** STALE event metadata: the keys of the flags served from their last good definition, comma-separated. */
  public static final String LAST_KNOWN_GOOD_METADATA = "burnguard.flagsAtLastKnownGood";
  /** STALE event metadata: how many flags are served from their last good definition. */
  public static final String LAST_KNOWN_GOOD_COUNT_METADATA = "burnguard.flagsAtLastKnownGoodCount";
  /**
   * Where rollout state is kept when the builder names no store: {@code burnguard-state} in the
   * working directory ({@code user.dir}), or the path in the system property {@value
   * #STATE_DIRECTORY_PROPERTY}. Opened with the first guarded rollout only.
   */
  public static final String DEFAULT_STATE_DIRECTORY = "burnguard-state";
  /** System property overriding {@link #DEFAULT_STATE_DIRECTORY} (a path). */
  public static final String STATE_DIRECTORY_PROPERTY = "burnguard.stateDirectory";
  /**
   * System property that, set to {@code true}, keeps the rollout state of providers whose builder
   * names no store in memory: for test suites that build many providers. Logged as a warning.
   */
  public static final String IN_MEMORY_STATE_PROPERTY = "burnguard.inMemoryRolloutState";
  /** Event metadata keys of a rollout-store health change. */
  public static final String STORE_HEALTHY_METADATA = "burnguard.store.healthy";
  public static final String STORE_ERROR_METADATA = "burnguard.store.error";
  public static final String STORE_PENDING_METADATA = "burnguard.store.pendingDecisions";

  private static final Metadata METADATA = () -> NAME;

  private final FlagSource source;
  private final Clock clock;
  private final Duration initTimeout;
  /** The flag-loading state machine: the flags served, the last failure, the stale and initializing states. */
  private final FlagLoading loading;
  /** The recorder, guardian, timer and rollout store, shared in kind with {@link GuardedProvider}. */
  final RolloutRuntime runtime; // package-private: ProviderInternals reads it (see RolloutRuntime)

  private BurnguardProvider(Builder b) {
    this.source = b.source;
    this.clock = b.options.clock;
    this.initTimeout = b.initTimeout;
    this.loading = new FlagLoading(b.options, FlagSetOptions.builder().clock(b.options.clock)
        .invalidFlagPolicy(b.invalidFlagPolicy).latencyThresholds(b.options.latencyThresholds).build(), b.plans, this);
    this.runtime = loading.runtime();
  }

  /** The default state directory: the system property {@value #STATE_DIRECTORY_PROPERTY}, else {@code ./burnguard-state}. */
  static Path defaultStateDirectory() {
    return RolloutRuntime.defaultStateDirectory();
  }

  /**
   * Whether rollout state is safe: the store's health, where the state is kept, and the warnings
   * about state that a restart would lose (kept in memory while rollouts are guarded, a state
   * directory that could not be opened). Also announces a change of the store's health as an event
   * if the guardian's tick has not yet. Never blocks on I/O.
   */
  public ProviderHealth health() {
    return runtime.health();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Metadata getMetadata() {
    return METADATA;
  }

  /**
   * Starts the flag source and waits (up to the init timeout) for its first result.
   *
   * @throws IllegalStateException when the first load fails or does not finish in time; the message
   *     names the source and every problem. The source keeps trying, and READY follows its first
   *     good load.
   */
  @Override
  public void initialize(@Nullable EvaluationContext evaluationContext) throws Exception {
    if (!loading.begin()) {
      return;
    }
    loading.initialize(() -> {
      runtime.start();
      source.start(loading.sink());
    }, initTimeout, source.describe());
  }

  /**
   * Where rollout states and decisions are kept: a {@link FileRolloutStore} in the
   * {@linkplain Builder#stateDirectory state directory}, the store given to the builder, or an
   * in-memory store (nothing survives a restart). Its {@link RolloutStore#health()} says whether it
   * is writing.
   */
  public RolloutStore rolloutStore() {
    return runtime.store();
  }

  /**
   * This provider's guarded rollouts: states, recent decisions, the manual controls (pause, resume,
   * promote, rollback, reset, each with the actor) and closable decision listeners.
   */
  public Rollouts rollouts() {
    return runtime.rollouts();
  }

  /**
   * Closes the source and returns to the uninitialized state (spec 2.5.2): evaluations answer
   * {@code PROVIDER_NOT_READY} from now on. A provider cannot be initialized again after this.
   */
  @Override
  public void shutdown() {
    loading.shutDown();
    runtime.close();
    source.close();
    super.shutdown();
  }

  /** The flags in force, or empty before the first successful load. */
  public Optional<FlagSet> flagSet() {
    return Optional.ofNullable(loading.flags());
  }

  /**
   * This provider's recorded outcomes: record how a flag variant's calls end (as a Guard and
   * {@link #track} do, or code that measures on its own: {@code provider.outcomes().record(flag,
   * variant, latency, outcome)}) and read each variant's window counts and latency distribution.
   * Only variants of the flags currently loaded get series; a reload drops the series of variants
   * that no longer exist.
   */
  public Outcomes outcomes() {
    return runtime.recorder();
  }

  /**
   * A {@link Guard} builder over this provider, its recorder and its clock: {@code
   * provider.guard().resultClassifier(...).build()}.
   */
  public Guard.Builder guard() {
    return Guard.builder(this, runtime.recorder()).clock(clock);
  }

  /**
   * Records an outcome from OpenFeature tracking. Only the event {@value #OUTCOME_EVENT} is read;
   * others are ignored. Its details:
   *
   * <ul>
   *   <li>value: the call's latency in milliseconds (fractions allowed; absent means 0);
   *   <li>{@code outcome}: {@code "success"} (or absent) or {@code "error"}; anything else is ignored;
   *   <li>{@code flagKey} (optional): the flag whose variant served the call;
   *   <li>{@code variant} (optional, with {@code flagKey}): the variant that served it;
   *   <li>{@code journey} (optional): the user journey the call belongs to, counted (as well) for
   *       the service SLOs declared over it (see {@link dev.burnguard.outcome.Guard.OutcomeRecorder#recordJourney}).
   * </ul>
   *
   * <p>With a flag key but no variant, the outcome goes to the variant that flag assigns to the
   * context. Without a flag key, it goes to every guarded flag (metadata
   * {@code "burnguard.guarded": true}), each time to the variant that flag deterministically
   * assigns to the context — the same variant an evaluation with that context gets. Outcomes for
   * unknown flags or variants are refused and counted in {@link SliRecorder#refusedOutcomes()}.
   * Never throws.
   */
  @Override
  public void track(String eventName, EvaluationContext context, @Nullable TrackingEventDetails details) {
    if (!OUTCOME_EVENT.equals(eventName) || details == null) {
      return;
    }
    try {
      FlagSet current = loading.flags();
      Outcome outcome = outcomeOf(details.getValue("outcome"));
      if (current == null || outcome == null) {
        return;
      }
      long latencyNanos = latencyNanosOf(details);
      String journey = stringOf(details.getValue("journey"));
      if (journey != null) {
        runtime.recorder().recordJourney(journey, latencyNanos, outcome);
      }
      String flagKey = stringOf(details.getValue("flagKey"));
      if (flagKey != null) {
        String variant = stringOf(details.getValue("variant"));
        runtime.recorder().record(flagKey, variant != null ? variant : current.assignedVariant(flagKey, context),
            latencyNanos, outcome);
        return;
      }
      for (String guarded : current.guardedFlags()) {
        String variant = current.assignedVariant(guarded, context);
        if (variant != null) {
          runtime.recorder().record(guarded, variant, latencyNanos, outcome);
        }
      }
    } catch (RuntimeException e) {
      // tracking must never disturb the caller; a malformed event is dropped
    }
  }

  /** A tracking event's latency: its value in milliseconds (absent means 0). */
  static long latencyNanosOf(TrackingEventDetails details) {
    return details.getValue().map(ms -> (long) (ms.doubleValue() * 1_000_000)).orElse(0L);
  }

  static Outcome outcomeOf(Value v) {
    String s = stringOf(v);
    if (s == null || s.equalsIgnoreCase("success")) {
      return Outcome.SUCCESS;
    }
    return s.equalsIgnoreCase("error") ? Outcome.ERROR : null;
  }

  static String stringOf(Value v) {
    return v != null && v.isString() ? v.asString() : null;
  }

  /**
   * The last failed load (the whole file refused: unreadable, malformed JSON, or any invalid flag
   * under {@link InvalidFlagPolicy#REJECT_FILE}), or empty if the last load succeeded. A load that
   * keeps some flags at their last good definition succeeded: see {@link #flagsAtLastKnownGood()}.
   */
  public Optional<LoadFailure> lastLoadFailure() {
    return Optional.ofNullable(loading.lastFailure());
  }

  /**
   * The flags served from their last good definition because their definition in the current file
   * is invalid, by key, with the problems of that definition (file, JSON path, value); empty when
   * every flag is served as the file says. While it is not empty the provider is STALE.
   */
  public Map<String, List<FlagProblem>> flagsAtLastKnownGood() {
    FlagSet current = loading.flags();
    return current == null ? Map.of() : current.flagsAtLastKnownGood();
  }

  /**
   * The flags that resolve with {@code PARSE_ERROR} because their definition is invalid and there is
   * no good one to keep (invalid since they first appeared), by key, with their problems.
   */
  public Map<String, List<FlagProblem>> invalidFlags() {
    FlagSet current = loading.flags();
    return current == null ? Map.of() : current.invalidFlags();
  }

  // ---------------------------------------------------------------- evaluation

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
    return evaluate(key, Boolean.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
    return evaluate(key, String.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
    return evaluate(key, Integer.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Long> getLongEvaluation(String key, Long defaultValue, EvaluationContext ctx) {
    return evaluate(key, Long.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
    return evaluate(key, Double.class, defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
    return evaluate(key, Value.class, defaultValue, ctx);
  }

  private <T> ProviderEvaluation<T> evaluate(String key, Class<T> type, T defaultValue, EvaluationContext ctx) {
    FlagSet current = loading.flags();
    if (current == null) {
      return new ProviderEvaluation<>(defaultValue, null, Reason.ERROR.name(), ErrorCode.PROVIDER_NOT_READY,
          "no flags loaded yet from " + source.describe(), ImmutableMetadata.EMPTY);
    }
    try {
      return current.evaluate(key, type, defaultValue, ctx);
    } catch (RuntimeException | StackOverflowError e) {
      // FlagSet.evaluate does not throw; this guards the host against a bug of ours.
      return new ProviderEvaluation<>(defaultValue, null, Reason.ERROR.name(), ErrorCode.GENERAL,
          "evaluation of flag \"" + key + "\" failed: " + e, ImmutableMetadata.EMPTY);
    }
  }

  /** Builds a {@link BurnguardProvider}. Defaults: system clock, 10 s init timeout, {@link InvalidFlagPolicy#ISOLATE_FLAG}. */
  public static final class Builder extends RolloutBuilder<Builder> {
    private FlagSource source;
    private InvalidFlagPolicy invalidFlagPolicy = InvalidFlagPolicy.ISOLATE_FLAG;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** Where flags come from (required, once). */
    public Builder source(FlagSource source) {
      Objects.requireNonNull(source, "source");
      if (this.source != null) {
        throw new IllegalStateException("source was already set to " + this.source.describe() + "; got "
            + source.describe());
      }
      this.source = source;
      return this;
    }

    /**
     * What a load does with one invalid flag in an otherwise valid file: by default
     * {@link InvalidFlagPolicy#ISOLATE_FLAG} (flagd's PARSE_ERROR for that flag, and on a reload its
     * last good definition kept); {@link InvalidFlagPolicy#REJECT_FILE} for all or nothing.
     */
    public Builder invalidFlagPolicy(InvalidFlagPolicy policy) {
      this.invalidFlagPolicy = Objects.requireNonNull(policy, "invalidFlagPolicy");
      return this;
    }

    public BurnguardProvider build() {
      if (source == null) {
        throw new IllegalStateException("a BurnguardProvider needs a source, e.g. FlagSource.file(path)");
      }
      check();
      return new BurnguardProvider(this);
    }
  }

  /**
   * Why the provider's last attempt to load flags failed; the flags loaded before stay in force.
   *
   * @param origin the file, URL or resource that was read
   * @param message a one-line summary, also sent as the STALE or ERROR event's message
   * @param problems the validation problems, each with its JSON path; empty when the source could not
   *     be read at all
   * @param at when the failure happened, by the provider's clock
   */
  public record LoadFailure(String origin, String message, List<FlagProblem> problems, Instant at) {
    public LoadFailure {
      problems = List.copyOf(problems);
    }
  }

  /**
   * Whether a {@link BurnguardProvider}'s rollout state is safe, as returned by
   * {@link BurnguardProvider#health()}. Immutable.
   *
   * @param store whether the rollout store is writing, or the problem that stops it
   * @param stateLocation the directory the rollout state is kept in, or {@code "memory"}
   * @param warnings why rollout state may be lost on a restart (kept in memory while rollouts are
   *     guarded, a default directory that could not be opened); empty when it is safe
   */
  public record ProviderHealth(StoreHealth store, String stateLocation, List<String> warnings) {
    public ProviderHealth {
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(stateLocation, "stateLocation");
      warnings = List.copyOf(warnings);
    }

    /** True when the store is writing and nothing warns of state a restart would lose. */
    public boolean safe() {
      return store.healthy() && warnings.isEmpty();
    }
  }
}
