package dev.burnguard.spring.boot.internal;

import static dev.burnguard.spring.boot.internal.ReactiveRequestSliFilterTest.counts;
import static dev.burnguard.spring.boot.internal.ReactiveRequestSliFilterTest.delta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Hooks;

/**
 * The WebFlux filter without automatic context propagation (Spring Boot's default, {@code
 * spring.reactor.context-propagation=limited}), in a stateless application (no session, so the
 * request stays on the server's thread up to the controller): an evaluation that runs while the
 * filter subscribes the chain counts; one after a thread hop does not — the documented limit.
 */
@SpringBootTest(classes = ReactiveWithoutContextPropagationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=reactive", "burnguard.flags.classpath=test-flags.json",
        "burnguard.state.in-memory=true", "burnguard.domain=reactive-without-propagation-test",
        "burnguard.guardian.ticking=false"})
class ReactiveWithoutContextPropagationTest {
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(ReactiveRequestSliFilterTest.ReactiveApi.class)
  static class App {
    @Bean
    SecurityWebFilterChain stateless(ServerHttpSecurity http) {
      return http.authorizeExchange(a -> a.anyExchange().permitAll()).csrf(c -> c.disable())
          .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
          .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance())).build();
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  BurnguardProvider provider;

  WebTestClient web;

  @BeforeEach
  void bindToTheServer() {
    assertThat(Hooks.isAutomaticContextPropagationEnabled()).as("automatic context propagation").isFalse();
    web = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(20))
        .build();
  }

  @Test
  void anEvaluationWhileTheFilterSubscribesCounts() {
    long[] newBefore = counts(provider, "checkout", "new");
    long[] oldBefore = counts(provider, "checkout", "old");
    for (int i = 0; i < 10; i++) {
      web.get().uri("/checkout?user=alice&status=503").exchange().expectStatus().isEqualTo(503);
      web.get().uri("/checkout?user=bob&status=200").exchange().expectStatus().isOk();
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(delta(counts(provider, "checkout", "new"), newBefore)).containsExactly(10, 10);
      assertThat(delta(counts(provider, "checkout", "old"), oldBefore)).containsExactly(10, 0);
    });
  }

  @Test
  void anEvaluationAfterAThreadHopIsNotAttributed() {
    long[] newBefore = counts(provider, "checkout", "new");
    long[] oldBefore = counts(provider, "checkout", "old");
    web.get().uri("/hop?user=alice").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("new");
    // a later exchange that is attributed shows that recording has caught up with the first
    web.get().uri("/checkout?user=bob&status=200").exchange().expectStatus().isOk();
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(delta(counts(provider, "checkout", "old"), oldBefore)).containsExactly(1, 0));
    assertThat(delta(counts(provider, "checkout", "new"), newBefore)).containsExactly(0, 0);
  }
}
