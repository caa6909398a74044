package dev.burnguard.source;

import java.time.Duration;
import java.util.Objects;

/** Validation of the settings that polling sources share, with the bad value in every message. */
final class SourceSettings {
  /** The shortest poll interval a source accepts. */
  static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);

  private SourceSettings() {}

  static Duration pollInterval(Duration interval) {
    Objects.requireNonNull(interval, "pollInterval");
    if (interval.compareTo(MIN_POLL_INTERVAL) < 0) {
      throw new IllegalArgumentException("pollInterval must be at least 10 ms, got " + interval);
    }
    return interval;
  }

  static long maxBytes(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
    }
    return maxBytes;
  }
}
