package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.InvalidFlagSetException;
import dev.burnguard.rollout.RolloutPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reading a flag file and a flag's rollout plan for a command, with the CLI's exit codes. */
final class FlagFiles {
  private FlagFiles() {}

  /** The file's text: exit 3 when it does not exist or cannot be read. */
  static String read(Path file) throws CliException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException(BurnguardCli.NOT_FOUND, file + ": no such file");
    } catch (IOException e) {
      throw new CliException(BurnguardCli.NOT_FOUND, file + ": cannot read: " + e.getMessage());
    }
  }

  /** The file parsed all or nothing: exit 1 with every problem when it is invalid. */
  static FlagSet parse(Path file, String json) throws CliException {
    try {
      return FlagSet.parse(json, file.toString());
    } catch (InvalidFlagSetException e) {
      throw new CliException(BurnguardCli.INVALID, "invalid flag file (run 'burnguard validate " + file
          + "' for the list):\n  " + e.problems().stream().map(FlagProblem::toString).collect(Collectors.joining("\n  ")));
    }
  }

  /** {@code flagKey}'s rollout plan in {@code set}: exit 3 when the flag does not exist or has no plan. */
  static RolloutPlan plan(FlagSet set, String flagKey) throws CliException {
    if (set.flag(flagKey).isEmpty()) {
      throw new CliException(BurnguardCli.NOT_FOUND, set.origin() + ": no flag \"" + flagKey + "\"; flags: "
          + set.flags().keySet());
    }
    RolloutPlan plan = set.rollouts().get(flagKey);
    if (plan == null) {
      throw new CliException(BurnguardCli.NOT_FOUND, set.origin() + ": flag \"" + flagKey
          + "\" has no \"rollout\" plan; flags with one: " + set.rollouts().keySet());
    }
    return plan;
  }
}
