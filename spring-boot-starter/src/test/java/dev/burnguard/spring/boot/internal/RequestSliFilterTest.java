package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/** The request filter over real HTTP: which flags and variants a request's outcome is recorded against. */
@SpringBootTest(classes = RequestSliFilterTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"burnguard.flags.classpath=test-flags.json", "burnguard.state.in-memory=true",
        "burnguard.domain=request-sli-filter-test", "burnguard.guardian.ticking=false",
        "management.endpoints.web.exposure.include=burnguard"})
class RequestSliFilterTest {
  private static final Duration WINDOW = Duration.ofMinutes(5);

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Api.class)
  static class App {
    @Bean
    SecurityFilterChain open(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).csrf(c -> c.disable()).build();
    }

    /** The application's classifier replaces the default: a 429 is an error too. */
    @Bean
    RequestOutcomeClassifier classifier() {
      return (status, failure) -> failure != null || status >= 500 || status == 429 ? Outcome.ERROR : Outcome.SUCCESS;
    }
  }

  /** Evaluates flags for the user the request names, then answers as told. */
  @RestController
  static class Api {
    static volatile CyclicBarrier barrier;

    private final Client client;
    private final Executor executor;

    /** {@code applicationTaskExecutor}: the executor Spring Boot configures (and applies a TaskDecorator bean to). */
    Api(Client client, @Qualifier("applicationTaskExecutor") Executor executor) {
      this.client = client;
      this.executor = executor;
    }

    @GetMapping("/checkout")
    ResponseEntity<String> checkout(@RequestParam String user, @RequestParam int status,
        @RequestParam(defaultValue = "false") boolean search, @RequestParam(defaultValue = "false") boolean meet)
        throws Exception {
      ImmutableContext ctx = new ImmutableContext(Map.of("user", new Value(user)));
      String variant = client.getStringValue("checkout", "none", ctx);
      if (search) {
        client.getStringValue("search", "none", ctx);
      }
      client.getStringValue("banner", "none", ctx); // not guarded: never recorded
      if (meet) {
        barrier.await(10, TimeUnit.SECONDS); // both requests are in flight, each has evaluated its flags
      }
      return ResponseEntity.status(status).body(variant);
    }

    @GetMapping("/boom")
    String boom(@RequestParam String user) {
      client.getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value(user))));
      throw new IllegalStateException("boom");
    }

    /**
     * An asynchronous request: evaluates checkout on the request's thread, which then leaves, and
     * search on a thread of the task executor, which completes the request with {@code status}.
     */
    @GetMapping("/deferred")
    DeferredResult<ResponseEntity<String>> deferred(@RequestParam String user, @RequestParam int status) {
      ImmutableContext ctx = new ImmutableContext(Map.of("user", new Value(user)));
      String variant = client.getStringValue("checkout", "none", ctx);
      DeferredResult<ResponseEntity<String>> result = new DeferredResult<>(10_000L);
      executor.execute(() -> {
        client.getStringValue("search", "none", ctx);
        result.setResult(ResponseEntity.status(status).body(variant));
      });
      return result;
    }

    /** Evaluates on a thread of Spring Boot's task executor, which the starter's task decorator wraps. */
    @GetMapping("/hop")
    String hop(@RequestParam String user) throws Exception {
      return CompletableFuture.supplyAsync(
          () -> client.getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value(user)))),
          executor).get(10, TimeUnit.SECONDS);
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  BurnguardProvider provider;

  private final HttpClient http = HttpClient.newHttpClient();

  private long[] counts(String flag, String variant) {
    var c = provider.outcomes().counts(flag, variant, WINDOW);
    return new long[] {c.calls(), c.errors()};
  }

  private CompletableFuture<HttpResponse<String>> get(String pathAndQuery) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void concurrentRequestsAreRecordedAgainstExactlyTheFlagsAndVariantsEachWasServed() throws Exception {
    long[] newBefore = counts("checkout", "new");
    long[] oldBefore = counts("checkout", "old");
    long[] fastBefore = counts("search", "fast");
    long[] classicBefore = counts("search", "classic");
    int pairs = 20;
    for (int i = 0; i < pairs; i++) {
      Api.barrier = new CyclicBarrier(2);
      // alice gets checkout=new and search=fast and fails; bob gets checkout=old only and succeeds
      CompletableFuture<HttpResponse<String>> alice = get("/checkout?user=alice&status=500&search=true&meet=true");
      CompletableFuture<HttpResponse<String>> bob = get("/checkout?user=bob&status=200&meet=true");
      assertThat(alice.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
      assertThat(alice.get().body()).isEqualTo("new");
      assertThat(bob.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(bob.get().body()).isEqualTo("old");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(delta(counts("checkout", "new"), newBefore)).containsExactly(pairs, pairs);
      assertThat(delta(counts("checkout", "old"), oldBefore)).containsExactly(pairs, 0);
      assertThat(delta(counts("search", "fast"), fastBefore)).containsExactly(pairs, pairs);
    });
    assertThat(delta(counts("search", "classic"), classicBefore)).containsExactly(0, 0);
    assertThat(counts("banner", "plain")).containsExactly(0, 0);
  }

  @Test
  void anExceptionIsAnError() throws Exception {
    long[] before = counts("checkout", "old");
    assertThat(get("/boom?user=bob").get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(delta(counts("checkout", "old"), before)).containsExactly(1, 1));
  }

  @Test
  void theApplicationsClassifierDecides() throws Exception {
    long[] before = counts("checkout", "new");
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    responses.add(get("/checkout?user=alice&status=429"));
    responses.add(get("/checkout?user=alice&status=404"));
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      r.get(20, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(delta(counts("checkout", "new"), before)).containsExactly(2, 1));
  }

  @Test
  void anEvaluationOnSpringBootsTaskExecutorCountsForTheRequest() throws Exception {
    long[] before = counts("checkout", "new");
    HttpResponse<String> r = get("/hop?user=alice").get(20, TimeUnit.SECONDS);
    assertThat(r.body()).isEqualTo("new");
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(delta(counts("checkout", "new"), before)).containsExactly(1, 0));
  }

  /**
   * Asynchronous requests (a DeferredResult completed on the task executor), 10 of them at once: each
   * is recorded once, when it completes, against the flag its request thread noted before leaving
   * and the flag its task noted on another thread, with the status the task set.
   */
  @Test
  void anAsynchronousRequestIsRecordedWhenItCompletesAgainstWhatEveryThreadOfItNoted() throws Exception {
    long[] newBefore = counts("checkout", "new");
    long[] fastBefore = counts("search", "fast");
    long[] oldBefore = counts("checkout", "old");
    long[] classicBefore = counts("search", "classic");
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      responses.add(get("/deferred?user=alice&status=500"));
      responses.add(get("/deferred?user=bob&status=200"));
    }
    for (int i = 0; i < responses.size(); i++) {
      HttpResponse<String> r = responses.get(i).get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(i % 2 == 0 ? 500 : 200);
      assertThat(r.body()).isEqualTo(i % 2 == 0 ? "new" : "old");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(delta(counts("checkout", "new"), newBefore)).containsExactly(5, 5);
      assertThat(delta(counts("search", "fast"), fastBefore)).containsExactly(5, 5);
      assertThat(delta(counts("checkout", "old"), oldBefore)).containsExactly(5, 0);
      assertThat(delta(counts("search", "classic"), classicBefore)).containsExactly(5, 0);
    });
  }

  /** This application lets anyone act (its security permits all): the decision says nobody authenticated. */
  @Test
  void aWriteWithoutAuthenticationIsRecordedAsAnonymous() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/actuator/burnguard/pricing"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"pause\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    try {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"actor\":\"actuator:anonymous\"");
    } finally {
      provider.rollouts().resume("pricing", "test");
    }
  }

  private static long[] delta(long[] now, long[] before) {
    return new long[] {now[0] - before[0], now[1] - before[1]};
  }
}
