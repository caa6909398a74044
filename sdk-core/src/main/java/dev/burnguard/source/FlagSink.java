package dev.burnguard.source;

import dev.burnguard.flag.FlagSet;

/**
 * Where a {@link FlagSource} delivers what it reads. The provider implements it: it validates
 * content, swaps snapshots and emits events. Methods may be called from any thread, one at a time
 * per source; they do not throw.
 */
public interface FlagSink {
  /** New content in flagd's flag-definition format, read from {@code origin} (a path or URL). */
  void content(String json, String origin);

  /** A flag set that is already validated, e.g. built in code. */
  void flags(FlagSet flags);

  /** The source could not read its flags; the last good flags stay in force. */
  void failed(String origin, String reason, Throwable cause);
}
