package dev.burnguard;

import dev.burnguard.BurnguardProvider.ProviderHealth;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.json.JsonPath;
import dev.burnguard.internal.budget.ErrorBudgets;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.store.ControlRequests;
import dev.burnguard.internal.store.FileRolloutStore;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.guardian.GuardianRollouts;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.internal.store.InMemoryRolloutStore;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEventDetails;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollout machinery of a guarding provider, shared by {@link BurnguardProvider} and
 * {@link GuardedProvider}: the SLI recorder, the guardian and its timer, the choice and opening of
 * the rollout store (a state directory, a store given, memory, or the default directory opened with
 * the first guarded rollout), the store-health events and the configuration-change event of every
 * decision that changes what a flag serves. A provider builds one from its builder's {@link
 * Options} and tells it when its plans are in force; everything else is the provider's.
 *
 * <p>Concurrency: the store reference is volatile and replaced only when the default directory is
 * opened (under {@link #storeHealthLock}); the announced store health is guarded by that lock; the
 * guardian serializes its own work. The timer is one periodic task, scheduled by {@link #start} on
 * the executor given to the builder or else on a daemon thread of its own, and cancelled by
 * {@link #close} (which shuts down only a thread of its own).
 * Internal, not for public use.
 */
final class RolloutRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutRuntime.class);

  static {
    // Burnguard's own tests and tools reach a provider's engines through ProviderInternals
    ProviderInternals.install(p -> {
      RolloutRuntime r = p instanceof BurnguardProvider b ? b.runtime : p instanceof GuardedProvider g ? g.runtime : null;
      if (r == null) {
        throw new IllegalArgumentException("not a Burnguard provider: " + p.getClass().getName());
      }
      return new ProviderInternals.Engines(r.guardian, r.recorder);
    });
  }

  private final Clock clock;
  private final SliRecorder recorder;
  private final Guardian guardian;
  private final Rollouts rollouts;
  /** The error-budget policy: journey SLO counts (the recorder's) and the review of the guardian's decisions. */
  private final ErrorBudgets budgets;
  private final EventProvider events;
  private final BooleanSupplier flagsStale;
  private final Path stateDirectory;
  /** True when no store was named: {@link #stateDirectory} is the default, opened with the first guarded rollout. */
  private final boolean defaultStateDirectory;
  private final Duration guardianTick;
  private final boolean guardianTicking;
  private volatile RolloutStore store;
  /** This replica's membership of a fleet ({@link Options#fleet}); null without one. */
  private final Fleet.Member fleet;
  /** Why rollout state may be lost (in memory with guarded rollouts, an unwritable directory); empty when safe. */
  private volatile List<String> stateWarnings = List.of();
  private final Object storeHealthLock = new Object();
  private Boolean storeHealthyAnnounced; // guarded by storeHealthLock
  private boolean warnedVolatileState; // guarded by storeHealthLock
  /** The executor given to the builder for the guardian's timer; null for {@link #ownTimer}. Never shut down here. */
  private final ScheduledExecutorService executor;
  /** The provider's own timer thread, when no executor was given; started by {@link #start}. */
  private volatile ScheduledExecutorService ownTimer;
  /** The guardian's periodic tick, once started. */
  private volatile ScheduledFuture<?> ticking;

  /**
   * @param knownVariants the (flag, variant) pairs the recorder keeps series for
   * @param gatesChanged serves new exposure gates (called by the guardian under its lock)
   * @param events the provider that emits the store-health and decision events
   * @param flagsStale whether the provider's flags are stale for another reason (then a store
   *     recovery does not emit READY)
   */
  RolloutRuntime(Options o, BiPredicate<String, String> knownVariants, Consumer<Map<String, ExposureGate>> gatesChanged,
      EventProvider events, BooleanSupplier flagsStale) {
    this.clock = o.clock;
    this.recorder = o.recorder.clock(o.clock).knownVariants(knownVariants).build();
    this.events = events;
    this.flagsStale = flagsStale;
    this.guardianTick = o.guardianTick;
    this.guardianTicking = o.guardianTicking;
    this.executor = o.executor;
    this.defaultStateDirectory = o.stateDirectory == null && o.store == null && !o.inMemoryState && o.fleet == null
        && !Boolean.getBoolean(BurnguardProvider.IN_MEMORY_STATE_PROPERTY);
    this.stateDirectory = defaultStateDirectory ? defaultStateDirectory() : o.stateDirectory;
    this.fleet = o.fleet == null ? null : o.fleet.join(o.clock, localOutcomes(recorder));
    this.store = fleet != null ? fleet.store() : o.store != null ? o.store : new InMemoryRolloutStore();
    this.guardian = new Guardian(o.clock, fleet != null ? fleet.sli() : recorder, new CurrentStore(), gatesChanged,
        o.removedRetention);
    this.guardian.addListener(this::decided);
    Clock reportClock = o.clock;
    this.budgets = new ErrorBudgets(recorder.journeys());
    this.guardian.review(budgets);
    this.rollouts = new GuardianRollouts(guardian, this::store, (flagKey, format, out) -> {
      String f = dev.burnguard.internal.report.RolloutReport.normalizedFormat(format);
      dev.burnguard.internal.report.RolloutReport.of(guardian, store(), java.time.Instant.ofEpochMilli(reportClock.wallMillis()),
          recorder::latency, flagKey).write(f, out);
    }, budgets);
    if (fleet != null) {
      budgets.countsFrom(fleet::journeyCounts); // the fleet's sums, while it knows them
      guardian.coordinate(fleet::sync, fleet::decides);
      store.onChange(guardian::refresh);
    }
  }

  /** This replica's outcomes, as a fleet reads them: the recorder's windows and deltas. */
  private static Fleet.Local localOutcomes(SliRecorder recorder) {
    SliRecorder.Deltas deltas = recorder.deltas();
    return new Fleet.Local() {
      @Override
      public dev.burnguard.outcome.Outcomes.SliSource windows() {
        return recorder;
      }

      @Override
      public void collect(Fleet.DeltaSink sink) {
        deltas.collect(sink::accept);
      }

      /** The journey counts as last collected, by SLO key and hour: what was handed out already. */
      private final Map<String, Map<Long, long[]>> collected = new java.util.HashMap<>();

      @Override
      public void collectJourneys(Fleet.JourneySink sink) {
        dev.burnguard.internal.budget.JourneyCounts journeys = recorder.journeys();
        Map<String, java.util.List<long[]>> now = journeys.hourly(journeys.currentHour());
        collected.keySet().retainAll(now.keySet());
        now.forEach((key, rows) -> {
          Map<Long, long[]> before = collected.computeIfAbsent(key, k -> new java.util.HashMap<>());
          Map<Long, long[]> after = new java.util.HashMap<>();
          for (long[] row : rows) { // {hour, calls, bad}
            long[] was = before.getOrDefault(row[0], new long[3]);
            // counts only grow; lower ones are an SLO declared anew (counting from zero): nothing to hand out
            if (row[1] > was[1] || row[2] > was[2]) {
              sink.accept(key, row[0], Math.max(0, row[1] - was[1]), Math.max(0, row[2] - was[2]));
            }
            after.put(row[0], row);
          }
          collected.put(key, after);
        });
      }
    };
  }

  /** The default state directory: the system property, else {@code ./burnguard-state}. */
  static Path defaultStateDirectory() {
    String configured = System.getProperty(BurnguardProvider.STATE_DIRECTORY_PROPERTY);
    return configured != null && !configured.isBlank() ? Path.of(configured)
        : Path.of(System.getProperty("user.dir")).resolve(BurnguardProvider.DEFAULT_STATE_DIRECTORY);
  }

  Clock clock() {
    return clock;
  }

  SliRecorder recorder() {
    return recorder;
  }

  Guardian guardian() {
    return guardian;
  }

  /** The error-budget policy at work. */
  ErrorBudgets budgets() {
    return budgets;
  }

  /** The {@link Rollouts} façade over the guardian and the store in force. */
  Rollouts rollouts() {
    return rollouts;
  }

  RolloutStore store() {
    return store;
  }

  /**
   * The problems of a flag set handed over whole by its source (built in code, so not parsed with
   * the provider's {@link dev.burnguard.flag.FlagSet.FlagSetOptions#latencyThresholds}): each
   * rollout plan whose latency threshold the recorder does not count, at the threshold's JSON path.
   * Such a set is refused as a failed load.
   */
  List<FlagProblem> uncountedLatency(FlagSet set) {
    List<FlagProblem> problems = new java.util.ArrayList<>();
    set.rollouts().forEach((flagKey, plan) -> plan.slo().latencyThreshold().ifPresent(threshold -> {
      String uncounted = SliRecorder.uncountedLatencyThreshold(threshold, recorder.latencyThresholds());
      if (uncounted != null) {
        String path = JsonPath.child(JsonPath.child(JsonPath.child(JsonPath.child(JsonPath.child("$.flags", flagKey),
            "rollout"), "slo"), "latency"), "threshold");
        problems.add(new FlagProblem(set.origin(), path, threshold.toString(), uncounted));
      }
    }));
    return problems;
  }

  /** Opens the store named by the builder, restores the rollouts it holds and starts the guardian's timer. */
  void start() throws IOException {
    if (stateDirectory != null && !defaultStateDirectory) {
      try {
        store = FileRolloutStore.open(stateDirectory);
      } catch (IOException e) {
        throw new IOException("cannot open the rollout state in " + stateDirectory
            + "; refusing to start rollouts that might re-expose rolled-back variants: " + e.getMessage(), e);
      }
      guardian.persistEvidenceIn(stateDirectory);
      budgets.persistIn(stateDirectory);
      serveControlRequests();
      LOG.info("Rollout state in {}: {} rollouts restored", stateDirectory, store.load().states().size());
    }
    if (fleet != null && stateDirectory == null) {
      guardian.persistEvidenceWith(fleet::evidence, fleet::keepEvidence); // kept with the fleet's state
    }
    guardian.restore(store.load().states().values());
    budgets.restoreOverrides(store.load());
    if (!guardianTicking) {
      return;
    }
    ScheduledExecutorService on = executor;
    if (on == null) {
      ownTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "burnguard-guardian");
        t.setDaemon(true);
        return t;
      });
      on = ownTimer;
    }
    long millis = guardianTick.toMillis();
    ticking = on.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * One tick of the guardian, which also retries the store's writes while it is unhealthy (so the
   * decisions queued while the disk was full or read-only are written as soon as the disk works
   * again), then an event if the store's health changed.
   */
  private void tick() {
    try {
      guardian.tick(); // retries the store's writes too
    } catch (RuntimeException e) {
      LOG.error("Guardian tick failed; the next tick retries", e);
    }
    budgets.write(); // the journey SLOs' hourly counts, when they changed
    try {
      announceStoreHealth(store.health());
    } catch (RuntimeException e) {
      LOG.error("Reading the rollout store's health failed", e);
    }
  }

  /**
   * Has the guardian take, at the start of each tick, the manual controls that tools (the command
   * line and its dashboard) ask for through the state directory while this service holds its lock;
   * drops the requests left from before this service opened it (they were addressed to no one).
   */
  private void serveControlRequests() {
    ControlRequests requests = ControlRequests.in(stateDirectory);
    int dropped = requests.discardStale();
    if (dropped > 0) {
      LOG.warn("{}: dropped {} control request(s) left from before this service opened the directory",
          requests.directory(), dropped);
    }
    guardian.beforeEachTick(() -> requests.serve(r -> {
      ControlRequests.Answer a = controlRequested(r);
      if (a.decision() != null) {
        LOG.info("Made the {} of \"{}\" that {} asked for through {}", r.control().id(), r.flagKey(), r.actor(),
            requests.directory());
      } else {
        LOG.info("Refused the {} of \"{}\" that {} asked for through {}: {}", r.control().id(), r.flagKey(), r.actor(),
            requests.directory(), a.message());
      }
      return a;
    }, clock.monotonicNanos()));
  }

  /** Makes the control a tool asked for, as the service's own admin API would, with the request's actor. */
  private ControlRequests.Answer controlRequested(ControlRequests.Request r) {
    String flagKey = r.flagKey();
    RolloutPlan plan = guardian.plans().get(flagKey);
    if (plan == null) {
      return ControlRequests.Answer.refused(ControlRequests.Refusal.NOT_FOUND, "no rollout plan for flag \"" + flagKey
          + "\" in force in the service; plans: " + new java.util.TreeSet<>(guardian.plans().keySet()));
    }
    if (!plan.fingerprint().equals(r.planFingerprint())) {
      return ControlRequests.Answer.refused(ControlRequests.Refusal.REFUSED, "the service runs \"" + flagKey
          + "\" under plan " + plan.fingerprint() + ", the request was made with plan " + r.planFingerprint()
          + " (give the flag file the service runs with); nothing was changed");
    }
    Decision d;
    try {
      d = r.control().apply(rollouts, flagKey, r.actor());
    } catch (IllegalStateException e) {
      return ControlRequests.Answer.refused(ControlRequests.Refusal.REFUSED, e.getMessage() + "; nothing was changed");
    } catch (IllegalArgumentException e) {
      return ControlRequests.Answer.refused(ControlRequests.Refusal.NOT_FOUND, e.getMessage());
    }
    RolloutStore written = store;
    boolean stored = written.flush();
    return ControlRequests.Answer.applied(d, stored, stored ? null : written.health().lastError());
  }

  /**
   * Called before the guardian learns plans: with guarded rollouts, opens the default state
   * directory (once) and warns once about state kept in memory by choice.
   */
  void plansInForce(boolean anyPlan) {
    if (!anyPlan) {
      return;
    }
    openDefaultStore();
    synchronized (storeHealthLock) {
      if (store instanceof InMemoryRolloutStore && !warnedVolatileState) {
        warnedVolatileState = true;
        warnState(defaultStateDirectory ? null
            : "rollout state is kept in memory only: a restart starts every rollout over and may re-expose a "
                + "rolled-back variant; build with stateDirectory(...) or leave the store unset to persist it", false);
      }
    }
  }

  /** Opens the default state directory once, with the first guarded rollout; in memory if it cannot. */
  private void openDefaultStore() {
    synchronized (storeHealthLock) {
      if (!defaultStateDirectory || !(store instanceof InMemoryRolloutStore) || warnedVolatileState
          || !store.load().states().isEmpty()) {
        return;
      }
      try {
        RolloutStore opened = FileRolloutStore.builder(stateDirectory).clock(clock).open();
        store = opened;
        guardian.restore(opened.load().states().values());
        guardian.persistEvidenceIn(stateDirectory);
        budgets.persistIn(stateDirectory);
        budgets.restoreOverrides(opened.load());
        serveControlRequests();
        LOG.info("Rollout state in {} (the default; set stateDirectory(...) to choose): {} rollouts restored",
            stateDirectory, opened.load().states().size());
      } catch (IOException | RuntimeException e) {
        warnedVolatileState = true;
        warnState("cannot open the default rollout state directory " + stateDirectory + " (" + e.getMessage()
            + "); rollout state is kept in memory only and a restart may re-expose a rolled-back variant", true);
      }
    }
  }

  /**
   * A warning about rollout state that a restart would lose: log, {@link #health()}, and for a
   * failure (not a choice the builder made) a STALE event.
   */
  private void warnState(String warning, boolean failure) {
    if (warning == null) {
      return;
    }
    stateWarnings = List.of(warning);
    LOG.warn("{}", warning);
    if (!failure) {
      return;
    }
    events.emitProviderStale(ProviderEventDetails.builder().message(warning)
        .eventMetadata(ImmutableMetadata.builder().addBoolean(BurnguardProvider.STORE_HEALTHY_METADATA, false)
            .addString(BurnguardProvider.STORE_ERROR_METADATA, warning).build())
        .build());
  }

  /** See {@link BurnguardProvider#health()}. */
  ProviderHealth health() {
    RolloutStore current = store;
    StoreHealth h = current.health();
    announceStoreHealth(h);
    return new ProviderHealth(h, current instanceof FileRolloutStore ? ((FileRolloutStore) current).directory().toString()
        : fleet != null ? current.toString() : "memory", stateWarnings);
  }

  /** Emits STALE when the store turns unhealthy and READY when it recovers (unless the flags are stale). */
  private void announceStoreHealth(StoreHealth h) {
    boolean emitStale = false;
    boolean emitReady = false;
    synchronized (storeHealthLock) {
      boolean was = storeHealthyAnnounced == null || storeHealthyAnnounced;
      if (was != h.healthy()) {
        storeHealthyAnnounced = h.healthy();
        emitStale = !h.healthy();
        emitReady = h.healthy();
      }
    }
    if (emitStale) {
      events.emitProviderStale(ProviderEventDetails.builder()
          .message("rollout state cannot be written: " + h.lastError() + "; " + h.pendingDecisions()
              + " decision(s) kept in memory, retried every guardian tick")
          .eventMetadata(ImmutableMetadata.builder().addBoolean(BurnguardProvider.STORE_HEALTHY_METADATA, false)
              .addString(BurnguardProvider.STORE_ERROR_METADATA, h.lastError())
              .addInteger(BurnguardProvider.STORE_PENDING_METADATA, h.pendingDecisions()).build())
          .build());
    } else if (emitReady && !flagsStale.getAsBoolean()) {
      events.emitProviderReady(ProviderEventDetails.builder().message("rollout state is written again")
          .eventMetadata(ImmutableMetadata.builder().addBoolean(BurnguardProvider.STORE_HEALTHY_METADATA, true)
              .addInteger(BurnguardProvider.STORE_PENDING_METADATA, 0).build())
          .build());
    }
  }

  /**
   * Every applied decision that changes what a flag serves is announced as a configuration change
   * (not a HOLD, nor a budget-policy OVERRIDE, which serve the flag as before).
   */
  private void decided(Decision decision) {
    announceStoreHealth(store.health());
    if (decision.applied() && decision.action() != DecisionAction.HOLD && decision.action() != DecisionAction.OVERRIDE) {
      events.emitProviderConfigurationChanged(ProviderEventDetails.builder().flagsChanged(List.of(decision.flagKey()))
          .message(decision.describe()).build());
    }
  }

  /** Stops the timer (cancels its task on an executor given to the builder, which stays up) and closes the store. */
  void close() {
    if (ticking != null) {
      ticking.cancel(false);
    }
    if (ownTimer != null) {
      ownTimer.shutdownNow();
    }
    budgets.write();
    store.close();
    if (fleet != null) {
      fleet.close();
    }
  }

  /** The store in force, for the guardian: the default one is opened only with the first guarded rollout. */
  private final class CurrentStore implements RolloutStore {
    @Override
    public StoredRollouts load() {
      return store.load();
    }

    @Override
    public boolean append(Decision decision) {
      return store.append(decision);
    }

    @Override
    public Appended compareAndAppend(Decision decision) {
      return store.compareAndAppend(decision);
    }

    @Override
    public List<Decision> decisions(String flagKey, int max) {
      return store.decisions(flagKey, max);
    }

    @Override
    public AutoCloseable onChange(Consumer<String> listener) {
      return store.onChange(listener);
    }

    @Override
    public boolean forget(String flagKey) {
      return store.forget(flagKey);
    }

    @Override
    public boolean flush() {
      return store.flush();
    }

    @Override
    public StoreHealth health() {
      return store.health();
    }

    @Override
    public void close() {
      store.close();
    }

    @Override
    public String toString() {
      return store.toString();
    }
  }

  /**
   * The rollout settings a provider's builder collects, validated as they are set, with their
   * defaults written down once: system clock, 300 ms latency threshold, 1 s guardian tick, 30 days
   * of removed-rollout retention, the default state directory, the provider's own timer thread.
   *
   * <p>Conflicts are refused as Caffeine's builders refuse them, with a message naming both
   * settings: a second place for rollout state (or the same one twice, with another value) at the
   * second setter; settings that the others make pointless (a tick interval or an executor with
   * {@code guardianTicking(false)}, a code plan judging a latency threshold that is not counted) at
   * {@code build()}, whatever the order they were given in. Tuning values given twice (clock,
   * thresholds, tick, retention) are not conflicts: the last one given wins, so that a Spring
   * customizer can override what the properties set.
   */
  static final class Options {
    Clock clock = Clock.system();
    final SliRecorder.Builder recorder = SliRecorder.builder();
    /** The recorder's latency thresholds, as given to {@link #recorder}. */
    List<Duration> latencyThresholds = List.of(SliRecorder.DEFAULT_LATENCY_THRESHOLD);
    Duration guardianTick = Duration.ofSeconds(1);
    /** Whether {@link #guardianTick} was given (a conflict with {@code guardianTicking(false)}). */
    boolean guardianTickGiven;
    boolean guardianTicking = true;
    Path stateDirectory;
    RolloutStore store;
    boolean inMemoryState;
    Fleet fleet;
    /** Runs the guardian's timer; null for the provider's own daemon thread. Never shut down by the provider. */
    ScheduledExecutorService executor;
    Duration removedRetention = Guardian.DEFAULT_REMOVED_RETENTION;

    void clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    void latencyThresholds(Duration... thresholds) {
      recorder.latencyThresholds(thresholds);
      this.latencyThresholds = List.of(thresholds);
    }

    void maxSeries(int maxSeries) {
      recorder.maxSeries(maxSeries);
    }

    void stateDirectory(Path directory) {
      Objects.requireNonNull(directory, "stateDirectory");
      if (stateDirectory != null) {
        throw new IllegalStateException("stateDirectory was already set to " + stateDirectory + "; got " + directory);
      }
      placeStateOnce("stateDirectory(" + directory + ")");
      this.stateDirectory = directory;
    }

    void rolloutStore(RolloutStore store) {
      Objects.requireNonNull(store, "rolloutStore");
      if (this.store != null) {
        throw new IllegalStateException("rolloutStore was already set to " + this.store + "; got " + store);
      }
      placeStateOnce("rolloutStore(" + store + ")");
      this.store = store;
    }

    void fleet(Fleet fleet) {
      Objects.requireNonNull(fleet, "fleet");
      if (this.fleet != null) {
        throw new IllegalStateException("fleet was already set to " + this.fleet + "; got " + fleet);
      }
      placeStateOnce("fleet(" + fleet + ")");
      this.fleet = fleet;
    }

    void inMemoryRolloutState() {
      if (inMemoryState) {
        return; // said twice, meant once
      }
      placeStateOnce("inMemoryRolloutState()");
      this.inMemoryState = true;
    }

    /**
     * Refuses {@code setting}, a place for rollout state, when another place was chosen before:
     * the state is kept in one place (a fleet keeps it in its shared store).
     */
    private void placeStateOnce(String setting) {
      String chosen = stateDirectory != null ? "stateDirectory(" + stateDirectory + ")"
          : store != null ? "rolloutStore(" + store + ")"
          : inMemoryState ? "inMemoryRolloutState()"
          : fleet != null ? "fleet(" + fleet + ")" : null;
      if (chosen != null) {
        throw new IllegalStateException(setting + " conflicts with " + chosen + ", set before: rollout state is kept"
            + " in one place (a fleet keeps it in its shared store); leave all unset for the default directory "
            + BurnguardProvider.DEFAULT_STATE_DIRECTORY);
      }
    }

    void executor(ScheduledExecutorService executor) {
      Objects.requireNonNull(executor, "executor");
      if (this.executor != null) {
        throw new IllegalStateException("executor was already set to " + this.executor + "; got " + executor);
      }
      this.executor = executor;
    }

    void removedRolloutRetention(Duration retention) {
      Objects.requireNonNull(retention, "removedRolloutRetention");
      if (retention.isZero() || retention.isNegative()) {
        throw new IllegalArgumentException("removedRolloutRetention must be positive, got " + retention);
      }
      this.removedRetention = retention;
    }

    void guardianTick(Duration tick) {
      Objects.requireNonNull(tick, "guardianTick");
      if (tick.toMillis() < 10) {
        throw new IllegalArgumentException("guardianTick must be at least 10 ms, got " + tick);
      }
      this.guardianTick = tick;
      this.guardianTickGiven = true;
    }

    void guardianTicking(boolean ticking) {
      this.guardianTicking = ticking;
    }

    /**
     * The cross-field checks of {@code build()}, independent of the order the settings were given
     * in: nothing that {@code guardianTicking(false)} makes pointless, and every plan given in code
     * judgeable on the latency thresholds counted.
     *
     * @param codePlans the plans given to the builder, by flag
     */
    void check(Map<String, RolloutPlan> codePlans) {
      if (!guardianTicking && guardianTickGiven) {
        throw new IllegalStateException("guardianTick(" + guardianTick + ") conflicts with guardianTicking(false):"
            + " without its timer the guardian ticks only when Rollouts.tick() is called; remove one");
      }
      if (!guardianTicking && executor != null) {
        throw new IllegalStateException("executor(" + executor + ") conflicts with guardianTicking(false): the"
            + " executor runs the guardian's timer, which guardianTicking(false) turns off; remove one");
      }
      codePlans.forEach((flagKey, plan) -> {
        String uncounted = SliRecorder.uncountedLatencyThreshold(plan.slo().latencyThreshold().orElse(null),
            latencyThresholds);
        if (uncounted != null) {
          throw new IllegalStateException("rollout(\"" + flagKey + "\", ...) conflicts with latencyThresholds("
              + latencyThresholds.stream().map(Duration::toString).collect(java.util.stream.Collectors.joining(", "))
              + "): " + uncounted);
        }
      });
    }
  }
}
