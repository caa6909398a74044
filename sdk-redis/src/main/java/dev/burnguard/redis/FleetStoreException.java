package dev.burnguard.redis;

/**
 * A fleet-store operation failed: Redis did not answer (unreachable, timed out, refused the
 * credentials), or one of our keys holds a value Burnguard did not write ({@link #corrupt()}). The
 * message names the key or operation and never contains the URI's credentials. Internal: the store
 * catches it and reports it through its health.
 */
final class FleetStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean corrupt;

  FleetStoreException(String message, Throwable cause, boolean corrupt) {
    super(message, cause, false, false);
    this.corrupt = corrupt;
  }

  /** True when Redis answered but a key of ours holds an invalid value; false when it did not answer. */
  boolean corrupt() {
    return corrupt;
  }
}
