package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.internal.guardian.StageCounts;
import dev.burnguard.internal.report.RolloutReport;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code burnguard report --flag F}: a rollout's incident report from a store. */
@Command(name = "report", sortOptions = false, header = "Writes a rollout's incident report: HTML, Markdown or JSON (read-only).",
    description = {
        "Writes a rollout's report for an incident review: the plan, every decision with its evidence and actor, "
            + "calls and errors per variant per stage, the estimated user impact (the candidate's failed calls above "
            + "the control's rate) and the share of the error budget the candidate consumed. HTML is one self-contained "
            + "page with charts; Markdown and JSON hold the same data. Reads only; safe while the service runs.",
        "Per-stage counts come from the state directory (a fleet store keeps none: they are left empty); latency "
            + "percentiles only from a running service (Rollouts.report).",
        "",
        "Example: burnguard report --state-dir ./burnguard-state --flag new-checkout --output incident.html"})
final class ReportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  @Option(names = "--flag", required = true, paramLabel = "FLAG", description = "the flag whose rollout to report")
  String flag;

  @Option(names = "--format", paramLabel = "html|markdown|json", defaultValue = "html",
      description = "html (default), markdown or json")
  String format;

  @Option(names = "--output", paramLabel = "PATH", description = "write to this file (default: standard output)")
  Path output;

  @Option(names = "--flags", paramLabel = "FILE",
      description = "the flag file the service runs, to include the plan (optional: without it the report reads the "
          + "variants, stages and SLO from the stored plan fingerprint)")
  Path flags;

  @Override
  public Integer call() throws CliException {
    String f;
    try {
      f = RolloutReport.normalizedFormat(format);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    RolloutPlan plan = flags == null ? null : FlagFiles.plan(FlagFiles.parse(flags, FlagFiles.read(flags)), flag);
    String text;
    try (StoreOptions.Opened opened = store.openForReading(spec.commandLine())) {
      StringWriter w = new StringWriter();
      write(opened, plan, flag, f, w);
      text = w.toString();
    } catch (IOException e) {
      throw new CliException(BurnguardCli.STORE_FAILED, "cannot render the report: " + e.getMessage(), e);
    }
    if (output == null) {
      spec.commandLine().getOut().print(text);
      spec.commandLine().getOut().flush();
      return BurnguardCli.OK;
    }
    try { // whole or not at all
      Path abs = output.toAbsolutePath();
      Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CliException(BurnguardCli.NOT_FOUND, "cannot write " + output + ": " + e.getMessage(), e);
    }
    spec.commandLine().getOut().println("Wrote the " + f + " report of \"" + flag + "\" to " + output);
    return BurnguardCli.OK;
  }

  /**
   * Writes {@code flag}'s report from a store in {@code format} (normalized): its state, every
   * decision the store keeps, a state directory's per-stage counts; {@code plan} may be null.
   *
   * @throws CliException exit 3 when the store has no such rollout
   */
  static void write(StoreOptions.Opened opened, RolloutPlan plan, String flag, String format, java.io.Writer out)
      throws CliException, IOException {
    RolloutState state = opened.store().load().state(flag).orElse(null);
    List<Decision> decisions = opened.store().decisions(flag, Integer.MAX_VALUE);
    if (state == null && decisions.isEmpty()) {
      throw new CliException(BurnguardCli.NOT_FOUND, "no rollout for flag \"" + flag + "\" in the " + opened.describe()
          + "; rollouts: " + opened.store().load().states().keySet());
    }
    List<StageCounts.Stage> stages = opened.stateDir() == null ? List.of() : StageCounts.read(opened.stateDir()).of(flag);
    RolloutReport.of(flag, Instant.ofEpochMilli(dev.burnguard.time.Clock.system().wallMillis()), plan, state, decisions,
        stages, Map.of()).write(format, out);
  }
}
