package dev.burnguard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.time.Clock;
import dev.burnguard.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The sample service as a user runs it, on a manual clock: a regression injected into the new
 * checkout is rolled back by the guardian from nothing but real HTTP requests, and users get the old
 * checkout again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"burnguard.guardian.ticking=false", "burnguard.state.directory=",
        "burnguard.state.in-memory=true"})
class GuardedCheckoutRollbackTest {
  @TestConfiguration
  static class ManualTime {
    @Bean
    Clock clock() {
      return new ManualClock();
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  BurnguardProvider provider;

  @Autowired
  Clock clock;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRegressionInTheNewCheckoutIsRolledBackThroughRealRequests() throws Exception {
    ManualClock time = (ManualClock) clock;
    assertThat(provider.rollouts().state("new-checkout").orElseThrow().exposure()).isEqualTo(0.2);

    // healthy traffic: both implementations answer
    int served = 0;
    for (int i = 0; i < 200; i++) {
      HttpResponse<String> r = send("GET", "/checkout?user=user-" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      served += r.body().contains("\"checkout\":\"new\"") ? 1 : 0;
    }
    assertThat(served).isBetween(20, 60); // about 20 % of 200 users
    time.advance(Duration.ofSeconds(10));
    provider.rollouts().tick();
    assertThat(provider.rollouts().state("new-checkout").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);

    // the regression: every call of the new checkout fails
    assertThat(send("POST", "/faults?failNewCheckout=true").statusCode()).isEqualTo(200);
    int failed = 0;
    for (int i = 200; i < 600; i++) {
      int status = send("GET", "/checkout?user=user-" + i).statusCode();
      failed += status == 500 ? 1 : 0;
    }
    assertThat(failed).isBetween(40, 120); // the new checkout's share of 400 users
    time.advance(Duration.ofSeconds(10));
    // the filter records after the response is sent: wait for the last request's outcome, then judge
    long expectedErrors = failed;
    await().atMost(Duration.ofSeconds(10)).until(
        () -> provider.outcomes().counts("new-checkout", "new", Duration.ofHours(1)).errors() == expectedErrors);
    provider.rollouts().tick();

    assertThat(provider.rollouts().state("new-checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    for (int i = 0; i < 200; i++) {
      HttpResponse<String> r = send("GET", "/checkout?user=user-" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"checkout\":\"old\"");
    }
  }
}
