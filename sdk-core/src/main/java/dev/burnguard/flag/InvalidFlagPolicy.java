package dev.burnguard.flag;

/**
 * What loading does with a flag (or an {@code $evaluators} entry) whose definition is invalid while
 * the rest of the file is well-formed. A file that is not JSON, or whose top level is wrong, is
 * rejected as a whole under either policy.
 */
public enum InvalidFlagPolicy {
  /**
   * All or nothing: reject the whole file. A provider keeps serving the flags it had and reports the
   * problems (STALE); on a first load it never becomes ready. A typo in one flag never changes what
   * any flag serves.
   */
  REJECT_FILE,
  /**
   * The default, as flagd does: load the valid flags; an invalid flag resolves to the caller's
   * default with error code {@code PARSE_ERROR}, and an invalid evaluator only fails the flags that
   * refer to it. The problems are listed in {@link FlagSet#problems()} (each with file, JSON path and
   * value). Safer than flagd on a reload: a provider keeps serving a flag that was valid and became
   * invalid from its last good definition ({@link FlagSet#keepingLastKnownGood}) and reports it.
   */
  ISOLATE_FLAG
}
