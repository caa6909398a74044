package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.internal.store.RolloutJson;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code burnguard status}: every rollout's state in a store, read without disturbing the service. */
@Command(name = "status", sortOptions = false, header = "Shows where each rollout stands (read-only, safe while the service runs).",
    description = {
        "Shows where each guarded rollout stands: status, stage, the candidate's exposure, the state's version "
            + "and the last decision. Reads only; safe while the service runs.",
        "",
        "Example: burnguard status --state-dir ./burnguard-state"})
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  @Option(names = "--flag", paramLabel = "FLAG", description = "only this flag's rollout")
  String flag;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "text (default) or json")
  ValidateCommand.Format format;

  @Override
  public Integer call() throws CliException {
    try (StoreOptions.Opened opened = store.openForReading(spec.commandLine())) {
      StoredRollouts all = opened.store().load();
      Map<String, RolloutState> states = new LinkedHashMap<>(all.states());
      if (flag != null) {
        RolloutState s = states.get(flag);
        if (s == null) {
          throw new CliException(BurnguardCli.NOT_FOUND, "no rollout for flag \"" + flag + "\" in the " + opened.describe()
              + "; rollouts: " + all.states().keySet());
        }
        states = Map.of(flag, s);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (format == ValidateCommand.Format.json) {
        List<Object> list = new ArrayList<>();
        states.forEach((k, s) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("flag", k);
          m.put("state", RolloutJson.state(s));
          List<Decision> last = opened.store().decisions(k, 1);
          m.put("lastDecision", last.isEmpty() ? null : RolloutJson.decision(last.get(0)));
          list.add(m);
        });
        out.println(JsonWriter.write(list));
        return BurnguardCli.OK;
      }
      if (states.isEmpty()) {
        out.println("No rollouts in the " + opened.describe() + ".");
        return BurnguardCli.OK;
      }
      out.println("Rollouts in the " + opened.describe() + ":");
      states.forEach((k, s) -> {
        List<Decision> last = opened.store().decisions(k, 1);
        out.println(String.format(Locale.ROOT, "  %s: %s, stage %d, exposure %.2f %%, version %d%s", k, s.status(),
            s.stage(), s.exposure() * 100, s.version(), s.pausedStatus() == null ? "" : ", paused in " + s.pausedStatus()));
        if (!last.isEmpty()) {
          Decision d = last.get(0);
          out.println("    last decision: " + d.action() + " by " + d.actor() + " at " + d.at() + ": " + d.reason());
        }
      });
      return BurnguardCli.OK;
    }
  }
}
