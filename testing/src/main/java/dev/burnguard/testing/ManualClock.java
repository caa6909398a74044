package dev.burnguard.testing;

import dev.burnguard.time.Clock;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, for deterministic tests and simulations. Wall time and
 * monotonic time advance together.
 *
 * <p>Concurrency: both readings live in one {@link AtomicLong} offset, so readers on any thread see
 * each {@link #advance} whole; {@code advance} may be called from any thread.
 */
public final class ManualClock implements Clock {
  private final long wallOriginMillis;
  private final AtomicLong elapsedNanos = new AtomicLong();

  /** A clock starting at {@code start}. */
  public ManualClock(Instant start) {
    this.wallOriginMillis = Objects.requireNonNull(start, "start").toEpochMilli();
  }

  /** A clock starting at 2026-01-01T00:00:00Z. */
  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** Moves time forward by {@code amount}, which must not be negative. */
  public void advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a clock cannot move backwards, got " + amount);
    }
    elapsedNanos.addAndGet(amount.toNanos());
  }

  @Override
  public long wallMillis() {
    return wallOriginMillis + elapsedNanos.get() / 1_000_000L;
  }

  @Override
  public long monotonicNanos() {
    return elapsedNanos.get();
  }

  /** The current wall time. */
  public Instant now() {
    return Instant.ofEpochMilli(wallMillis());
  }
}
