package dev.burnguard.source;

import dev.burnguard.time.Clock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * The Resilience4j wiring of an {@link HttpFlagSource}: a {@link Retry} around each poll (a few
 * attempts with exponential backoff) and a {@link CircuitBreaker} around each request (open when
 * every one of the last {@code failureThreshold} requests failed), both named after the URL and both
 * counting only {@linkplain PollFailure#isServerTrouble server trouble}. The breaker measures time
 * on Burnguard's {@link Clock}, so tests drive it with a ManualClock.
 *
 * <p>Design (concurrency): immutable; the retry and the circuit breaker are Resilience4j's
 * thread-safe objects, used by the polling thread and read by metrics and listeners on any thread.
 */
final class PollResilience {
  private static final double BACKOFF_MULTIPLIER = 2.0;

  private final Retry retry;
  private final CircuitBreaker circuitBreaker;

  PollResilience(String name, int maxAttempts, Duration retryBackoff, int failureThreshold, Duration openDuration,
      Clock clock) {
    this.retry = Retry.of(name, RetryConfig.custom()
        .maxAttempts(maxAttempts)
        .intervalFunction(IntervalFunction.ofExponentialBackoff(retryBackoff, BACKOFF_MULTIPLIER))
        .retryOnException(PollFailure::isServerTrouble)
        .build());
    this.circuitBreaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
        // open when every one of the last `failureThreshold` requests failed
        .slidingWindow(failureThreshold, failureThreshold, SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(100)
        .waitDurationInOpenState(openDuration)
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(PollFailure::isServerTrouble)
        .clock(new WallClock(clock, ZoneOffset.UTC))
        .currentTimestampFunction(ignored -> clock.monotonicNanos(), TimeUnit.NANOSECONDS)
        .build());
  }

  Retry retry() {
    return retry;
  }

  CircuitBreaker circuitBreaker() {
    return circuitBreaker;
  }

  /**
   * {@code request} behind the circuit breaker, the whole behind the retry: a poll. While the
   * breaker is open it throws {@code CallNotPermittedException} without calling {@code request}.
   */
  <T> CheckedSupplier<T> decorate(CheckedSupplier<T> request) {
    return Retry.decorateCheckedSupplier(retry, CircuitBreaker.decorateCheckedSupplier(circuitBreaker, request));
  }

  /** Burnguard's clock as the {@code java.time.Clock} the circuit breaker measures its open state on. */
  private static final class WallClock extends java.time.Clock {
    private final Clock clock;
    private final ZoneId zone;

    WallClock(Clock clock, ZoneId zone) {
      this.clock = clock;
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public java.time.Clock withZone(ZoneId zone) {
      return new WallClock(clock, zone);
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(clock.wallMillis());
    }
  }
}
