package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.dashboard.DashboardServer;
import dev.burnguard.internal.store.ControlRequests.Control;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * The rollouts of a store, seen from outside the service, as the dashboard's {@link
 * DashboardServer.Source}: {@code burnguard dashboard}. Reads are of the last {@link #refresh()}
 * (once a second): a state directory is opened read-only, without its lock, and read afresh each
 * time (the service keeps writing it); a fleet store is read through the one fleet member this
 * command joined. The plans are the flag file's. The outcomes (error ratios, latencies) stay in the
 * service's memory, so the charts of this view show exposure and decisions, not ratios.
 *
 * <p>Changes are the command line's own controls ({@link ControlCommand#change}): on a state
 * directory held by a running service the service makes them (the request waits for its guardian's
 * next tick, up to the command's {@code --wait}); on a fleet store they are a compare-and-set the
 * replicas take.
 *
 * <p>Concurrency: the snapshot is a volatile reference replaced by {@link #refresh()} (the
 * dashboard's sampling thread and, after an action, an HTTP thread); controls and reports open
 * what they need per call. The fleet member is thread-safe.
 */
final class StoreDashboardSource implements DashboardServer.Source, Rollouts, AutoCloseable {
  private final StoreOptions store;
  private final CommandLine commandLine;
  private final Map<String, RolloutPlan> plans;
  private final String planOrigin;
  /** How long an action on a state directory waits for the service holding it. */
  private final Duration wait;
  /** The fleet member, kept open; null for a state directory (opened per read). */
  private final StoreOptions.Opened fleet;
  private final SliRecorder noOutcomes = SliRecorder.builder().build();
  private volatile StoredRollouts snapshot;
  private volatile String problem;
  /** The service made the last action but had not written it to its directory yet; null otherwise. */
  private volatile String warning;

  StoreDashboardSource(StoreOptions store, CommandLine commandLine, Map<String, RolloutPlan> plans, String planOrigin,
      Duration wait) throws CliException {
    this.store = store;
    this.wait = wait;
    this.commandLine = commandLine;
    this.plans = Map.copyOf(plans);
    this.planOrigin = planOrigin;
    StoreOptions.Opened opened = store.openForReading(commandLine);
    if (opened.stateDir() == null) {
      this.fleet = opened;
      this.snapshot = opened.store().load();
    } else {
      this.fleet = null;
      try (opened) {
        this.snapshot = opened.store().load();
      }
    }
  }

  /** Reads the store again; a failure keeps the last snapshot and is said by {@link #problem()}. */
  void refresh() {
    try {
      if (fleet != null) {
        snapshot = fleet.store().load();
      } else {
        try (StoreOptions.Opened opened = store.openForReading(commandLine)) {
          snapshot = opened.store().load();
        }
      }
      problem = null;
    } catch (CliException | RuntimeException e) {
      problem = e.getMessage();
    }
  }

  /** Why the last action is not yet written in the service's directory, or null. */
  String warning() {
    return warning;
  }

  /** Why the last read failed (the page shows the last one that worked), or null. */
  String problem() {
    return problem;
  }

  @Override
  public Rollouts rollouts() {
    return this;
  }

  @Override
  public Map<String, RolloutPlan> plans() {
    return plans;
  }

  /** No outcomes: they are recorded in the service's memory, not in its store. */
  /** Decides nothing: the command line only watches; the service's own guardian (or the fleet's decider) judges. */
  @Override
  public List<Decision> tick() {
    return List.of();
  }

  @Override
  public Outcomes outcomes(String flagKey) {
    return noOutcomes;
  }

  @Override
  public Map<String, RolloutState> states() {
    return snapshot.states();
  }

  @Override
  public Optional<RolloutState> state(String flagKey) {
    return snapshot.state(flagKey);
  }

  /** Empty: the guardian's health is judged in the service. */
  @Override
  public Map<String, RolloutHealth> health() {
    return Map.of();
  }

  @Override
  public List<Decision> recentDecisions(String flagKey) {
    return snapshot.recentDecisions(flagKey);
  }

  @Override
  public Decision pause(String flagKey, String actor) {
    return control(flagKey, Control.PAUSE, actor);
  }

  @Override
  public Decision resume(String flagKey, String actor) {
    return control(flagKey, Control.RESUME, actor);
  }

  @Override
  public Decision promote(String flagKey, String actor) {
    return control(flagKey, Control.PROMOTE, actor);
  }

  @Override
  public Decision rollback(String flagKey, String actor) {
    return control(flagKey, Control.ROLLBACK, actor);
  }

  @Override
  public Decision reset(String flagKey, String actor) {
    return control(flagKey, Control.RESET, actor);
  }

  /** A control as {@code burnguard pause} etc. make it; exit 3 becomes 404, every other refusal 409 (nothing changed). */
  private Decision control(String flagKey, Control control, String actor) {
    RolloutPlan plan = plans.get(flagKey);
    if (plan == null) {
      throw new IllegalArgumentException("flag \"" + flagKey + "\" has no rollout in " + planOrigin);
    }
    try {
      Decision d;
      if (fleet != null) {
        d = ControlCommand.control(fleet, plan, planOrigin, flagKey, control, actor);
      } else {
        String[] unwritten = {null};
        d = ControlCommand.change(store, commandLine, plan, planOrigin, flagKey, control, actor, wait,
            w -> unwritten[0] = w);
        warning = unwritten[0]; // the last action's, until the next one
      }
      refresh();
      return d;
    } catch (CliException e) {
      if (e.exitCode == BurnguardCli.NOT_FOUND) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The report {@code burnguard report} writes, from the store now. */
  @Override
  public void report(String flagKey, String format, Writer out) throws IOException {
    try {
      if (fleet != null) {
        ReportCommand.write(fleet, plans.get(flagKey), flagKey, format, out);
      } else {
        try (StoreOptions.Opened opened = store.openForReading(commandLine)) {
          ReportCommand.write(opened, plans.get(flagKey), flagKey, format, out);
        }
      }
    } catch (CliException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    out.flush();
  }

  /** Refused: an override is recorded by the service that applies it ({@code rollouts().overrideBudgetPolicy}). */
  @Override
  public Decision overrideBudgetPolicy(String flagKey, String actor, String reason) {
    throw new IllegalStateException("an error-budget override is recorded by the running service "
        + "(rollouts().overrideBudgetPolicy), not from its store");
  }

  /** Empty: the journey counts are the service's (its state directory's journey-budget.tsv is not read here). */
  @Override
  public Map<String, ErrorBudgetPolicy.Budget> errorBudgets() {
    return Map.of();
  }

  /** Nothing to listen to: every decision is read from the store. */
  @Override
  public Registration onDecision(Consumer<Decision> listener) {
    return () -> { };
  }

  @Override
  public void close() {
    if (fleet != null) {
      fleet.close();
    }
  }
}
