package dev.burnguard.internal.guardian;

import java.time.Duration;

/** The recorded outcomes of one flag's variants, as the guardian reads them. */
@FunctionalInterface
public interface RolloutWindows {
  /** Index of the call count in {@link #counts}' output. */
  int CALLS = 0;
  /** Index of the error count. */
  int ERRORS = 1;
  /** Index of the slow count against the recorder's first latency threshold; the others follow. */
  int SLOW = 2;
  /** Room for calls, errors and up to three slow counts. */
  int SIZE = 5;

  /**
   * Writes exact counts of {@code variant}'s calls over the last {@code window} into {@code out}
   * (at {@link #CALLS}, {@link #ERRORS}, {@link #SLOW} + threshold index); zeros where there are none.
   */
  void counts(String variant, Duration window, long[] out);
}
