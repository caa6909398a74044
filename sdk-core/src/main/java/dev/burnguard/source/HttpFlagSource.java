package dev.burnguard.source;

import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.HttpTransport.Document;
import dev.burnguard.source.HttpTransport.Header;
import dev.burnguard.time.Clock;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <p>This class is the builder and the polling lifecycle; a request is the package-private
 * {@code HttpTransport}'s (conditional GET, body size limit, decoding), and the retry and circuit
 * breaker are set up by {@code PollResilience}.
 *
 * <p>Concurrency: every poll, the first included, runs on one daemon thread owned by this source,
 * named {@code burnguard-http-source}; the sink is called from that thread only, and the state kept
 * between polls (validators, last body, last failure) is confined to it. Shared between threads: the
 * immutable settings and transport, the HTTP client, the retry and circuit breaker (all
 * thread-safe), and the {@code closed} flag. {@link #close} stops polling; a poll in flight is interrupted and delivers
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

  private static final Logger LOG = LoggerFactory.getLogger(HttpFlagSource.class);

  private final String origin;
  private final Duration pollInterval;
  private final HttpTransport transport;
  private final PollResilience resilience;
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

  private HttpFlagSource(Builder b) {
    this.origin = redacted(b.uri);
    this.pollInterval = b.pollInterval;
    HttpClient client = b.httpClient != null
        ? b.httpClient
        : HttpTransport.newClient(b.connectTimeout != null ? b.connectTimeout : DEFAULT_CONNECT_TIMEOUT);
    this.transport = new HttpTransport(b.uri, b.headers, client, b.requestTimeout, b.maxBytes);
    this.resilience = new PollResilience(origin, b.maxAttempts, b.retryBackoff, b.circuitBreakerFailureThreshold,
        b.circuitBreakerOpenDuration, b.clock);
    this.resilientFetch = resilience.decorate(this::fetch);
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
    return resilience.retry();
  }

  /** The circuit breaker every request goes through, named after the URL; for metrics and event listeners. */
  public CircuitBreaker circuitBreaker() {
    return resilience.circuitBreaker();
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

  /**
   * One request, conditional once a body was delivered; empty for 304 Not Modified. Runs inside the
   * retry and the circuit breaker.
   */
  private Optional<Document> fetch() throws PollFailure {
    try {
      return lastContent == null ? transport.get(null, null) : transport.get(etag, lastModified);
    } catch (PollFailure e) {
      lastRequestFailure = e.getMessage();
      throw e;
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
