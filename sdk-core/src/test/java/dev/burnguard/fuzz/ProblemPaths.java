package dev.burnguard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.flag.FlagSet.FlagProblem;
import java.util.List;

/** What every refusal of a flag file must say: at least one problem, each with its origin and JSON path. */
final class ProblemPaths {
  private ProblemPaths() {}

  /** Every problem names {@code origin} and a JSON path, which {@code message} (the exception's or the failure's) shows. */
  static void assertEachNamed(List<FlagProblem> problems, String message, String origin) {
    assertThat(problems).as(message).isNotEmpty();
    for (FlagProblem p : problems) {
      assertThat(p.origin()).isEqualTo(origin);
      assertThat(p.jsonPath()).as(message).startsWith("$");
      assertThat(message).contains(p.jsonPath());
    }
  }
}
