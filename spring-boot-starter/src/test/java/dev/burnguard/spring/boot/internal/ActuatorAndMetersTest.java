package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.time.Clock;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Actuator endpoint, the health indicator and the Micrometer meters of an application secured
 * with Spring Security: operators may act, viewers may only read, strangers nothing.
 */
@SpringBootTest(classes = ActuatorAndMetersTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"burnguard.flags.classpath=test-flags.json", "burnguard.state.in-memory=true",
        "burnguard.domain=actuator-test", "burnguard.guardian.ticking=false",
        "management.endpoints.web.exposure.include=burnguard,health",
        "management.endpoint.health.show-details=always"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class ActuatorAndMetersTest {
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Clock clock() {
      return new ManualClock();
    }

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a
              .requestMatchers(HttpMethod.POST, "/actuator/burnguard/**").hasRole("OPERATOR")
              .requestMatchers("/actuator/**").hasAnyRole("OPERATOR", "VIEWER")
              .anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults()).csrf(c -> c.disable()).build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}alice-pw").roles("OPERATOR").build(),
          User.withUsername("victor").password("{noop}victor-pw").roles("VIEWER").build());
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  BurnguardProvider provider;

  @Autowired
  MeterRegistry meters;

  @Autowired
  Client client;

  @Autowired
  Clock clock;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  private HttpResponse<String> send(String method, String path, String user, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readsRolloutsWithStagesExposureAndDecisions() throws Exception {
    HttpResponse<String> r = send("GET", "/actuator/burnguard", "victor", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode pricing = json.readTree(r.body()).get("rollouts").get("pricing");
    assertThat(pricing.get("status").asString()).isEqualTo("RAMPING");
    assertThat(pricing.get("stage").asInt()).isZero();
    assertThat(pricing.get("exposure").asDouble()).isEqualTo(0.5);
    assertThat(pricing.get("candidate").asString()).isEqualTo("v2");
    assertThat(pricing.get("control").asString()).isEqualTo("v1");
    assertThat(pricing.get("stages").toString()).isEqualTo("[0.5,1.0]");
    assertThat(json.readTree(r.body()).get("rollouts").has("checkout")).isFalse(); // guarded, but no rollout plan

    HttpResponse<String> one = send("GET", "/actuator/burnguard/pricing", "victor", null);
    assertThat(json.readTree(one.body()).get("exposure").asDouble()).isEqualTo(0.5);
    assertThat(send("GET", "/actuator/burnguard/banner", "victor", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/actuator/burnguard", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void anOperatorActsAndTheDecisionNamesThem() throws Exception {
    HttpResponse<String> r = send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"pause\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode decision = json.readTree(r.body());
    assertThat(decision.get("action").asString()).isEqualTo("PAUSE");
    assertThat(decision.get("actor").asString()).isEqualTo("person:alice");
    assertThat(provider.rollouts().state("pricing").orElseThrow().status().name()).isEqualTo("PAUSED");

    JsonNode read = json.readTree(send("GET", "/actuator/burnguard/pricing", "victor", null).body());
    assertThat(read.get("status").asString()).isEqualTo("PAUSED");
    JsonNode decisions = read.get("recentDecisions");
    assertThat(decisions.get(decisions.size() - 1).get("actor").asString()).isEqualTo("person:alice");

    assertThat(send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"resume\"}").statusCode()).isEqualTo(200);
    assertThat(send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"promote\"}").statusCode()).isEqualTo(200);
    assertThat(provider.rollouts().state("pricing").orElseThrow().stage()).isEqualTo(1);
    assertThat(send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"rollback\"}").statusCode()).isEqualTo(200);
    assertThat(provider.rollouts().state("pricing").orElseThrow().exposure()).isZero();
    assertThat(send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"reset\"}").statusCode()).isEqualTo(200);
    assertThat(provider.rollouts().state("pricing").orElseThrow().exposure()).isEqualTo(0.5);
  }

  @Test
  void writesAreRefusedWhenSecuritySaysSo() throws Exception {
    assertThat(send("POST", "/actuator/burnguard/pricing", "victor", "{\"action\":\"rollback\"}").statusCode())
        .isEqualTo(403);
    assertThat(send("POST", "/actuator/burnguard/pricing", null, "{\"action\":\"rollback\"}").statusCode())
        .isEqualTo(401);
    assertThat(provider.rollouts().state("pricing").orElseThrow().status().name()).isEqualTo("RAMPING");
  }

  @Test
  void aBadActionOrAFlagWithoutRolloutIsABadRequest() throws Exception {
    HttpResponse<String> unknown = send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"explode\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(send("POST", "/actuator/burnguard/banner", "alice", "{\"action\":\"pause\"}").statusCode())
        .isEqualTo(400);
    assertThat(send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"resume\"}").statusCode())
        .isEqualTo(400); // not paused
  }

  @Test
  void healthReportsTheFlagSourceAndTheStore() throws Exception {
    HttpResponse<String> r = send("GET", "/actuator/health/burnguard", "victor", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode health = json.readTree(r.body());
    assertThat(health.get("status").asString()).isEqualTo("UP");
    assertThat(health.get("details").get("flagCount").asInt()).isEqualTo(4);
    assertThat(health.get("details").get("source").asString()).contains("test-flags.json");
    assertThat(health.get("details").get("storeHealthy").asBoolean()).isTrue();
    assertThat(health.get("details").get("stateLocation").asString()).isEqualTo("memory");
  }

  @Test
  void metersHaveTheDocumentedNamesAndTags() throws Exception {
    assertThat(meters.get("burnguard.rollout.exposure").tag("flag", "pricing").gauge().value()).isEqualTo(0.5);
    assertThat(meters.get("burnguard.rollout.stage").tag("flag", "pricing").gauge().value()).isZero();
    assertThat(meters.get("burnguard.rollout.status").tags("flag", "pricing", "status", "ramping").gauge().value())
        .isEqualTo(1);
    assertThat(meters.get("burnguard.rollout.status").tags("flag", "pricing", "status", "paused").gauge().value())
        .isZero();
    assertThat(meters.get("burnguard.rollout.status").tag("flag", "pricing").gauges()).hasSize(6);
    // state kept in memory is not safe across a restart: the store gauge says 0
    assertThat(meters.get("burnguard.rollout.store.healthy").gauge().value()).isZero();
    assertThat(meters.get("burnguard.rollout.store.pending").gauge().value()).isZero();

    client.getStringValue("banner", "none");
    client.getStringValue("banner", "none");
    assertThat(meters.get("burnguard.evaluations").tags("flag", "banner", "variant", "plain", "reason", "static")
        .counter().count()).isEqualTo(2);

    send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"pause\"}");
    assertThat(meters.get("burnguard.rollout.decisions").tags("flag", "pricing", "action", "pause", "applied", "true")
        .counter().count()).isEqualTo(1);
    send("POST", "/actuator/burnguard/pricing", "alice", "{\"action\":\"resume\"}");

    // 100 of the candidate's 200 calls fail: (100 / 200) / 1 % = a burn rate of 50 in both windows
    for (int i = 0; i < 200; i++) {
      provider.outcomes().record("pricing", "v2", 1_000_000, i % 2 == 0 ? Outcome.ERROR : Outcome.SUCCESS);
      provider.outcomes().record("pricing", "v1", 1_000_000, Outcome.SUCCESS);
    }
    ((ManualClock) clock).advance(Duration.ofSeconds(10)); // the sequential test reads whole 10-second buckets
    List<Decision> decided = provider.rollouts().tick();
    assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.ROLLBACK);
    assertThat(meters.get("burnguard.rollout.burn.rate")
        .tags("flag", "pricing", "sli", "availability", "window", "PT1H", "variant", "v2").gauge().value())
        .isCloseTo(50.0, within(1e-9));
    assertThat(meters.get("burnguard.rollout.burn.rate")
        .tags("flag", "pricing", "sli", "availability", "window", "PT5M", "variant", "v2").gauge().value())
        .isCloseTo(50.0, within(1e-9));
    assertThat(meters.get("burnguard.rollout.burn.rate")
        .tags("flag", "pricing", "sli", "availability", "window", "PT5M", "variant", "v1").gauge().value())
        .isZero();
    assertThat(meters.get("burnguard.rollout.exposure").tag("flag", "pricing").gauge().value()).isZero();
    assertThat(meters.get("burnguard.rollout.decisions").tags("flag", "pricing", "action", "rollback", "applied", "true")
        .counter().count()).isEqualTo(1);
  }
}
