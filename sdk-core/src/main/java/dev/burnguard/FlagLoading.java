package dev.burnguard;

import dev.burnguard.BurnguardProvider.LoadFailure;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.InvalidFlagSetException;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEventDetails;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flag-loading state machine of a {@link BurnguardProvider}: what its source delivers is parsed,
 * kept at the last good definition where a flag's new one is invalid, handed to the guardian with
 * its rollout plans and published behind their gates; a failed load keeps the last good flags. It
 * tracks the stale and initializing states and emits READY, STALE and CONFIGURATION_CHANGED (with
 * the last-known-good metadata) through the provider. The provider is the OpenFeature adapter over
 * it. Internal, not for public use.
 *
 * <p>Concurrency: the flags served are one volatile reference, replaced whole, so every evaluation
 * sees one consistent snapshot. Loads (from the source's thread) are serialized by {@link
 * #reloadLock}; a load hands its rollout plans to the guardian, which hands back their gates under
 * its lock, and the flags are swapped in with those gates under {@link #loadLock} — the order
 * (guardian, then load lock) in which a guardian tick re-gates the flags too, so the two never
 * deadlock and a flag set is never visible without its gates. Evaluations take no lock.
 */
final class FlagLoading {
  private static final Logger LOG = LoggerFactory.getLogger(BurnguardProvider.class);

  private final EventProvider events;
  private final FlagSetOptions flagSetOptions;
  private final Clock clock;
  private final Map<String, RolloutPlan> builtPlans;
  /** The recorder, guardian, timer and rollout store, which this loading feeds with plans. */
  private final RolloutRuntime runtime;
  private final Sink sink = new Sink();
  private final CountDownLatch firstResult = new CountDownLatch(1);
  private final Object loadLock = new Object();
  /** Serializes whole loads; taken before the guardian's lock and {@link #loadLock}, never inside them. */
  private final Object reloadLock = new Object();

  /** The flags served: {@link #baseFlags} behind the guardian's exposure gates. */
  private volatile @Nullable FlagSet flags;
  // guarded by loadLock: the flags as loaded, without gates
  private @Nullable FlagSet baseFlags;
  private volatile @Nullable LoadFailure lastFailure;
  // guarded by loadLock
  private boolean stale;
  private boolean initializing;
  private boolean started;
  private boolean shutDown;

  /**
   * @param events the provider that emits the load events
   * @param builtPlans the plans given to the builder, by flag (they take precedence over the file's)
   */
  FlagLoading(RolloutRuntime.Options options, FlagSetOptions flagSetOptions, Map<String, RolloutPlan> builtPlans,
      EventProvider events) {
    this.events = events;
    this.flagSetOptions = flagSetOptions;
    this.clock = options.clock;
    this.builtPlans = Map.copyOf(builtPlans);
    this.runtime = new RolloutRuntime(options, this::isKnownVariant, this::gatesChanged, events, () -> {
      synchronized (loadLock) {
        return stale || flags == null;
      }
    });
  }

  RolloutRuntime runtime() {
    return runtime;
  }

  /** What the source delivers to. */
  FlagSink sink() {
    return sink;
  }

  /** The flags served, or null before the first good load and after {@link #shutDown}. */
  @Nullable FlagSet flags() {
    return flags;
  }

  @Nullable LoadFailure lastFailure() {
    return lastFailure;
  }

  /**
   * Marks the start of initialization, before {@link #initialize}: false if it started before
   * (nothing to do).
   *
   * @throws IllegalStateException after {@link #shutDown}
   */
  boolean begin() {
    synchronized (loadLock) {
      if (shutDown) {
        throw new IllegalStateException("this BurnguardProvider was shut down and its source closed; build a new one");
      }
      if (started) {
        return false;
      }
      started = true;
      initializing = true;
      return true;
    }
  }

  /** What starts the provider's machinery and its source. */
  interface Start {
    void run() throws Exception;
  }

  /**
   * Runs {@code start}, waits up to {@code timeout} for the first result of {@code source}, then
   * ends initialization (whatever happened).
   *
   * @throws IllegalStateException when no flags were loaded: the message names the source or every problem
   */
  void initialize(Start start, Duration timeout, String source) throws Exception {
    try {
      start.run();
      boolean answered = firstResult.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      synchronized (loadLock) {
        if (flags != null) {
          return;
        }
        LoadFailure failure = lastFailure;
        throw new IllegalStateException(!answered && failure == null
            ? "no flags from " + source + " within " + timeout
            : "cannot load flags: " + failure.message());
      }
    } finally {
      synchronized (loadLock) {
        initializing = false;
      }
    }
  }

  /** No flags are served from now on, and no load publishes any. */
  void shutDown() {
    synchronized (loadLock) {
      shutDown = true;
      flags = null;
    }
  }

  /** Serves new exposure gates at once: the current flags, re-gated. */
  private void gatesChanged(Map<String, ExposureGate> gates) {
    synchronized (loadLock) {
      if (baseFlags != null && !shutDown) {
        flags = baseFlags.withGates(gates);
      }
    }
  }

  private boolean isKnownVariant(String flagKey, String variant) {
    FlagSet current = flags;
    return current != null && current.hasVariant(flagKey, variant);
  }

  /**
   * Serves a loaded flag set. Flags that were valid and whose new definition is invalid keep their
   * last good definition. The guardian learns the set's rollout plans first and hands back their
   * gates, and the set is published with those gates in one swap (under the guardian's lock, then
   * {@link #loadLock}, the order a tick's re-gating takes too): a flag that arrives with a plan is
   * never visible without its gate.
   */
  private void loaded(FlagSet parsed) {
    synchronized (reloadLock) {
      FlagSet previous;
      synchronized (loadLock) {
        if (shutDown) {
          return;
        }
        previous = baseFlags;
      }
      FlagSet next = previous == null ? parsed : parsed.keepingLastKnownGood(previous);
      Published published = new Published();
      runtime.guardian().plansServedWith(plansFor(next), builtPlans.keySet(), gates -> publish(next, gates, published));
      if (!published.served) {
        return;
      }
      firstResult.countDown();
      List<String> changed = published.changed;
      LOG.info("Loaded {} flags from {}{}", next.flags().size(), next.origin(),
          changed.isEmpty() ? "" : "; changed: " + String.join(", ", changed));
      if (!next.invalidFlags().isEmpty()) {
        LOG.warn("{} flags from {} are invalid and resolve with PARSE_ERROR: {}", next.invalidFlags().size(),
            next.origin(), next.invalidFlags().values());
      }
      if (!next.flagsAtLastKnownGood().isEmpty()) {
        LOG.warn("{}", lastKnownGoodMessage(next));
      }
      int evaluatorProblems = next.problems().size() - count(next.invalidFlags()) - count(next.flagsAtLastKnownGood());
      if (evaluatorProblems > 0) {
        LOG.warn("{} problems in the $evaluators of {}; flags that refer to a broken evaluator resolve with "
            + "PARSE_ERROR: {}", evaluatorProblems, next.origin(), next.problems());
      }
      if (published.becameReady) {
        events.emitProviderReady(ProviderEventDetails.builder().message("flags loaded from " + next.origin()).build());
      }
      if (!changed.isEmpty()) {
        events.emitProviderConfigurationChanged(ProviderEventDetails.builder().flagsChanged(changed)
            .message(changed.size() + " flags changed in " + next.origin()).build());
      }
      if (published.becameStale) {
        events.emitProviderStale(ProviderEventDetails.builder().message(lastKnownGoodMessage(next))
            .eventMetadata(lastKnownGoodMetadata(next)).build());
      }
    }
  }

  /** What {@link #publish} did, for the events and logs that follow it outside the locks. */
  private static final class Published {
    boolean served;
    boolean becameReady;
    boolean becameStale;
    List<String> changed = List.of();
  }

  /** Swaps in {@code next} behind {@code gates}; called by the guardian under its lock. */
  private void publish(FlagSet next, Map<String, ExposureGate> gates, Published out) {
    synchronized (loadLock) {
      if (shutDown) {
        return;
      }
      FlagSet previous = baseFlags;
      boolean failedBefore = lastFailure != null;
      Set<String> keptBefore = previous == null ? Set.of() : previous.flagsAtLastKnownGood().keySet();
      baseFlags = next;
      flags = next.withGates(gates);
      lastFailure = null;
      runtime.recorder().retain(next::hasVariant);
      boolean keeping = !next.flagsAtLastKnownGood().isEmpty();
      // READY is the SDK's to emit for a load that completes initialize()
      out.becameReady = (previous == null && !initializing) || (stale && !keeping);
      // STALE again when the flags kept change, or when a failed file is readable again but flags are still kept
      out.becameStale = keeping && (!stale || failedBefore || !keptBefore.equals(next.flagsAtLastKnownGood().keySet()));
      stale = keeping;
      out.changed = previous == null ? List.of() : List.copyOf(next.changedSince(previous));
      out.served = true;
    }
  }

  private static int count(Map<String, List<FlagProblem>> problemsByFlag) {
    return problemsByFlag.values().stream().mapToInt(List::size).sum();
  }

  /** One line naming the flags kept at their last good definition, and why. */
  private static String lastKnownGoodMessage(FlagSet set) {
    Map<String, List<FlagProblem>> kept = set.flagsAtLastKnownGood();
    return kept.size() + " flags are served from their last good definition because their new definition in "
        + set.origin() + " is invalid: " + kept.entrySet().stream()
            .map(e -> e.getKey() + " (" + e.getValue().get(0) + (e.getValue().size() > 1
                ? " and " + (e.getValue().size() - 1) + " more" : "") + ")")
            .collect(java.util.stream.Collectors.joining("; "));
  }

  /** The STALE event's metadata: the flags kept, how many, and why. */
  private static ImmutableMetadata lastKnownGoodMetadata(FlagSet set) {
    Map<String, List<FlagProblem>> kept = set.flagsAtLastKnownGood();
    return ImmutableMetadata.builder()
        .addString(BurnguardProvider.STALE_CAUSE_METADATA, "invalid-flag-definitions")
        .addString(BurnguardProvider.LAST_KNOWN_GOOD_METADATA, String.join(",", kept.keySet()))
        .addInteger(BurnguardProvider.LAST_KNOWN_GOOD_COUNT_METADATA, kept.size())
        .build();
  }

  /**
   * The rollout plans of the flags loaded: those in the flag file, and those given to the builder
   * (which take precedence), for flags that define both variants.
   */
  private Map<String, RolloutPlan> plansFor(FlagSet loaded) {
    Map<String, RolloutPlan> plans = new LinkedHashMap<>(loaded.rollouts());
    runtime.budgets().policy(loaded.errorBudgetPolicy().orElse(null));
    runtime.plansInForce(!plans.isEmpty() || !builtPlans.isEmpty());
    builtPlans.forEach((key, plan) -> {
      if (loaded.hasVariant(key, plan.candidate()) && loaded.hasVariant(key, plan.control())) {
        plans.put(key, plan);
      } else {
        LOG.warn("Rollout of flag {} not started: the flags from {} do not define both {} and {}", key,
            loaded.origin(), plan.control(), plan.candidate());
      }
    });
    return plans;
  }

  private void rejected(LoadFailure failure) {
    boolean becameStale;
    boolean haveFlags;
    synchronized (loadLock) {
      // a file refused after a load that kept flags at their last good definition is news: STALE again, with why
      boolean failedBefore = lastFailure != null;
      lastFailure = failure;
      haveFlags = flags != null;
      becameStale = haveFlags && (!stale || !failedBefore);
      stale = haveFlags;
    }
    firstResult.countDown();
    if (haveFlags) {
      LOG.warn("Keeping the last good flags: {}", failure.message());
    } else {
      LOG.error("No flags loaded: {}", failure.message());
    }
    if (becameStale) {
      events.emitProviderStale(ProviderEventDetails.builder().message(failure.message())
          .eventMetadata(ImmutableMetadata.builder().addString(BurnguardProvider.STALE_CAUSE_METADATA, "load-failed")
              .build()).build());
    }
  }

  /** Receives what the source reads; serialized per source, never throws. */
  private final class Sink implements FlagSink {
    @Override
    public void content(String json, String origin) {
      try {
        loaded(FlagSet.parse(json, origin, flagSetOptions));
      } catch (InvalidFlagSetException e) {
        rejected(new LoadFailure(origin, e.getMessage(), e.problems(), now()));
      } catch (RuntimeException e) {
        rejected(new LoadFailure(origin, origin + ": cannot load flags: " + e, List.of(), now()));
      }
    }

    @Override
    public void flags(FlagSet flags) {
      List<FlagProblem> uncounted = runtime.uncountedLatency(flags);
      if (uncounted.isEmpty()) {
        loaded(flags);
      } else {
        rejected(new LoadFailure(flags.origin(), new InvalidFlagSetException(uncounted).getMessage(), uncounted, now()));
      }
    }

    @Override
    public void failed(String origin, String reason, @Nullable Throwable cause) {
      rejected(new LoadFailure(origin, origin + ": " + reason, List.of(), now()));
    }
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.wallMillis());
  }
}
