package dev.burnguard;

import dev.burnguard.BurnguardProvider.ProviderHealth;
import dev.burnguard.flag.Flag;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.flag.InvalidFlagSetException;
import dev.burnguard.outcome.Guard;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.TrackingEventDetails;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.exceptions.GeneralError;
import dev.openfeature.sdk.exceptions.OpenFeatureError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the rollouts of flags served by <b>any</b> OpenFeature provider — flagd, LaunchDarkly,
 * Unleash, Flagsmith, an in-house one — the way a circuit breaker wraps any call: the delegate keeps
 * resolving every flag; for a flag under a {@link RolloutPlan}, Burnguard's exposure gate decides
 * which of the contexts the delegate assigns the candidate actually get it, records outcomes per
 * variant, and its guardian ramps the candidate up, shrinks it or rolls it back.
 *
 * <pre>{@code
 * GuardedProvider provider = GuardedProvider.builder(new FlagdProvider(options))
 *     .rollout("new-checkout", RolloutPlan.builder("off", "on").build())
 *     .stateDirectory(Path.of("/var/lib/my-service/burnguard"))
 *     .build();
 * OpenFeatureAPI.getInstance().setProviderAndWait(provider);
 * }</pre>
 *
 * <p><b>A guarded flag.</b> The delegate resolves it. When its result is the plan's candidate, the
 * same deterministic, monotonic {@link ExposureGate} as Burnguard's own provider uses (MurmurHash3
 * of the flag key and targeting key) lets the current exposure through; the rest get the control,
 * with reason {@code ROLLOUT} (or {@code ROLLED_BACK} after a rollback). The candidate is matched:
 *
 * <ul>
 *   <li>by <b>variant name</b> when the delegate reports a variant (flagd, InMemoryProvider,
 *       LaunchDarkly's variation index as a name, …): the plan's {@code candidate} and
 *       {@code control} are the delegate's variant names;
 *   <li>by <b>value</b> when the delegate reports none: the values declared for the plan's variants
 *       in the {@linkplain Builder#plans plans file}; without declared values, a <b>boolean</b> flag's
 *       candidate is {@code true} and its control {@code false}, a <b>string</b> flag's variants are
 *       their own values, and integer, double and object flags have no candidate to match (declare
 *       their values). A matched result names its variant (candidate or control), so that outcomes
 *       can be recorded against it.
 * </ul>
 *
 * <p>The control's value served to a held-back context is the delegate's own answer where it can
 * give one — the value it last served for the control variant to any context — otherwise the value
 * declared for the control in the plans file; a boolean flag needs neither (the control is the
 * negation of the candidate's value), nor does a string flag of a value-only delegate without
 * declared values (the control's name). If none of these is known, the caller's default value is
 * served (with the control's name and the rollout reason).
 *
 * <p>Results of a guarded flag carry the delegate's flag metadata plus {@code burnguard.rollout.status},
 * {@code .stage}, {@code .exposure} and {@code .mode}. A delegate's error result (FLAG_NOT_FOUND,
 * TYPE_MISMATCH, …) is returned as it is, never gated; a delegate that throws throws the same
 * exception through this provider (the OpenFeature SDK turns it into the error it names); a slow
 * delegate is as slow, and no lock is held while it resolves. A result that already carries
 * {@code burnguard.rollout.status} was gated by a Burnguard provider underneath (a {@link
 * BurnguardProvider} delegate guarding the same flag) and is passed through, not gated twice.
 *
 * <p><b>Flags without a plan pass through untouched</b>: the delegate's result object itself, with
 * no allocation, lock or log added. So are initialization and shutdown (after the guard's store is
 * opened), hooks, metadata and {@link #track} (the delegate receives every call; {@value
 * BurnguardProvider#OUTCOME_EVENT} events also record outcomes here, as {@link
 * BurnguardProvider#track} describes). The delegate's events (READY, STALE, ERROR,
 * CONFIGURATION_CHANGED) are re-emitted by this provider once it is initialized (a READY only when it
 * ends the delegate's STALE or ERROR); the delegate's READY or ERROR during initialization is the
 * SDK's to report from {@link #initialize}. Every guardian decision that changes what a flag serves
 * is a CONFIGURATION_CHANGED event naming the flag. The delegate's events are heard through an
 * isolated OpenFeature API instance that this provider registers the delegate with (no reflection);
 * register only this provider with your OpenFeature API. A delegate already registered with another
 * API instance is initialized directly and its events are not relayed: a warning says so once, and
 * {@link #relaysDelegateEvents()} is false.
 *
 * <p>Rollout state, the recorder, the guardian and its timer, the store and its health events are
 * the same as {@link BurnguardProvider}'s (and so are the builder's options for them).
 *
 * <p>Concurrency: the guarded flags are one volatile, immutable map, replaced whole when a plan or
 * a gate changes (under {@link #gatesLock}, called by the guardian under its lock); an evaluation
 * reads it once and takes no lock. The value last served for a control is a racy single-reference
 * cache per flag (any value the delegate served for the control is a correct one).
 */
public final class GuardedProvider extends EventProvider {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedProvider.class);

  private final FeatureProvider delegate;
  private final Map<String, RolloutPlan> codePlans;
  private final FlagSource plansSource;
  private final Duration initTimeout;
  /** How the plans file is read: all or nothing, its plans judgeable on the recorder's latency thresholds. */
  private final FlagSetOptions plansFileOptions;
  final RolloutRuntime runtime; // package-private: ProviderInternals reads it (see RolloutRuntime)
  private final CountDownLatch firstPlans = new CountDownLatch(1);
  private final Object gatesLock = new Object();

  /** The flags under a plan, with their gate; read once per evaluation; a map never modified once published. */
  private volatile Map<String, GuardedFlag> guarded = Map.of();
  // guarded by gatesLock
  private Map<String, GuardedFlag> planned = Map.of();
  private volatile FlagSet plansFile;
  private volatile String plansFailure;
  private volatile boolean initialized;
  /** The isolated API instance the delegate is registered with to relay its events; null when not relaying. */
  private volatile OpenFeatureAPI delegateApi;
  /** The delegate's last READY, STALE or ERROR relayed (READY once initialized). */
  private final AtomicReference<ProviderEvent> lastDelegateState = new AtomicReference<>();

  private GuardedProvider(Builder b) {
    this.delegate = b.delegate;
    this.codePlans = Map.copyOf(b.plans);
    this.plansSource = b.plansSource;
    this.initTimeout = b.initTimeout;
    this.runtime = new RolloutRuntime(b.options, this::isKnownVariant, this::gatesChanged, this, () -> false);
    this.plansFileOptions = FlagSetOptions.builder().invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE)
        .latencyThresholds(b.options.latencyThresholds).build();
  }

  /** Wraps {@code delegate} with no plan yet: every flag passes through. See {@link #builder}. */
  public static GuardedProvider wrap(FeatureProvider delegate) {
    return builder(delegate).build();
  }

  /** Starts building a guard over {@code delegate}. */
  public static Builder builder(FeatureProvider delegate) {
    return new Builder(delegate);
  }

  /** The provider this one guards. */
  public FeatureProvider delegate() {
    return delegate;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Opens the rollout store (restoring every rollout), reads the plans file if there is one (up to
   * the init timeout), starts the guardian and initializes the delegate: its exception, if it
   * throws, is this provider's.
   */
  @Override
  public void initialize(@Nullable EvaluationContext evaluationContext) throws Exception {
    runtime.start();
    if (plansSource != null) {
      plansSource.start(new PlansSink());
      boolean answered = firstPlans.await(initTimeout.toMillis(), TimeUnit.MILLISECONDS);
      if (plansFile == null) {
        throw new IllegalStateException(!answered && plansFailure == null
            ? "no rollout plans from " + plansSource.describe() + " within " + initTimeout
            : "cannot load rollout plans: " + plansFailure);
      }
    } else {
      applyPlans(null);
    }
    initializeDelegate(evaluationContext);
    lastDelegateState.set(ProviderEvent.PROVIDER_READY);
    initialized = true;
  }

  @Override
  public void shutdown() {
    initialized = false;
    try {
      if (plansSource != null) {
        plansSource.close();
      }
      runtime.close();
    } finally {
      try {
        OpenFeatureAPI api = delegateApi;
        if (api != null) {
          api.shutdown(); // shuts the delegate down (the SDK logs an exception of its shutdown)
        } else {
          delegate.shutdown();
        }
      } finally {
        super.shutdown();
      }
    }
  }

  @Override
  public Metadata getMetadata() {
    return delegate.getMetadata();
  }

  @Override
  public List<Hook> getProviderHooks() {
    return delegate.getProviderHooks();
  }

  // ---------------------------------------------------------------- events

  /**
   * Initializes the delegate. An {@link EventProvider} delegate is registered, for this purpose
   * only, with an isolated {@link OpenFeatureAPI} instance of its own, whose public event handlers
   * hear its events: the SDK's supported way to observe a provider's events (it attaches the
   * provider itself; {@code EventProvider.attach} is package-private and the SDK's {@code
   * MultiProvider} does not relay its children's events). That instance initializes the delegate
   * with {@code evaluationContext} and shuts it down with this provider. If the SDK refuses the
   * registration (the delegate is registered with another API instance, which OpenFeature's spec
   * 1.8.4 forbids), the delegate is initialized directly, its events are not relayed, and a warning
   * says so once; evaluations and the guard's own events are unaffected.
   *
   * @throws Exception the delegate's own exception when its initialization fails
   */
  private void initializeDelegate(EvaluationContext evaluationContext) throws Exception {
    if (!(delegate instanceof EventProvider)) {
      delegate.initialize(evaluationContext);
      return;
    }
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    for (ProviderEvent event : ProviderEvent.values()) {
      api.on(event, details -> relay(event, details));
    }
    api.setEvaluationContext(evaluationContext == null ? new ImmutableContext() : evaluationContext);
    try {
      api.setProviderAndWait(delegate);
    } catch (IllegalStateException e) {
      api.shutdown();
      LOG.warn("The events of provider {} are not relayed by the GuardedProvider around it: {} Register only the "
          + "GuardedProvider with the OpenFeature API. Its flags are evaluated and guarded as usual.",
          delegate.getMetadata().getName(), e.getMessage());
      delegate.initialize(evaluationContext);
      return;
    } catch (OpenFeatureError e) {
      delegateApi = api; // registered: shut down with this provider
      // the SDK wrapped the delegate's exception: throw the delegate's own, as a direct call would
      throw e instanceof GeneralError && e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
    delegateApi = api;
  }

  /** Whether the delegate's events are relayed as this provider's (see {@link #initializeDelegate}). */
  public boolean relaysDelegateEvents() {
    return delegateApi != null;
  }

  /**
   * Re-emits a delegate event once initialized (during initialization, the SDK reports the
   * outcome); a READY that does not end a STALE or ERROR of the delegate is not repeated.
   */
  private void relay(ProviderEvent event, ProviderEventDetails details) {
    if (!initialized) {
      return;
    }
    if (event != ProviderEvent.PROVIDER_CONFIGURATION_CHANGED) {
      ProviderEvent previous = lastDelegateState.getAndSet(event);
      if (event == ProviderEvent.PROVIDER_READY && previous == ProviderEvent.PROVIDER_READY) {
        return;
      }
    }
    emit(event, details);
  }

  // ---------------------------------------------------------------- plans and gates

  /** The plans in force: the plans file's, overridden by those given in code. */
  private void applyPlans(FlagSet file) {
    Map<String, RolloutPlan> plans = new LinkedHashMap<>(file == null ? Map.of() : file.rollouts());
    plans.putAll(codePlans);
    runtime.plansInForce(!plans.isEmpty());
    runtime.guardian().plansServedWith(plans, codePlans.keySet(), gates -> {
      synchronized (gatesLock) {
        Map<String, GuardedFlag> next = new HashMap<>();
        plans.forEach((key, plan) -> next.put(key, GuardedFlag.of(key, plan,
            codePlans.containsKey(key) || file == null ? null : file.flag(key).orElse(null), planned.get(key))));
        planned = Collections.unmodifiableMap(next);
        plansFile = file;
        serve(gates);
      }
    });
    runtime.recorder().retain(this::isKnownVariant);
  }

  private void gatesChanged(Map<String, ExposureGate> gates) {
    synchronized (gatesLock) {
      serve(gates);
    }
  }

  /** Publishes the planned flags behind {@code gates}; a flag without a gate (its rollout retained) passes through. */
  private void serve(Map<String, ExposureGate> gates) {
    Map<String, GuardedFlag> next = new HashMap<>();
    planned.forEach((key, flag) -> {
      ExposureGate gate = gates.get(key);
      if (gate != null) {
        next.put(key, flag.withGate(gate));
      }
    });
    guarded = next; // never modified once published: the evaluation path's lookup is a plain HashMap.get
  }

  private boolean isKnownVariant(String flagKey, String variant) {
    GuardedFlag flag = guarded.get(flagKey);
    return flag != null && (flag.plan.candidate().equals(variant) || flag.plan.control().equals(variant));
  }

  /** Receives the plans file; serialized by the source, never throws. */
  private final class PlansSink implements FlagSink {
    @Override
    public void content(String json, String origin) {
      try {
        flags(FlagSet.parse(json, origin, plansFileOptions));
      } catch (InvalidFlagSetException e) {
        failed(origin, e.getMessage(), e);
      } catch (RuntimeException e) {
        failed(origin, "cannot load rollout plans: " + e, e);
      }
    }

    @Override
    public void flags(FlagSet flags) {
      List<FlagProblem> uncounted = runtime.uncountedLatency(flags);
      if (!uncounted.isEmpty()) {
        failed(flags.origin(), new InvalidFlagSetException(uncounted).getMessage(), null);
        return;
      }
      try {
        applyPlans(flags);
        plansFailure = null;
        LOG.info("Rollout plans from {}: {}", flags.origin(), flags.rollouts().keySet());
      } catch (RuntimeException e) {
        failed(flags.origin(), "cannot apply rollout plans: " + e, e);
        return;
      } finally {
        firstPlans.countDown();
      }
    }

    @Override
    public void failed(String origin, String reason, Throwable cause) {
      plansFailure = reason.contains(origin) ? reason : origin + ": " + reason;
      firstPlans.countDown();
      if (plansFile != null) {
        LOG.warn("Keeping the last good rollout plans: {}", plansFailure);
        emitProviderStale(ProviderEventDetails.builder().message("rollout plans not reloaded: " + plansFailure)
            .eventMetadata(ImmutableMetadata.builder().addString(BurnguardProvider.STALE_CAUSE_METADATA, "load-failed")
                .build())
            .build());
      } else {
        LOG.error("No rollout plans loaded: {}", plansFailure);
      }
    }
  }

  // ---------------------------------------------------------------- evaluation

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
    return guard(key, delegate.getBooleanEvaluation(key, defaultValue, ctx), GuardedFlag.BOOLEAN, Boolean.class,
        defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
    return guard(key, delegate.getStringEvaluation(key, defaultValue, ctx), GuardedFlag.STRING, String.class,
        defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
    return guard(key, delegate.getIntegerEvaluation(key, defaultValue, ctx), GuardedFlag.INTEGER, Integer.class,
        defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Long> getLongEvaluation(String key, Long defaultValue, EvaluationContext ctx) {
    return guard(key, delegate.getLongEvaluation(key, defaultValue, ctx), GuardedFlag.LONG, Long.class,
        defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
    return guard(key, delegate.getDoubleEvaluation(key, defaultValue, ctx), GuardedFlag.DOUBLE, Double.class,
        defaultValue, ctx);
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
    return guard(key, delegate.getObjectEvaluation(key, defaultValue, ctx), GuardedFlag.OBJECT, Value.class,
        defaultValue, ctx);
  }

  /** The delegate's {@code result} as is for an unguarded flag, else through the flag's gate. */
  private <T> ProviderEvaluation<T> guard(String key, ProviderEvaluation<T> result, int type, Class<T> javaType,
      T defaultValue, EvaluationContext ctx) {
    GuardedFlag flag = key == null ? null : guarded.get(key);
    return flag == null ? result : flag.serve(result, type, javaType, defaultValue, ctx);
  }

  // ---------------------------------------------------------------- outcomes

  /**
   * Records {@value BurnguardProvider#OUTCOME_EVENT} events against the guarded flags (as {@link
   * BurnguardProvider#track} describes; the variant of a flag named without one is the variant this
   * provider serves the context, evaluated as the type the flag was last evaluated as), then hands
   * every event to the delegate.
   */
  @Override
  public void track(String eventName, EvaluationContext context, TrackingEventDetails details) {
    if (BurnguardProvider.OUTCOME_EVENT.equals(eventName) && details != null) {
      recordOutcome(context, details);
    }
    delegate.track(eventName, context, details);
  }

  private void recordOutcome(EvaluationContext context, TrackingEventDetails details) {
    try {
      Outcome outcome = BurnguardProvider.outcomeOf(details.getValue("outcome"));
      if (outcome == null) {
        return;
      }
      long latencyNanos = BurnguardProvider.latencyNanosOf(details);
      String flagKey = BurnguardProvider.stringOf(details.getValue("flagKey"));
      Map<String, GuardedFlag> current = guarded;
      if (flagKey != null) {
        String variant = BurnguardProvider.stringOf(details.getValue("variant"));
        GuardedFlag flag = current.get(flagKey);
        if (variant == null && flag != null) {
          variant = servedVariant(flag, context);
        }
        runtime.recorder().record(flagKey, variant, latencyNanos, outcome);
        return;
      }
      for (GuardedFlag flag : current.values()) {
        String variant = servedVariant(flag, context);
        if (variant != null) {
          runtime.recorder().record(flag.key, variant, latencyNanos, outcome);
        }
      }
    } catch (RuntimeException e) {
      // tracking must never disturb the caller; a malformed event is dropped
    }
  }

  /** The variant this provider serves {@code context} for {@code flag}, as the type it was last evaluated as. */
  private String servedVariant(GuardedFlag flag, EvaluationContext context) {
    EvaluationContext ctx = context == null ? new ImmutableContext() : context;
    switch (flag.lastType) {
      case GuardedFlag.STRING:
        return getStringEvaluation(flag.key, null, ctx).getVariant();
      case GuardedFlag.INTEGER:
        return getIntegerEvaluation(flag.key, null, ctx).getVariant();
      case GuardedFlag.LONG:
        return getLongEvaluation(flag.key, null, ctx).getVariant();
      case GuardedFlag.DOUBLE:
        return getDoubleEvaluation(flag.key, null, ctx).getVariant();
      case GuardedFlag.OBJECT:
        return getObjectEvaluation(flag.key, null, ctx).getVariant();
      default:
        return getBooleanEvaluation(flag.key, null, ctx).getVariant();
    }
  }

  // ---------------------------------------------------------------- reads and controls

  /**
   * The guarded rollouts: states, recent decisions, the manual controls (pause, resume, promote,
   * rollback, reset, each with the actor) and closable decision listeners.
   */
  public Rollouts rollouts() {
    return runtime.rollouts();
  }

  /** The outcomes recorded for the guarded flags: record, and read window counts and latency. */
  public Outcomes outcomes() {
    return runtime.recorder();
  }

  /** A {@link Guard} builder over this provider, its recorder and its clock. */
  public Guard.Builder guard() {
    return Guard.builder(this, runtime.recorder()).clock(runtime.clock());
  }

  /** Where rollout states and decisions are kept; see {@link BurnguardProvider#rolloutStore()}. */
  public RolloutStore rolloutStore() {
    return runtime.store();
  }

  /** Whether rollout state is safe; see {@link BurnguardProvider#health()}. */
  public ProviderHealth health() {
    return runtime.health();
  }

  /** The plans in force, by flag: the plans file's and those given in code (which take precedence). */
  public Map<String, RolloutPlan> plans() {
    return runtime.guardian().plans();
  }

  /**
   * Builds a {@link GuardedProvider}. Defaults as {@link BurnguardProvider.Builder}'s: system
   * clock, rollout state in the default state directory, 1 s guardian tick, 10 s init timeout for
   * the plans file.
   */
  public static final class Builder extends RolloutBuilder<Builder> {
    private final FeatureProvider delegate;
    private FlagSource plansSource;

    private Builder(FeatureProvider delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      if (delegate instanceof GuardedProvider) {
        throw new IllegalArgumentException("the delegate is already a GuardedProvider; give its plans to it");
      }
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * Reads rollout plans from a file in flagd's flag-file format, hot-reloaded: each flag with a
     * {@code "rollout"} member (the same schema as in Burnguard's own flag files) is guarded; its
     * {@code "variants"} name the delegate's variants and declare their values (used for value-only
     * delegates and as the control's value until the delegate has served it); its state, default
     * variant and targeting are not used. A file with any invalid flag is refused whole (the last
     * good plans stay in force; a STALE event says why).
     */
    public Builder plans(Path plansFile) {
      return plans(FlagSource.file(Objects.requireNonNull(plansFile, "plansFile")));
    }

    /** Reads rollout plans from {@code source} (once): see {@link #plans(Path)}. */
    public Builder plans(FlagSource source) {
      Objects.requireNonNull(source, "plans source");
      if (plansSource != null) {
        throw new IllegalStateException("plans was already set to " + plansSource.describe() + "; got "
            + source.describe());
      }
      this.plansSource = source;
      return this;
    }

    public GuardedProvider build() {
      check();
      return new GuardedProvider(this);
    }
  }

  /**
   * One guarded flag: its plan, the values declared for its variants, its gate, and the value the
   * delegate last served for its control. Immutable but for that cache and the type last evaluated.
   */
  static final class GuardedFlag {
    static final int BOOLEAN = 0;
    static final int STRING = 1;
    static final int INTEGER = 2;
    static final int LONG = 3;
    static final int DOUBLE = 4;
    static final int OBJECT = 5;
    private static final Class<?>[] TYPES = {Boolean.class, String.class, Integer.class, Long.class, Double.class,
        Value.class};

    final String key;
    final RolloutPlan plan;
    /** The declared values of the candidate and control by type index; null where none or not of that type. */
    private final Object[] candidateValues;
    private final Object[] controlValues;
    private final ExposureGate gate;
    private final ImmutableMetadata gateMetadataOnly;
    /** The value the delegate last served for the control variant, shared with the flag's next gates. */
    private final Object[] learnedControl;
    /** The type index the flag was last evaluated as (for tracking without a variant); racy, any is fine. */
    volatile int lastType = BOOLEAN;

    private GuardedFlag(String key, RolloutPlan plan, Object[] candidateValues, Object[] controlValues,
        ExposureGate gate, Object[] learnedControl) {
      this.key = key;
      this.plan = plan;
      this.candidateValues = candidateValues;
      this.controlValues = controlValues;
      this.gate = gate;
      this.learnedControl = learnedControl;
      this.gateMetadataOnly = gate == null ? ImmutableMetadata.EMPTY : merge(ImmutableMetadata.EMPTY, gate.metadata());
    }

    /** A flag under {@code plan}, its values declared by {@code declared} (or none), keeping {@code previous}'s cache. */
    static GuardedFlag of(String key, RolloutPlan plan, Flag declared, GuardedFlag previous) {
      Object[] candidate = typedValues(declared, plan.candidate());
      Object[] control = typedValues(declared, plan.control());
      boolean sameVariants = previous != null && previous.plan.control().equals(plan.control());
      return new GuardedFlag(key, plan, candidate, control, null,
          sameVariants ? previous.learnedControl : new Object[1]);
    }

    GuardedFlag withGate(ExposureGate newGate) {
      return new GuardedFlag(key, plan, candidateValues, controlValues, newGate, learnedControl);
    }

    /**
     * A variant's declared value as each type resolves it, by Burnguard's own evaluator (a one-flag
     * flag set), so the conversions are flagd's; all null without a declared value.
     */
    private static Object[] typedValues(Flag declared, String variant) {
      Object[] typed = new Object[TYPES.length];
      Object json = declared == null ? null : declared.variants().get(variant);
      if (json == null) {
        return typed;
      }
      FlagSet one = FlagSet.builder().flag("v", d -> d.variant(variant, json).defaultVariant(variant)).build();
      for (int t = 0; t < TYPES.length; t++) {
        ProviderEvaluation<?> e = one.evaluate("v", TYPES[t], null, new ImmutableContext());
        typed[t] = e.getErrorCode() == null ? e.getValue() : null;
      }
      return typed;
    }

    /** The delegate's {@code result} behind this flag's gate; never throws (a failure returns the delegate's result). */
    @SuppressWarnings("unchecked")
    <T> ProviderEvaluation<T> serve(ProviderEvaluation<T> result, int type, Class<T> javaType, T defaultValue,
        EvaluationContext ctx) {
      try {
        if (result == null || result.getErrorCode() != null || isGatedBelow(result)) {
          return result;
        }
        lastType = type;
        T value = result.getValue();
        String variant = result.getVariant();
        boolean named = variant != null;
        boolean candidate = named ? plan.candidate().equals(variant) : matches(value, candidateValue(type));
        if (!candidate) {
          boolean control = named ? plan.control().equals(variant) : matches(value, controlValue(type, true));
          if (control && named && learnedControl[0] != value) {
            learnedControl[0] = value;
          }
          if (control) {
            gate.servedControl();
          }
          return withRollout(result, value, control && !named ? plan.control() : variant, result.getReason());
        }
        String targetingKey = ctx == null ? null : ctx.getTargetingKey();
        if (gate.admit(targetingKey)) {
          return withRollout(result, value, plan.candidate(), result.getReason());
        }
        Object learned = learnedControl[0];
        Object control = named && javaType.isInstance(learned) ? learned : controlValue(type, !named);
        if (named && control == null && type == BOOLEAN && value != null) {
          control = !(Boolean) value; // the delegate's candidate is this value, so its control is the other
        }
        return withRollout(result, control == null ? defaultValue : (T) control, plan.control(), gate.heldBackReason());
      } catch (RuntimeException e) {
        return result;
      }
    }

    /** The result as served: the delegate's, with the given value, variant and reason and the rollout metadata. */
    private <T> ProviderEvaluation<T> withRollout(ProviderEvaluation<T> result, T value, String variant, String reason) {
      ImmutableMetadata delegateMetadata = result.getFlagMetadata();
      ImmutableMetadata metadata = delegateMetadata == null || delegateMetadata.isEmpty() ? gateMetadataOnly
          : merge(delegateMetadata, gate.metadata());
      return new ProviderEvaluation<>(value, variant, reason, null, result.getErrorMessage(), metadata);
    }

    /** Whether a Burnguard provider underneath already gated this result (its rollout metadata is there). */
    private static boolean isGatedBelow(ProviderEvaluation<?> result) {
      ImmutableMetadata md = result.getFlagMetadata();
      return md != null && !md.isEmpty() && md.asUnmodifiableMap().containsKey(Guardian.STATUS_METADATA);
    }

    /**
     * The candidate's value as type {@code type}, to match a value-only delegate's result: the value
     * declared for it, else a boolean flag's {@code true} and a string flag's variant name; null
     * (nothing matches) for other types without a declared value.
     */
    private Object candidateValue(int type) {
      Object declared = candidateValues[type];
      if (declared != null) {
        return declared;
      }
      return type == BOOLEAN ? Boolean.TRUE : type == STRING ? plan.candidate() : null;
    }

    /**
     * The control's value as type {@code type}: the value declared for it, else a boolean flag's
     * negation of the candidate's value, else for a value-only delegate ({@code valueOnly}) a string
     * flag's variant name; null when unknown.
     */
    private Object controlValue(int type, boolean valueOnly) {
      Object declared = controlValues[type];
      if (declared != null) {
        return declared;
      }
      if (type == BOOLEAN) {
        if (!valueOnly) {
          return null; // the caller negates the delegate's candidate value
        }
        Object candidate = candidateValue(BOOLEAN);
        return candidate == null ? null : !(Boolean) candidate;
      }
      return type == STRING && valueOnly && candidateValues[STRING] == null ? plan.control() : null;
    }

    private static boolean matches(Object value, Object expected) {
      return value != null && value.equals(expected);
    }

    /** {@code base}'s entries plus {@code extra}'s (which win), as flag metadata. */
    private static ImmutableMetadata merge(ImmutableMetadata base, Map<String, Object> extra) {
      ImmutableMetadata.ImmutableMetadataBuilder b = ImmutableMetadata.builder();
      base.asUnmodifiableMap().forEach((k, v) -> {
        if (!extra.containsKey(k)) {
          add(b, k, v);
        }
      });
      extra.forEach((k, v) -> add(b, k, v));
      return b.build();
    }

    private static void add(ImmutableMetadata.ImmutableMetadataBuilder b, String k, Object v) {
      if (v instanceof String) {
        b.addString(k, (String) v);
      } else if (v instanceof Boolean) {
        b.addBoolean(k, (Boolean) v);
      } else if (v instanceof Integer) {
        b.addInteger(k, (Integer) v);
      } else if (v instanceof Long) {
        b.addLong(k, (Long) v);
      } else if (v instanceof Float) {
        b.addFloat(k, (Float) v);
      } else if (v instanceof Double) {
        b.addDouble(k, (Double) v);
      }
    }
  }
}
