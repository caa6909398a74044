package dev.burnguard.source;

import java.time.Duration;
import java.util.Objects;

/** Validation of the settings that polling sources share, with the bad value in every message. */
final class SourceSettings {
  /** The shortest poll interval a source accepts. */
  static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);

  /**
   * The largest {@code maxBytes} a source accepts, 256 MiB: a flag document is held whole in memory
   * (bytes, then a string, then a JSON tree), so a limit above this would only let a runaway file or
   * server exhaust the heap; real flag files are kilobytes to a few megabytes.
   */
  static final long MAX_BYTES_CAP = 256L * 1024 * 1024;

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
    if (maxBytes > MAX_BYTES_CAP) {
      throw new IllegalArgumentException("maxBytes must be at most " + MAX_BYTES_CAP + " (256 MiB), got " + maxBytes);
    }
    return maxBytes;
  }
}
