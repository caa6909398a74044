package dev.burnguard.internal.json;

/** Malformed JSON, with the position and JSON path where reading stopped. Internal, not for public use. */
public final class JsonSyntaxException extends RuntimeException {
  private final int line;
  private final int column;
  private final String jsonPath;

  JsonSyntaxException(String reason, int line, int column, String jsonPath) {
    super(reason);
    this.line = line;
    this.column = column;
    this.jsonPath = jsonPath;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The JSON path of the value being read when the error was found, e.g. {@code $.flags.a}. */
  public String jsonPath() {
    return jsonPath;
  }

  /** The reason alone, without position. */
  public String reason() {
    return getMessage();
  }
}
