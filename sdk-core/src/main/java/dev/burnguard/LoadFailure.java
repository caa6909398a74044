package dev.burnguard;

import dev.burnguard.flag.FlagProblem;
import java.time.Instant;
import java.util.List;

/**
 * Why the provider's last attempt to load flags failed; the flags loaded before stay in force.
 *
 * @param origin the file, URL or resource that was read
 * @param message a one-line summary, also sent as the STALE or ERROR event's message
 * @param problems the validation problems, each with its JSON path; empty when the source could not
 *     be read at all
 * @param at when the failure happened, by the provider's clock
 */
public record LoadFailure(String origin, String message, List<FlagProblem> problems, Instant at) {
  public LoadFailure {
    problems = List.copyOf(problems);
  }
}
