package dev.burnguard.rollout;

import java.time.Instant;

/**
 * Whether a {@link RolloutStore} is writing what it is given, as returned by
 * {@link RolloutStore#health()}.
 *
 * @param healthy true when every appended decision is durable and the last write succeeded
 * @param lastError the failure that makes the store unhealthy (e.g. "No space left on device"),
 *     null when healthy
 * @param unhealthySince when the store became unhealthy, by its clock; null when healthy
 * @param pendingDecisions decisions kept in memory, waiting to be written
 * @param droppedDecisions journal entries given up since the store was opened because the queue was
 *     full; their states were still saved (the state file is rewritten before the journal resumes),
 *     only their lines in the decision log are missing
 */
public record StoreHealth(boolean healthy, String lastError, Instant unhealthySince, int pendingDecisions,
    long droppedDecisions) {
  private static final StoreHealth OK = new StoreHealth(true, null, null, 0, 0);

  public StoreHealth {
    if (healthy != (lastError == null)) {
      throw new IllegalArgumentException("a healthy store has no error and an unhealthy one has one, got healthy="
          + healthy + " and lastError=" + lastError);
    }
  }

  /** Healthy, nothing pending or dropped. */
  public static StoreHealth ok() {
    return OK;
  }
}
