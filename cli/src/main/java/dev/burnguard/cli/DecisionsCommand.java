package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.internal.store.RolloutJson;
import dev.burnguard.rollout.Decision;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code burnguard decisions --flag F}: a rollout's decision log with the evidence of each decision. */
@Command(name = "decisions", sortOptions = false, header = "Prints a rollout's decisions with their evidence (read-only).",
    description = {
        "Prints a rollout's decisions, oldest first, each with who made it, why, and the numbers it was made on "
            + "(burn rates, bad/total calls, the sequential test's statistic). Reads only; safe while the service runs.",
        "",
        "Example: burnguard decisions --state-dir ./burnguard-state --flag new-checkout --last 20"})
final class DecisionsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  @Option(names = "--flag", required = true, paramLabel = "FLAG", description = "the flag whose rollout to show")
  String flag;

  @Option(names = "--last", paramLabel = "N", defaultValue = "100", description = "at most the last N decisions (default 100)")
  int last;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "text (default) or json")
  ValidateCommand.Format format;

  @Override
  public Integer call() throws CliException {
    if (last < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--last must be at least 1, got " + last);
    }
    try (StoreOptions.Opened opened = store.openForReading(spec.commandLine())) {
      List<Decision> decisions = opened.store().decisions(flag, last);
      if (decisions.isEmpty() && opened.store().load().state(flag).isEmpty()) {
        throw new CliException(BurnguardCli.NOT_FOUND, "no rollout for flag \"" + flag + "\" in the " + opened.describe()
            + "; rollouts: " + opened.store().load().states().keySet());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (format == ValidateCommand.Format.json) {
        List<Object> list = new ArrayList<>();
        decisions.forEach(d -> list.add(RolloutJson.decision(d)));
        out.println(JsonWriter.write(list));
      } else {
        decisions.forEach(d -> out.println(d.at() + "  " + d.describe()));
      }
      return BurnguardCli.OK;
    }
  }
}
