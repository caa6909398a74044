package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** Actuator's own access control: a read-only endpoint takes no writes, whoever asks. */
@SpringBootTest(classes = ReadOnlyEndpointTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"burnguard.flags.classpath=test-flags.json", "burnguard.state.in-memory=true",
        "burnguard.domain=read-only-test", "burnguard.guardian.ticking=false",
        "management.endpoints.web.exposure.include=burnguard", "management.endpoint.burnguard.access=read-only"})
class ReadOnlyEndpointTest {
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    SecurityFilterChain open(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).csrf(c -> c.disable()).build();
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  BurnguardProvider provider;

  @Test
  void readsButRefusesWrites() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/actuator/burnguard/pricing");
    assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    HttpResponse<String> write = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"rollback\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(write.statusCode()).isBetween(400, 499);
    assertThat(provider.rollouts().state("pricing").orElseThrow().status().name()).isEqualTo("RAMPING");
  }
}
