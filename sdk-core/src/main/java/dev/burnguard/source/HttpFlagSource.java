package dev.burnguard.source;

import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.time.Clock;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A URL serving a flag document in flagd's format, polled every {@link Builder#pollInterval poll
 * interval} (default 5 s) with a conditional GET: the last {@code ETag} is sent as
 * {@code If-None-Match} (or, without one, the last {@code Last-Modified} as
 * {@code If-Modified-Since}), a {@code 304 Not Modified} delivers nothing, and a {@code 200} is
 * delivered only when its body differs from the last one delivered.
 *
 * <p>Every other status, a timeout, an I/O error, a body over {@link Builder#maxBytes the limit}
 * or a body that is not UTF-8 is reported as a failure, once per distinct problem; the provider
 * keeps its last good flags, and the first good body after a failure is delivered again even if it
 * did not change, so the provider recovers. Redirects are not followed.
 *
 * <p>Resilience: each poll goes through a Resilience4j {@link Retry} (a few attempts with
 * exponential backoff, for timeouts, I/O errors, 408, 429 and 5xx), and each attempt through a
 * {@link CircuitBreaker} that opens after a run of such failures, so a dead server is not hammered:
 * while it is open a poll sends no request and reports "circuit breaker open", and a breaker that
 * opens during a poll ends its retries. Both are named after the URL and exposed for metrics and
 * event listeners. Other failures (3xx, 4xx, oversized or undecodable bodies) come from a server
 * that is up, so they are neither retried nor counted against it.
 *
 * <p>Concurrency: every poll, the first included, runs on one daemon thread owned by this source,
 * named {@code burnguard-http-source}; the sink is called from that thread only, and the state kept
 * between polls (validators, last body, last failure) is confined to it. Shared between threads: the
 * immutable settings, the HTTP client, the retry and circuit breaker (all thread-safe), and the
 * {@code closed} flag. {@link #close} stops polling; a poll in flight is interrupted and delivers
 * nothing. A scheduled run never throws, so the schedule is never cancelled.
 */
public final class HttpFlagSource implements FlagSource {
  /** Default time between the end of one poll and the start of the next. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
  /** Default time allowed to open a connection, when this source builds its own HTTP client. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Default time allowed for one request, from sending it to the last byte of the body. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** Default largest body accepted. */
  public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
  /** The largest {@link Builder#maxBytes} accepted, 256 MiB: a body is held whole in memory. */
  public static final long MAX_MAX_BYTES = SourceSettings.MAX_BYTES_CAP;
  /** Default number of requests per poll, the first included. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Default wait before the second attempt of a poll; it doubles for each further attempt. */
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
  /** Default number of consecutive failed requests that opens the circuit breaker. */
  public static final int DEFAULT_CIRCUIT_BREAKER_FAILURE_THRESHOLD = 5;
  /** Default time the circuit breaker stays open before one request probes the server again. */
  public static final Duration DEFAULT_CIRCUIT_BREAKER_OPEN_DURATION = Duration.ofSeconds(30);

  private static final double BACKOFF_MULTIPLIER = 2.0;
  private static final Logger LOG = LoggerFactory.getLogger(HttpFlagSource.class);

  private final URI uri;
  private final String origin;
  private final Duration pollInterval;
  private final Duration requestTimeout;
  private final long maxBytes;
  private final List<Header> headers;
  private final HttpClient client;
  private final Retry retry;
  private final CircuitBreaker circuitBreaker;
  private final CheckedSupplier<Optional<Document>> resilientFetch;
  private final ScheduledExecutorService executor;
  private volatile boolean closed;
  private boolean started; // guarded by this

  // confined to the polling thread
  private String etag;
  private String lastModified;
  private String lastContent;
  private String lastFailure;
  private String lastRequestFailure;

  /** A 200 response: the decoded body and its validators (either may be null). */
  private record Document(String text, String etag, String lastModified) {}

  private record Header(String name, String value) {}

  private HttpFlagSource(Builder b) {
    this.uri = b.uri;
    this.origin = redacted(b.uri);
    this.pollInterval = b.pollInterval;
    this.requestTimeout = b.requestTimeout;
    this.maxBytes = b.maxBytes;
    this.headers = List.copyOf(b.headers);
    this.client = b.httpClient != null
        ? b.httpClient
        : HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout != null ? b.connectTimeout : DEFAULT_CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.retry = Retry.of(origin, RetryConfig.custom()
        .maxAttempts(b.maxAttempts)
        .intervalFunction(IntervalFunction.ofExponentialBackoff(b.retryBackoff, BACKOFF_MULTIPLIER))
        .retryOnException(HttpFlagSource::isServerTrouble)
        .build());
    Clock clock = b.clock;
    int threshold = b.circuitBreakerFailureThreshold;
    this.circuitBreaker = CircuitBreaker.of(origin, CircuitBreakerConfig.custom()
        // open when every one of the last `threshold` requests failed
        .slidingWindow(threshold, threshold, SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(100)
        .waitDurationInOpenState(b.circuitBreakerOpenDuration)
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(HttpFlagSource::isServerTrouble)
        .clock(new WallClock(clock, ZoneOffset.UTC))
        .currentTimestampFunction(ignored -> clock.monotonicNanos(), TimeUnit.NANOSECONDS)
        .build());
    this.resilientFetch = Retry.decorateCheckedSupplier(retry,
        CircuitBreaker.decorateCheckedSupplier(circuitBreaker, this::fetch));
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "burnguard-http-source");
      t.setDaemon(true);
      return t;
    });
  }

  /** A builder for a source polling {@code uri}, which must be an absolute http or https URI. */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /**
   * The URL as it may appear in logs, events and errors: user-info and query parameter values,
   * which often carry credentials, are replaced by {@code ***}.
   */
  static String redacted(URI uri) {
    StringBuilder sb = new StringBuilder(uri.getScheme()).append("://");
    if (uri.getRawUserInfo() != null) {
      sb.append("***@");
    }
    sb.append(uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1));
    if (uri.getRawPath() != null) {
      sb.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      sb.append('?').append(uri.getRawQuery().replaceAll("=[^&]*", "=***"));
    }
    return sb.toString();
  }

  @Override
  public String describe() {
    return origin;
  }

  /** The retry every poll goes through, named after the URL; for metrics and event listeners. */
  public Retry retry() {
    return retry;
  }

  /** The circuit breaker every request goes through, named after the URL; for metrics and event listeners. */
  public CircuitBreaker circuitBreaker() {
    return circuitBreaker;
  }

  /** Schedules the first poll at once on this source's thread, then one per poll interval. */
  @Override
  public synchronized void start(FlagSink sink) {
    if (started) {
      throw new IllegalStateException("http source " + origin + " was already started");
    }
    started = true;
    Objects.requireNonNull(sink, "sink");
    long millis = pollInterval.toMillis();
    try {
      executor.scheduleWithFixedDelay(() -> pollGuarded(sink), 0, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed before it was started: there is nothing to deliver
    }
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }

  private void pollGuarded(FlagSink sink) {
    try {
      poll(sink);
    } catch (RuntimeException e) {
      // only a sink that breaks its contract gets here; an escaping exception would end the schedule
      LOG.error("Flag sink failed on a poll of {}; polling continues", origin, e);
    }
  }

  private void poll(FlagSink sink) {
    Optional<Document> fetched;
    try {
      fetched = resilientFetch.get();
    } catch (PollFailure e) {
      fail(sink, e.getMessage(), e.getCause());
      return;
    } catch (CallNotPermittedException e) {
      fail(sink, "circuit breaker open after repeated failures, no request sent"
          + (lastRequestFailure == null ? "" : " (last failure: " + lastRequestFailure + ")"), e);
      return;
    } catch (Throwable e) {
      fail(sink, "poll failed: " + e, e);
      return;
    }
    if (closed) {
      return;
    }
    lastFailure = null;
    if (fetched.isEmpty()) {
      return;
    }
    Document doc = fetched.get();
    etag = doc.etag();
    lastModified = doc.lastModified();
    if (!doc.text().equals(lastContent)) {
      lastContent = doc.text();
      sink.content(doc.text(), origin);
    }
  }

  private void fail(FlagSink sink, String reason, Throwable cause) {
    if (closed) {
      return;
    }
    // forget what was delivered so that the next good body is delivered, even if unchanged
    etag = null;
    lastModified = null;
    lastContent = null;
    if (!reason.equals(lastFailure)) {
      lastFailure = reason;
      sink.failed(origin, reason, cause);
    }
  }

  /** One request; empty for 304 Not Modified. Runs inside the retry and the circuit breaker. */
  private Optional<Document> fetch() throws PollFailure {
    try {
      return request();
    } catch (PollFailure e) {
      lastRequestFailure = e.getMessage();
      throw e;
    }
  }

  private Optional<Document> request() throws PollFailure {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().header("Accept", "application/json");
    for (Header header : headers) {
      request.header(header.name(), header.value());
    }
    boolean conditional = lastContent != null && (etag != null || lastModified != null);
    if (conditional && etag != null) {
      request.header("If-None-Match", etag);
    } else if (conditional) {
      request.header("If-Modified-Since", lastModified);
    }
    CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request.build(), this::bodyHandler);
    HttpResponse<byte[]> response;
    try {
      response = future.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new PollFailure("no response within " + requestTimeout.toMillis() + " ms", e, true);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new PollFailure("interrupted", e, false);
    } catch (ExecutionException e) {
      throw requestFailure(e.getCause());
    }
    int status = response.statusCode();
    if (status == 304 && conditional) {
      return Optional.empty();
    }
    if (status != 200) {
      boolean serverTrouble = status == 408 || status == 429 || status >= 500;
      String hint = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
      throw new PollFailure("HTTP status " + status + hint, null, serverTrouble);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(response.body())).toString();
    } catch (CharacterCodingException e) {
      throw new PollFailure("body is not valid UTF-8 text", e, false);
    }
    return Optional.of(new Document(text,
        response.headers().firstValue("ETag").orElse(null),
        response.headers().firstValue("Last-Modified").orElse(null)));
  }

  private BodySubscriber<byte[]> bodyHandler(ResponseInfo info) {
    if (info.statusCode() != 200) {
      return BodySubscribers.replacing(null);
    }
    return new LimitedBody(maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1));
  }

  private PollFailure requestFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BodyTooLargeException) {
        return new PollFailure("body is larger than the limit of " + maxBytes + " bytes", t, false);
      }
    }
    if (e instanceof HttpConnectTimeoutException) {
      return new PollFailure("cannot connect: timed out", e, true);
    }
    if (e instanceof ConnectException) {
      return new PollFailure("cannot connect" + (e.getMessage() == null ? "" : ": " + e.getMessage()), e, true);
    }
    if (e instanceof IOException) {
      return new PollFailure("request failed: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()),
          e, true);
    }
    return new PollFailure("request failed: " + e, e, false);
  }

  /** Failures a retry may fix and that count against the server: it is down, slow or overloaded. */
  private static boolean isServerTrouble(Throwable e) {
    return e instanceof PollFailure f && f.serverTrouble;
  }

  /** A failed request; the message is the reason reported to the sink. */
  private static final class PollFailure extends Exception {
    private final boolean serverTrouble;

    PollFailure(String reason, Throwable cause, boolean serverTrouble) {
      super(reason, cause, false, false);
      this.serverTrouble = serverTrouble;
    }
  }

  private static final class BodyTooLargeException extends IOException {
    BodyTooLargeException(long limit) {
      super("body is larger than " + limit + " bytes");
    }
  }

  /** Collects a body up to a limit, and gives up as soon as the body (declared or received) is larger. */
  private static final class LimitedBody implements BodySubscriber<byte[]> {
    private final long maxBytes;
    private final long declaredBytes;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    LimitedBody(long maxBytes, long declaredBytes) {
      this.maxBytes = maxBytes;
      this.declaredBytes = declaredBytes;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (declaredBytes > maxBytes) {
        tooLarge();
      } else {
        subscription.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        if (result.isDone()) {
          return;
        }
        if (received.size() + (long) buffer.remaining() > maxBytes) {
          tooLarge();
          return;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        received.write(bytes, 0, bytes.length);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(received.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    private void tooLarge() {
      subscription.cancel();
      result.completeExceptionally(new BodyTooLargeException(maxBytes));
    }
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

  /** Builds an {@link HttpFlagSource}; every setting has a default, see the {@code DEFAULT_} constants. */
  public static final class Builder {
    private final URI uri;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration connectTimeout; // null: the default, or the injected client's own
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private final List<Header> headers = new ArrayList<>();
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private int circuitBreakerFailureThreshold = DEFAULT_CIRCUIT_BREAKER_FAILURE_THRESHOLD;
    private Duration circuitBreakerOpenDuration = DEFAULT_CIRCUIT_BREAKER_OPEN_DURATION;
    private HttpClient httpClient;
    private Clock clock = Clock.system();

    private Builder(URI uri) {
      Objects.requireNonNull(uri, "uri");
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
        throw new IllegalArgumentException("an http source needs an absolute http or https URI, got " + uri);
      }
      this.uri = uri;
    }

    /** Time between the end of one poll and the start of the next; at least 10 ms. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = SourceSettings.pollInterval(interval);
      return this;
    }

    /**
     * Time allowed to open a connection; at least 1 ms. Applies to the client this source builds, so it
     * cannot be combined with {@link #httpClient}: configure an injected client's own timeout.
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = atLeastOneMilli(timeout, "connectTimeout");
      return this;
    }

    /** Time allowed for one request, connecting and reading the whole body included; at least 1 ms. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = atLeastOneMilli(timeout, "requestTimeout");
      return this;
    }

    /**
     * The largest body accepted, in bytes (default 16 MiB, at most {@value HttpFlagSource#MAX_MAX_BYTES},
     * 256 MiB; a larger setting is refused with its value in the message); a larger body is reported
     * as a failure and not read further.
     */
    public Builder maxBytes(long maxBytes) {
      this.maxBytes = SourceSettings.maxBytes(maxBytes);
      return this;
    }

    /**
     * A header sent with every request, e.g. {@code Authorization}; may be called more than once.
     * The conditional headers {@code If-None-Match} and {@code If-Modified-Since} are this
     * source's own.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      if (name.equalsIgnoreCase("If-None-Match") || name.equalsIgnoreCase("If-Modified-Since")) {
        throw new IllegalArgumentException("header " + name + " is set by the source itself");
      }
      // the JDK's own check: names restricted by the client (Host, Connection, ...) and illegal characters
      HttpRequest.newBuilder(uri).header(name, value);
      headers.add(new Header(name, value));
      return this;
    }

    /** Requests per poll, the first included, for timeouts, I/O errors, 408, 429 and 5xx; at least 1. */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** Wait before the second attempt of a poll, doubled for each further attempt; at least 1 ms. */
    public Builder retryBackoff(Duration backoff) {
      this.retryBackoff = atLeastOneMilli(backoff, "retryBackoff");
      return this;
    }

    /** Consecutive failed requests (timeouts, I/O errors, 408, 429, 5xx) that open the circuit; at least 1. */
    public Builder circuitBreakerFailureThreshold(int failures) {
      if (failures < 1) {
        throw new IllegalArgumentException("circuitBreakerFailureThreshold must be at least 1, got " + failures);
      }
      this.circuitBreakerFailureThreshold = failures;
      return this;
    }

    /** How long the circuit stays open, without requests, before one request probes the server; at least 1 ms. */
    public Builder circuitBreakerOpenDuration(Duration duration) {
      this.circuitBreakerOpenDuration = atLeastOneMilli(duration, "circuitBreakerOpenDuration");
      return this;
    }

    /**
     * The client to send requests with, e.g. one configured for a proxy or TLS; by default the
     * source builds its own, which does not follow redirects.
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /** The clock the circuit breaker's open duration is measured on; inject a ManualClock in tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public HttpFlagSource build() {
      if (httpClient != null && connectTimeout != null) {
        throw new IllegalStateException("connectTimeout applies to the client the source builds; "
            + "set it on the injected httpClient instead");
      }
      return new HttpFlagSource(this);
    }

    private static Duration atLeastOneMilli(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be at least 1 ms, got " + value);
      }
      return value;
    }
  }
}
