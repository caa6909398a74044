package dev.burnguard.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link HttpFlagSource} against a real HTTP server on the loopback interface. */
class HttpFlagSourceTest {
  /** Reloads run on background threads; a busy CI machine may take longer than Awaitility's default 10 s. */
  @org.junit.jupiter.api.BeforeAll
  static void allowForABusyMachine() {
    org.awaitility.Awaitility.setDefaultTimeout(java.time.Duration.ofSeconds(30));
  }

  private static final String FLAGS_ON =
      "{\"flags\":{\"a\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"on\"}}}";
  private static final String FLAGS_OFF =
      "{\"flags\":{\"a\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\"}}}";
  /** Long enough that a test sees the first poll only. */
  private static final Duration ONE_POLL = Duration.ofHours(1);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingSink sink = new RecordingSink();

  @AfterEach
  void closeAll() throws Exception {
    // last opened, first closed: sources before their servers
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void firstPollDeliversTheDocumentSendingTheConfiguredHeaders() {
    TestServer server = serve(0, (exchange, n) -> respond(exchange, 200, FLAGS_ON));
    HttpFlagSource source = started(fast(server.uri())
        .pollInterval(ONE_POLL)
        .header("Authorization", "Bearer s3cret"));

    await().until(() -> sink.contents.size() == 1);
    assertThat(sink.contents).containsExactly(FLAGS_ON);
    assertThat(sink.origins).containsExactly(server.uri().toString());
    assertThat(source.describe()).isEqualTo(server.uri().toString());
    assertThat(sink.failures).isEmpty();
    assertThat(server.requestHeaders.get(0).getFirst("Authorization")).isEqualTo("Bearer s3cret");
    assertThat(server.requestHeaders.get(0).containsKey("If-None-Match")).isFalse();
  }

  @Test
  void matchingETagIsAnswered304AndNothingIsDeliveredUntilTheBodyChanges() {
    AtomicInteger notModified = new AtomicInteger();
    AtomicReference<Version> current = new AtomicReference<>(new Version(FLAGS_ON, "\"v1\""));
    TestServer server = serve(0, (exchange, n) -> {
      Version version = current.get();
      if (version.etag().equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
        notModified.incrementAndGet();
        exchange.sendResponseHeaders(304, -1);
        exchange.close();
      } else {
        exchange.getResponseHeaders().set("ETag", version.etag());
        respond(exchange, 200, version.body());
      }
    });
    started(fast(server.uri()));

    await().until(() -> notModified.get() >= 3);
    assertThat(sink.contents).containsExactly(FLAGS_ON);

    current.set(new Version(FLAGS_OFF, "\"v2\""));
    await().until(() -> sink.contents.size() == 2);
    assertThat(sink.contents).containsExactly(FLAGS_ON, FLAGS_OFF);
    await().until(() -> server.requestHeaders.stream().anyMatch(h -> "\"v2\"".equals(h.getFirst("If-None-Match"))));
    assertThat(sink.contents).hasSize(2);
    assertThat(sink.failures).isEmpty();
  }

  @Test
  void withoutAnETagTheLastModifiedDateIsSentAsIfModifiedSince() {
    String lastModified = "Wed, 21 Oct 2015 07:28:00 GMT";
    TestServer server = serve(0, (exchange, n) -> {
      exchange.getResponseHeaders().set("Last-Modified", lastModified);
      respond(exchange, 200, FLAGS_ON);
    });
    started(fast(server.uri()));

    await().until(() -> server.requestHeaders.size() >= 2);
    Headers second = server.requestHeaders.get(1);
    assertThat(second.getFirst("If-Modified-Since")).isEqualTo(lastModified);
    assertThat(second.containsKey("If-None-Match")).isFalse();
  }

  @Test
  void anUnchangedBodyIsNotDeliveredAgain() {
    TestServer server = serve(0, (exchange, n) -> respond(exchange, 200, FLAGS_ON));
    started(fast(server.uri()));

    await().until(() -> server.requests.get() >= 5);
    assertThat(sink.contents).containsExactly(FLAGS_ON);
  }

  @Test
  void serverErrorIsReportedOnceAndTheNextGoodBodyIsDeliveredAgain() {
    // request 1 succeeds, requests 2 to 7 (three polls of two attempts) fail, then the server recovers
    TestServer server = serve(0, (exchange, n) -> respond(exchange, n >= 2 && n <= 7 ? 500 : 200, FLAGS_ON));
    started(fast(server.uri()).maxAttempts(2).circuitBreakerFailureThreshold(50));

    await().until(() -> sink.contents.size() == 2);
    assertThat(server.requests.get()).isGreaterThanOrEqualTo(8);
    assertThat(sink.failures).extracting(Failure::reason).containsExactly("HTTP status 500");
    assertThat(sink.failures).extracting(Failure::origin).containsExactly(server.uri().toString());
    assertThat(sink.contents).containsExactly(FLAGS_ON, FLAGS_ON);
  }

  @Test
  void aTransientErrorIsRetriedWithinThePoll() {
    TestServer server = serve(0, (exchange, n) -> respond(exchange, n == 1 ? 503 : 200, FLAGS_ON));
    HttpFlagSource source = started(fast(server.uri()).pollInterval(ONE_POLL).maxAttempts(3));

    await().until(() -> sink.contents.size() == 1);
    assertThat(sink.failures).isEmpty();
    assertThat(server.requests.get()).isEqualTo(2);
    assertThat(source.retry().getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt()).isEqualTo(1);
  }

  @Test
  void aClientErrorIsNeitherRetriedNorCountedAgainstTheServer() {
    TestServer server = serve(0, (exchange, n) -> respond(exchange, 404, "no such flags"));
    HttpFlagSource source = started(fast(server.uri()).pollInterval(ONE_POLL).maxAttempts(3));

    await().until(() -> sink.failures.size() == 1);
    assertThat(sink.failures).extracting(Failure::reason).containsExactly("HTTP status 404");
    assertThat(server.requests.get()).isEqualTo(1);
    assertThat(source.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
    assertThat(sink.contents).isEmpty();
  }

  @Test
  void deadServerOpensTheCircuitNoRequestIsSentWhileOpenAndThePollerRecovers() {
    ManualClock clock = new ManualClock();
    TestServer server = serve(0, (exchange, n) -> respond(exchange, 200, FLAGS_ON));
    int port = server.port();
    HttpFlagSource source = started(fast(server.uri())
        .maxAttempts(1)
        .circuitBreakerFailureThreshold(4)
        .circuitBreakerOpenDuration(Duration.ofMinutes(1))
        .clock(clock));
    await().until(() -> sink.contents.size() == 1);

    server.close();
    await().until(() -> source.circuitBreaker().getState() == CircuitBreaker.State.OPEN);
    await().until(() -> !sink.failures.isEmpty() && last(sink.failures).reason().startsWith("circuit breaker open"));
    // at least four requests failed to connect; the failure was reported once
    assertThat(sink.failures).extracting(Failure::reason).filteredOn(r -> r.startsWith("cannot connect")).hasSize(1);
    assertThat(last(sink.failures).reason())
        .isEqualTo("circuit breaker open after repeated failures, no request sent (last failure: cannot connect)");

    TestServer revived = serve(port, (exchange, n) -> respond(exchange, 200, FLAGS_ON));
    CircuitBreaker.Metrics metrics = source.circuitBreaker().getMetrics();
    long notPermitted = metrics.getNumberOfNotPermittedCalls();
    await().until(() -> metrics.getNumberOfNotPermittedCalls() >= notPermitted + 3);
    assertThat(revived.requests.get()).isZero();
    int failuresWhileOpen = sink.failures.size();

    clock.advance(Duration.ofMinutes(1).plusMillis(1));
    await().until(() -> sink.contents.size() == 2);
    assertThat(revived.requests.get()).isPositive();
    assertThat(source.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(sink.failures).hasSize(failuresWhileOpen);
  }

  @ParameterizedTest(name = "chunked: {0}")
  @ValueSource(booleans = {false, true})
  void aBodyOverTheLimitIsRejectedAndOneAtTheLimitAccepted(boolean chunked) {
    AtomicReference<String> body = new AtomicReference<>("x".repeat(65));
    TestServer server = serve(0, (exchange, n) -> {
      byte[] bytes = body.get().getBytes(UTF_8);
      exchange.sendResponseHeaders(200, chunked ? 0 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    started(fast(server.uri()).maxBytes(64));

    await().until(() -> sink.failures.size() == 1);
    assertThat(sink.failures).extracting(Failure::reason).containsExactly("body is larger than the limit of 64 bytes");
    assertThat(sink.contents).isEmpty();

    body.set("y".repeat(64));
    await().until(() -> sink.contents.size() == 1);
    assertThat(sink.contents).containsExactly("y".repeat(64));
  }

  @Test
  void aBodyDeclaredOverTheLimitIsRejectedWithoutWaitingForIt() {
    CountDownLatch release = new CountDownLatch(1);
    TestServer server = serve(0, (exchange, n) -> {
      exchange.sendResponseHeaders(200, 1_000_000);
      try {
        release.await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    toClose.add(release::countDown); // before the server stops, so that its handler thread ends
    // the body never comes: only the declared length can tell, before the request times out
    started(fast(server.uri())
        .pollInterval(ONE_POLL)
        .maxAttempts(1)
        .requestTimeout(Duration.ofMinutes(1))
        .maxBytes(64));

    await().until(() -> sink.failures.size() == 1);
    assertThat(sink.failures).extracting(Failure::reason).containsExactly("body is larger than the limit of 64 bytes");
  }

  @Test
  void aBodyThatIsNotUtf8IsRejected() {
    TestServer server = serve(0, (exchange, n) -> {
      byte[] bytes = {'{', (byte) 0xC3, (byte) 0x28, '}'};
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    started(fast(server.uri()).pollInterval(ONE_POLL));

    await().until(() -> sink.failures.size() == 1);
    assertThat(sink.failures).extracting(Failure::reason).containsExactly("body is not valid UTF-8 text");
    assertThat(sink.contents).isEmpty();
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsATimeout() {
    CountDownLatch release = new CountDownLatch(1);
    TestServer server = serve(0, (exchange, n) -> {
      try {
        release.await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      respond(exchange, 200, FLAGS_ON);
    });
    toClose.add(release::countDown); // before the server stops, so that its handler thread ends
    started(fast(server.uri()).pollInterval(ONE_POLL).maxAttempts(1).requestTimeout(Duration.ofMillis(200)));

    await().until(() -> sink.failures.size() == 1);
    assertThat(sink.failures).extracting(Failure::reason).containsExactly("no response within 200 ms");
    assertThat(sink.contents).isEmpty();
  }

  @Test
  void pollsOnOneDaemonThreadThatCloseStops() {
    TestServer server = serve(0, (exchange, n) -> respond(exchange, 200, FLAGS_ON));
    HttpFlagSource source = started(fast(server.uri()));
    await().until(() -> sink.contents.size() == 1);
    Thread poller = sink.lastThread;
    assertThat(poller.getName()).isEqualTo("burnguard-http-source");
    assertThat(poller.isDaemon()).isTrue();

    source.close();
    await().until(() -> !poller.isAlive());
  }

  @Test
  void providerGoesReadyChangedStaleAndReadyAgainAsTheServerChanges() throws Exception {
    AtomicReference<String> body = new AtomicReference<>(FLAGS_ON);
    AtomicInteger status = new AtomicInteger(200);
    TestServer server = serve(0, (exchange, n) -> respond(exchange, status.get(), body.get()));
    BurnguardProvider provider = BurnguardProvider.builder()
        .source(fast(server.uri()).maxAttempts(1).circuitBreakerOpenDuration(Duration.ofMillis(10)).build())
        .build();
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    toClose.add(api::shutdown);
    List<EventDetails> changes = new CopyOnWriteArrayList<>();
    List<EventDetails> stale = new CopyOnWriteArrayList<>();
    List<EventDetails> ready = new CopyOnWriteArrayList<>();
    api.onProviderConfigurationChanged(changes::add);
    api.onProviderStale(stale::add);
    api.onProviderReady(ready::add);

    api.setProviderAndWait(provider);
    Client client = api.getClient();
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(client.getBooleanValue("a", false)).isTrue();
    await().until(() -> ready.size() == 1);

    body.set(FLAGS_OFF);
    await().until(() -> !changes.isEmpty());
    assertThat(changes.get(0).getFlagsChanged()).containsExactly("a");
    assertThat(client.getBooleanValue("a", true)).isFalse();

    status.set(500);
    await().until(() -> client.getProviderState() == ProviderState.STALE);
    await().until(() -> !stale.isEmpty());
    assertThat(stale).hasSize(1);
    assertThat(client.getBooleanValue("a", true)).isFalse();
    assertThat(provider.lastLoadFailure()).hasValueSatisfying(f -> assertThat(f.message()).contains("HTTP status 500"));

    status.set(200);
    await().until(() -> client.getProviderState() == ProviderState.READY);
    await().until(() -> ready.size() == 2);
    assertThat(client.getBooleanValue("a", true)).isFalse();
    assertThat(provider.lastLoadFailure()).isEmpty();
    assertThat(changes).hasSize(1);
  }

  @Test
  void settingsAreValidatedWithTheBadValueInTheMessage() {
    URI uri = URI.create("http://127.0.0.1:1/flags.json");
    assertRejected(() -> HttpFlagSource.builder(URI.create("ftp://example.com/f.json")), "ftp://example.com/f.json");
    assertRejected(() -> HttpFlagSource.builder(URI.create("flags.json")), "flags.json");
    HttpFlagSource.Builder b = HttpFlagSource.builder(uri);
    assertRejected(() -> b.pollInterval(Duration.ofMillis(9)), "PT0.009S");
    assertRejected(() -> b.connectTimeout(Duration.ofNanos(1)), "PT0.000000001S");
    assertRejected(() -> b.requestTimeout(Duration.ZERO), "PT0S");
    assertRejected(() -> b.maxBytes(0), "got 0");
    assertRejected(() -> b.maxBytes(268_435_457L), "maxBytes must be at most 268435456 (256 MiB), got 268435457");
    assertRejected(() -> b.maxBytes(Long.MAX_VALUE), "got " + Long.MAX_VALUE);
    b.maxBytes(268_435_456L); // the cap itself is accepted
    assertRejected(() -> b.maxAttempts(0), "got 0");
    assertRejected(() -> b.retryBackoff(Duration.ofMillis(-1)), "PT-0.001S");
    assertRejected(() -> b.circuitBreakerFailureThreshold(0), "got 0");
    assertRejected(() -> b.circuitBreakerOpenDuration(Duration.ZERO), "PT0S");
    assertRejected(() -> b.header("Host", "example.com"), "Host");
    assertRejected(() -> b.header("If-None-Match", "\"v1\""), "If-None-Match");
    assertThatIllegalStateException().isThrownBy(() -> HttpFlagSource.builder(uri)
        .httpClient(HttpClient.newHttpClient()).connectTimeout(Duration.ofSeconds(1)).build())
        .withMessageContaining("connectTimeout");

    FlagSource byFactory = FlagSource.http(uri);
    toClose.add(byFactory);
    assertThat(byFactory).isInstanceOf(HttpFlagSource.class);
    assertThat(byFactory.describe()).isEqualTo(uri.toString());
  }

  // ---------------------------------------------------------------- fixtures

  private static HttpFlagSource.Builder fast(URI uri) {
    return HttpFlagSource.builder(uri).pollInterval(Duration.ofMillis(10)).retryBackoff(Duration.ofMillis(1));
  }

  private HttpFlagSource started(HttpFlagSource.Builder builder) {
    HttpFlagSource source = builder.build();
    toClose.add(source);
    source.start(sink);
    return source;
  }

  private TestServer serve(int port, Handler handler) {
    TestServer server = new TestServer(port, handler);
    toClose.add(server);
    return server;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void assertRejected(ThrowingCallable setting, String badValue) {
    assertThatIllegalArgumentException().isThrownBy(setting).withMessageContaining(badValue);
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  private record Version(String body, String etag) {}

  /** Answers one exchange; {@code n} numbers the server's requests from 1. */
  @FunctionalInterface
  private interface Handler {
    void handle(HttpExchange exchange, int n) throws IOException;
  }

  /** An HTTP server on 127.0.0.1 that counts requests and keeps their headers. */
  private static final class TestServer implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    final List<Headers> requestHeaders = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-http-server");
      t.setDaemon(true);
      return t;
    });

    TestServer(int port, Handler handler) {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      } catch (IOException e) {
        throw new IllegalStateException("cannot bind a test server to port " + port, e);
      }
      server.createContext("/", exchange -> {
        int n = requests.incrementAndGet();
        requestHeaders.add(exchange.getRequestHeaders());
        handler.handle(exchange, n);
      });
      server.setExecutor(executor);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + port() + "/flags.json");
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  private record Failure(String origin, String reason, Throwable cause) {}

  private static final class RecordingSink implements FlagSink {
    final List<String> contents = new CopyOnWriteArrayList<>();
    final List<String> origins = new CopyOnWriteArrayList<>();
    final List<Failure> failures = new CopyOnWriteArrayList<>();
    volatile Thread lastThread;

    @Override
    public void content(String json, String origin) {
      lastThread = Thread.currentThread();
      contents.add(json);
      origins.add(origin);
    }

    @Override
    public void flags(FlagSet flags) {
      throw new AssertionError("an http source delivers content, not built flag sets");
    }

    @Override
    public void failed(String origin, String reason, Throwable cause) {
      lastThread = Thread.currentThread();
      failures.add(new Failure(origin, reason, cause));
    }
  }

  @Test
  void credentialsInTheUrlAreRedactedFromWhatIsLoggedAndReported() {
    assertThat(HttpFlagSource.redacted(java.net.URI.create("https://bob:s3cret@flags.example.com:8443/v1/flags.json?env=prod&token=abc")))
        .isEqualTo("https://***@flags.example.com:8443/v1/flags.json?env=***&token=***");
    assertThat(HttpFlagSource.redacted(java.net.URI.create("http://127.0.0.1:8080/flags.json")))
        .isEqualTo("http://127.0.0.1:8080/flags.json");
  }
}
