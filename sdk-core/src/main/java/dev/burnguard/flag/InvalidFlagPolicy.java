package dev.burnguard.flag;

/** What loading does with a flag whose definition is invalid while the rest of the file is fine. */
public enum InvalidFlagPolicy {
  /**
   * Reject the whole file (the default): a provider keeps serving the flags it had, and reports the
   * problems. A typo in one flag never changes what any flag serves.
   */
  REJECT_FILE,
  /**
   * Load the other flags and make the invalid one resolve to the caller's default with error code
   * {@code PARSE_ERROR}, as flagd does. The problems are listed in {@link FlagSet#problems()}.
   */
  ISOLATE_FLAG
}
