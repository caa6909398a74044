package dev.burnguard.rollout;

import dev.burnguard.outcome.WindowCounts;
import java.time.Duration;

/** The recorded outcomes of one flag's variants, as the guardian reads them. */
@FunctionalInterface
public interface RolloutWindows {
  /** Exact counts of {@code variant}'s calls over the last {@code window}. */
  WindowCounts counts(String variant, Duration window);
}
