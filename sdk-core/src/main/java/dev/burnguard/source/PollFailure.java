package dev.burnguard.source;

/**
 * A failed request of an {@link HttpFlagSource}; the message is the reason reported to the sink.
 * Whether it is "server trouble" decides what the retry and the circuit breaker make of it.
 */
final class PollFailure extends Exception {
  private final boolean serverTrouble;

  PollFailure(String reason, Throwable cause, boolean serverTrouble) {
    super(reason, cause, false, false);
    this.serverTrouble = serverTrouble;
  }

  /**
   * Failures a retry may fix and that count against the server: it is down, slow or overloaded
   * (timeouts, I/O errors, 408, 429, 5xx). Others come from a server that is up.
   */
  static boolean isServerTrouble(Throwable e) {
    return e instanceof PollFailure f && f.serverTrouble;
  }
}
