package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.guardian.GuardianRollouts;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.internal.store.ControlRequests.Control;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.internal.store.RolloutJson;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The manual controls — pause, resume, promote, rollback, reset — against a store, each the very
 * transition the running service's own API makes, recorded with the operator as actor: on a state
 * directory a running service holds, the service makes it ({@link ServiceControl}); otherwise a
 * {@link Guardian} of this process makes it on the stored state with the service's plan, written
 * with the store's compare-and-set. See {@link StoreOptions} for why this is safe while a service
 * runs.
 */
abstract class ControlCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  @Option(names = "--flag", required = true, paramLabel = "FLAG", description = "the flag whose rollout to change")
  String flag;

  @Option(names = "--flags", required = true, paramLabel = "FILE",
      description = "the flag file the service runs: the rollout's plan (refused when it is not the plan in force)")
  Path flags;

  @Option(names = "--actor", paramLabel = "NAME",
      description = "who acts, for the decision log (default person:<your user name>)")
  String actor;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "text (default) or json")
  ValidateCommand.Format format;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "10s",
      description = "on a state directory a running service holds: how long to wait for the service to make the "
          + "change (it takes it at its guardian's next tick) before withdrawing the request (default 10s)")
  String waitFor;

  /** The control this command applies. */
  abstract Control control();

  @Override
  public Integer call() throws CliException {
    String who = actor != null ? actor : "person:" + System.getProperty("user.name", "unknown");
    if (who.isBlank()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--actor must not be blank");
    }
    Duration wait = wait(spec.commandLine(), waitFor);
    RolloutPlan plan = FlagFiles.plan(FlagFiles.parse(flags, FlagFiles.read(flags)), flag);
    Decision d = change(store, spec.commandLine(), plan, flags.toString(), flag, control(), who, wait,
        warning -> spec.commandLine().getErr().println("burnguard " + spec.name() + ": warning: " + warning));
    if (format == ValidateCommand.Format.json) {
      spec.commandLine().getOut().println(JsonWriter.write(RolloutJson.decision(d)));
    } else {
      spec.commandLine().getOut().println(d.describe());
    }
    return BurnguardCli.OK;
  }

  /** The {@code --wait} option's duration: positive, at most an hour. */
  static Duration wait(picocli.CommandLine cl, String text) {
    Duration d = SimulateCommand.duration(cl, "--wait", text);
    if (d.isZero() || d.isNegative() || d.compareTo(Duration.ofHours(1)) > 0) {
      throw new picocli.CommandLine.ParameterException(cl, "--wait must be between 1ms and 1h, got " + text);
    }
    return d;
  }

  /**
   * Makes {@code control} on {@code flagKey}'s rollout in {@code store}: asks the running service
   * when it holds the state directory (after checking here what can be checked without it: the
   * rollout exists and runs under {@code plan}), and otherwise makes it here ({@link #control}).
   */
  static Decision change(StoreOptions store, picocli.CommandLine cl, RolloutPlan plan, String planOrigin, String flagKey,
      Control control, String actor, Duration wait, java.util.function.Consumer<String> warn) throws CliException {
    try (StoreOptions.Opened opened = store.openForWriting(cl)) {
      return control(opened, plan, planOrigin, flagKey, control, actor);
    } catch (StoreOptions.HeldByService held) {
      try (StoreOptions.Opened reading = store.openForReading(cl)) {
        checkPlan(reading, plan, planOrigin, flagKey);
      }
      return ServiceControl.ask(held, plan, flagKey, control, actor, wait, warn);
    }
  }

  /**
   * Makes {@code control} on {@code flagKey}'s stored rollout, by a guardian of this process with
   * {@code plan}, and writes the decision: the one way the command line (and its dashboard) changes
   * a rollout.
   *
   * @param planOrigin where the plan comes from, for the refusal of a plan not in force
   * @throws CliException exit 3 without such a rollout, 4 for a plan not in force or a control the
   *     rollout's status does not allow, 5 when the decision cannot be written; nothing is changed then
   */
  static Decision control(StoreOptions.Opened opened, RolloutPlan plan, String planOrigin, String flagKey,
      Control control, String actor) throws CliException {
    RolloutState state = checkPlan(opened, plan, planOrigin, flagKey);
    Guardian guardian = new Guardian(Clock.system(), SliRecorder.builder().build(), opened.store(), gates -> { },
        Guardian.DEFAULT_REMOVED_RETENTION);
    guardian.restore(List.of(state));
    guardian.plans(Map.of(flagKey, plan));
    Decision d;
    try {
      d = control.apply(new GuardianRollouts(guardian, opened::store), flagKey, actor);
    } catch (IllegalStateException e) {
      throw new CliException(BurnguardCli.REFUSED, e.getMessage() + "; nothing was changed");
    } catch (IllegalArgumentException e) {
      throw new CliException(BurnguardCli.NOT_FOUND, e.getMessage());
    }
    if (!opened.store().flush()) {
      throw new CliException(BurnguardCli.STORE_FAILED, "the decision could not be written: "
          + opened.store().health().lastError());
    }
    return d;
  }

  /** The stored rollout of {@code flagKey}, checked to run under {@code plan} (exit 3 without it, 4 under another plan). */
  private static RolloutState checkPlan(StoreOptions.Opened opened, RolloutPlan plan, String planOrigin, String flagKey)
      throws CliException {
    RolloutState state = opened.store().load().state(flagKey).orElseThrow(() -> new CliException(BurnguardCli.NOT_FOUND,
        "no rollout for flag \"" + flagKey + "\" in the " + opened.describe() + "; rollouts: "
            + opened.store().load().states().keySet()));
    if (!plan.fingerprint().equals(state.planFingerprint())) {
      throw new CliException(BurnguardCli.REFUSED, planOrigin + ": the plan of \"" + flagKey + "\" is not the one the "
          + "rollout runs under (fingerprints differ: the file's " + plan.fingerprint() + ", the stored "
          + state.planFingerprint() + "); give the flag file the service runs with. Nothing was changed.");
    }
    return state;
  }

  @Command(name = "pause", sortOptions = false, header = "Pauses a rollout where it is.", description = {
      "Stops a rollout where it is: its exposure stays, and it neither advances nor shrinks until resumed "
          + "(a rollback rule still rolls it back).",
      "",
      "Example: burnguard pause --redis redis://127.0.0.1:6379 --service checkout --flags flags.json --flag new-checkout"})
  static final class Pause extends ControlCommand {
    @Override
    Control control() {
      return Control.PAUSE;
    }
  }

  @Command(name = "resume", sortOptions = false, header = "Resumes a paused rollout.", description = "Resumes a paused rollout in the status it was paused in.")
  static final class Resume extends ControlCommand {
    @Override
    Control control() {
      return Control.RESUME;
    }
  }

  @Command(name = "promote", sortOptions = false, header = "Moves a rollout to its next stage now.", description = "Moves a rollout to its next stage now, without waiting for the bake.")
  static final class Promote extends ControlCommand {
    @Override
    Control control() {
      return Control.PROMOTE;
    }
  }

  @Command(name = "rollback", sortOptions = false, header = "Rolls a rollout back: all traffic to the control.", description = "Sends all traffic back to the control variant until the rollout is reset.")
  static final class Rollback extends ControlCommand {
    @Override
    Control control() {
      return Control.ROLLBACK;
    }
  }

  @Command(name = "reset", sortOptions = false, header = "Starts a rollout over from its first stage.", description = "Starts a rollout over from its first stage, judging only outcomes recorded from now on (e.g. after a rolled-back candidate was fixed).")
  static final class Reset extends ControlCommand {
    @Override
    Control control() {
      return Control.RESET;
    }
  }

}
