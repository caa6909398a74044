package dev.burnguard.internal.eval;

/** A targeting rule that cannot be compiled, with the JSON path and value at fault. Internal, not for public use. */
public final class TargetingException extends Exception {
  private final String jsonPath;
  private final transient Object value;

  TargetingException(String jsonPath, Object value, String reason) {
    super(reason);
    this.jsonPath = jsonPath;
    this.value = value;
  }

  public String jsonPath() {
    return jsonPath;
  }

  /** The offending JSON value. */
  public Object value() {
    return value;
  }
}
