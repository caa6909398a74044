package dev.burnguard.time;


/**
 * The one source of time in Burnguard: wall-clock time for timestamps and {@code $flagd.timestamp},
 * monotonic nanoseconds for durations and scheduling. Every component takes a {@code Clock}, so a
 * test that swaps in a {@code ManualClock} (module burnguard-testing) controls all time and runs hours of traffic in
 * milliseconds. Implementations must be thread-safe and must not block.
 */
public interface Clock {
  /** Milliseconds since the Unix epoch. */
  long wallMillis();

  /** Monotonic nanoseconds from an arbitrary origin; only differences are meaningful. */
  long monotonicNanos();

  /** The system clock: {@link System#currentTimeMillis()} and {@link System#nanoTime()}. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
