package dev.burnguard.flag;

import java.util.Objects;

/**
 * One thing wrong with a flag definition: where (the file or source it came from and the JSON path
 * inside it), the offending value, and what is wrong.
 *
 * @param origin the file, URL or other source the definition came from
 * @param jsonPath the JSONPath of the offending value, e.g. {@code $.flags.checkout.defaultVariant}
 * @param value the offending value as JSON, shortened to a readable length; null when there is none
 * @param message what is wrong and, where it helps, what was expected
 */
public record FlagProblem(String origin, String jsonPath, String value, String message) {
  public FlagProblem {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(jsonPath, "jsonPath");
    Objects.requireNonNull(message, "message");
  }

  /** {@code origin: jsonPath: message (value: ...)}. */
  @Override
  public String toString() {
    return origin + ": " + jsonPath + ": " + message + (value == null ? "" : " (value: " + value + ")");
  }
}
