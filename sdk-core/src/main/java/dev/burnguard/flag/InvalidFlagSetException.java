package dev.burnguard.flag;

import dev.burnguard.flag.FlagSet.FlagProblem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A flag definition that was rejected as a whole. The message lists every problem found, each with
 * its origin and JSON path; {@link #problems()} has them one by one.
 */
public final class InvalidFlagSetException extends Exception {
  private final transient List<FlagProblem> problems;

  public InvalidFlagSetException(List<FlagProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  private static String message(List<FlagProblem> problems) {
    if (problems.size() == 1) {
      return "invalid flag definition: " + problems.get(0);
    }
    return "invalid flag definition, " + problems.size() + " problems:\n  "
        + problems.stream().map(FlagProblem::toString).collect(Collectors.joining("\n  "));
  }

  /** The problems, in document order; never empty. */
  public List<FlagProblem> problems() {
    return problems;
  }
}
