package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The WebFlux filter over real HTTP (a Reactor Netty server on a random port, driven by {@code
 * WebTestClient}): which flags and variants an exchange's outcome is recorded against. The
 * application runs as the README asks, with automatic context propagation; its Spring Security
 * loads a session, which (in Spring's in-memory session store) moves every request to another
 * thread before the controller runs, so each evaluation here happens after a thread hop.
 */
@SpringBootTest(classes = ReactiveRequestSliFilterTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=reactive", "spring.reactor.context-propagation=auto",
        "burnguard.flags.classpath=test-flags.json",
        "burnguard.state.in-memory=true", "burnguard.domain=reactive-request-sli-filter-test",
        "burnguard.guardian.ticking=false"})
class ReactiveRequestSliFilterTest {
  static final Duration WINDOW = Duration.ofMinutes(5);

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(ReactiveApi.class)
  static class App {
    @Bean
    SecurityWebFilterChain open(ServerHttpSecurity http) {
      return http.authorizeExchange(a -> a.anyExchange().permitAll()).csrf(c -> c.disable()).build();
    }

    /** The application's classifier replaces the default: a 429 is an error too. */
    @Bean
    RequestOutcomeClassifier classifier() {
      return (status, failure) -> failure != null || status >= 500 || status == 429 ? Outcome.ERROR : Outcome.SUCCESS;
    }
  }

  /** Evaluates flags for the user the request names, then answers as told; never blocks a thread. */
  @RestController
  static class ReactiveApi {
    /** Completes when both requests of a pair are in flight, each having evaluated its flags. */
    static volatile Meeting meeting;

    static final class Meeting {
      final AtomicInteger arrived = new AtomicInteger();
      final Sinks.Empty<Void> bothIn = Sinks.empty();

      Mono<Void> arrive() {
        if (arrived.incrementAndGet() == 2) {
          bothIn.tryEmitEmpty();
        }
        return bothIn.asMono().timeout(Duration.ofSeconds(10));
      }
    }

    private final Client client;

    ReactiveApi(Client client) {
      this.client = client;
    }

    private String checkout(String user) {
      return client.getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value(user))));
    }

    @GetMapping("/checkout")
    Mono<ResponseEntity<String>> checkout(@RequestParam String user, @RequestParam int status,
        @RequestParam(defaultValue = "false") boolean search, @RequestParam(defaultValue = "false") boolean meet) {
      ImmutableContext ctx = new ImmutableContext(Map.of("user", new Value(user)));
      String variant = client.getStringValue("checkout", "none", ctx);
      if (search) {
        client.getStringValue("search", "none", ctx);
      }
      client.getStringValue("banner", "none", ctx); // not guarded: never recorded
      Mono<Void> wait = meet ? meeting.arrive() : Mono.empty();
      // the answer is sent from whichever thread completed the meeting: the other request's
      return wait.then(Mono.fromSupplier(() -> ResponseEntity.status(status).body(variant)));
    }

    @GetMapping("/boom")
    Mono<String> boom(@RequestParam String user) {
      checkout(user);
      return Mono.error(new IllegalStateException("boom"));
    }

    @GetMapping("/missing")
    Mono<String> missing(@RequestParam String user) {
      checkout(user);
      return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "no such thing"));
    }

    /** Evaluates on yet another thread, after a publishOn. */
    @GetMapping("/hop")
    Mono<String> hop(@RequestParam String user) {
      return Mono.just(user).publishOn(Schedulers.boundedElastic()).map(this::checkout);
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  BurnguardProvider provider;

  WebTestClient web;

  @BeforeEach
  void bindToTheServer() {
    web = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(20))
        .build();
  }

  static long[] counts(BurnguardProvider provider, String flag, String variant) {
    var c = provider.outcomes().counts(flag, variant, WINDOW);
    return new long[] {c.calls(), c.errors()};
  }

  private long[] counts(String flag, String variant) {
    return counts(provider, flag, variant);
  }

  static long[] delta(long[] now, long[] before) {
    return new long[] {now[0] - before[0], now[1] - before[1]};
  }

  private CompletableFuture<WebTestClient.ResponseSpec> get(String uri) {
    return CompletableFuture.supplyAsync(() -> web.get().uri(uri).exchange());
  }

  @Test
  void concurrentExchangesAreRecordedAgainstExactlyTheFlagsAndVariantsEachWasServed() throws Exception {
    long[] newBefore = counts("checkout", "new");
    long[] oldBefore = counts("checkout", "old");
    long[] fastBefore = counts("search", "fast");
    long[] classicBefore = counts("search", "classic");
    int pairs = 20;
    for (int i = 0; i < pairs; i++) {
      ReactiveApi.meeting = new ReactiveApi.Meeting();
      // alice gets checkout=new and search=fast and fails; bob gets checkout=old only and succeeds
      CompletableFuture<WebTestClient.ResponseSpec> alice = get("/checkout?user=alice&status=500&search=true&meet=true");
      CompletableFuture<WebTestClient.ResponseSpec> bob = get("/checkout?user=bob&status=200&meet=true");
      alice.get(30, TimeUnit.SECONDS).expectStatus().isEqualTo(500).expectBody(String.class).isEqualTo("new");
      bob.get(30, TimeUnit.SECONDS).expectStatus().isEqualTo(200).expectBody(String.class).isEqualTo("old");
      assertThat(ReactiveApi.meeting.arrived).hasValue(2);
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
  void anErrorSignalIsAnError() {
    long[] before = counts("checkout", "old");
    web.get().uri("/boom?user=bob").exchange().expectStatus().isEqualTo(500);
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(delta(counts("checkout", "old"), before)).containsExactly(1, 1));
  }

  @Test
  void aResponseStatusExceptionIsClassifiedByItsStatus() {
    long[] before = counts("checkout", "old");
    web.get().uri("/missing?user=bob").exchange().expectStatus().isEqualTo(404);
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(delta(counts("checkout", "old"), before)).containsExactly(1, 0));
  }

  @Test
  void theApplicationsClassifierDecides() {
    long[] before = counts("checkout", "new");
    web.get().uri("/checkout?user=alice&status=429").exchange().expectStatus().isEqualTo(429);
    web.get().uri("/checkout?user=alice&status=404").exchange().expectStatus().isEqualTo(404);
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(delta(counts("checkout", "new"), before)).containsExactly(2, 1));
  }

  @Test
  void anEvaluationAfterAPublishOnCountsForTheExchange() {
    long[] newBefore = counts("checkout", "new");
    long[] oldBefore = counts("checkout", "old");
    for (int i = 0; i < 10; i++) {
      web.get().uri("/hop?user=alice").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("new");
      web.get().uri("/hop?user=bob").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("old");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(delta(counts("checkout", "new"), newBefore)).containsExactly(10, 0);
      assertThat(delta(counts("checkout", "old"), oldBefore)).containsExactly(10, 0);
    });
  }

  /** Spring Boot switched the JVM-wide hook on for this context: the other test classes run without it. */
  @AfterAll
  static void switchAutomaticPropagationOff() {
    Hooks.disableAutomaticContextPropagation();
  }
}
