package dev.burnguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard server on its own, over a provider's rollouts: read-only without a token, the
 * report download, the error budgets in the state, and a host's own routes.
 */
class DashboardServerTest {
  private static final String TOKEN = "dashboard-test-token-0123456789";
  private static final String FLAGS = "{\"flags\": {\"new-checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true,"
      + " \"old\": false}, \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\","
      + " \"stages\": [{\"exposure\": 10, \"bake\": \"2m\"}, {\"exposure\": 100, \"bake\": \"2m\"}]}}},"
      + " \"slos\": {\"checkout\": {\"journey\": \"checkout\", \"availability\": 99, \"period\": \"1h\"}}}";

  private final ManualClock clock = new ManualClock();
  private final HttpClient http = HttpClient.newHttpClient();
  private BurnguardProvider provider;
  private DashboardServer.Source source;

  @BeforeEach
  void start() throws Exception {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock).inMemoryRolloutState()
        .guardianTicking(false).build();
    provider.initialize(new ImmutableContext());
    provider.rollouts().tick();
    source = new DashboardServer.Source() {
      @Override
      public Rollouts rollouts() {
        return provider.rollouts();
      }

      @Override
      public Map<String, RolloutPlan> plans() {
        return provider.rollouts().plans();
      }

      @Override
      public Outcomes outcomes(String flagKey) {
        return provider.outcomes();
      }
    };
  }

  @AfterEach
  void stop() {
    provider.shutdown();
  }

  private HttpResponse<String> send(DashboardServer server, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withoutATokenItShowsButRefusesEveryWriteAndLogin() throws Exception {
    try (DashboardServer server = DashboardServer.builder(source).clock(clock).start()) {
      assertThat(server.adminEnabled()).isFalse();
      HttpResponse<String> state = send(server, "GET", "/api/state", null);
      assertThat(state.statusCode()).isEqualTo(200);
      assertThat(state.body()).contains("\"status\":\"RAMPING\",\"stage\":0,\"exposure\":0.1")
          .contains("\"admin\":false,\"adminEnabled\":false");
      for (String path : new String[] {"/api/rollouts/new-checkout/pause", "/api/login-codes", "/api/session"}) {
        HttpResponse<String> refused = send(server, "POST", path, "", "Authorization", "Bearer " + TOKEN);
        assertThat(refused.statusCode()).as(path).isEqualTo(403);
        assertThat(refused.body()).as(path).contains("read-only");
      }
      assertThat(provider.rollouts().recentDecisions("new-checkout")).hasSize(1); // the START only
      assertThat(send(server, "GET", "/", null).body()).contains("<title>Burnguard: guarded rollouts</title>");
    }
  }

  @Test
  void theReportDownloadsAndTheBudgetsAreInTheState() throws Exception {
    // 200 checkouts, 1 failed: 1 of 2 allowed at 99 % = 50 % spent
    for (int i = 0; i < 200; i++) {
      provider.outcomes().recordJourney("checkout", 1_000_000, i == 0
          ? dev.burnguard.outcome.Outcome.ERROR : dev.burnguard.outcome.Outcome.SUCCESS);
    }
    try (DashboardServer server = DashboardServer.builder(source).clock(clock).start()) {
      HttpResponse<String> md = send(server, "GET", "/api/rollouts/new-checkout/report?format=markdown", null);
      assertThat(md.statusCode()).isEqualTo(200);
      assertThat(md.headers().firstValue("Content-Type")).contains("text/markdown; charset=utf-8");
      assertThat(md.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"new-checkout-report.md\"");
      assertThat(md.body()).startsWith("# Rollout report: new-checkout");
      assertThat(send(server, "GET", "/api/rollouts/new-checkout/report?format=pdf", null).statusCode()).isEqualTo(400);
      assertThat(send(server, "GET", "/api/rollouts/new-checkout/report?format=html&x=1", null).statusCode())
          .isEqualTo(400);
      assertThat(send(server, "GET", "/api/rollouts/nope/report", null).statusCode()).isEqualTo(404);
      assertThat(server.stateJson(0)).contains("\"budgets\":[{\"name\":\"checkout\",\"journey\":\"checkout\","
          + "\"objective\":0.99,\"latencyThresholdMs\":null,\"period\":\"1 h\"").contains("\"calls\":200,\"badCalls\":1,"
          + "\"allowedBadCalls\":2,\"spent\":0.5");
    }
  }

  @Test
  void aHostsOwnRoutesAndActionsWithTheToken() throws Exception {
    try (DashboardServer server = DashboardServer.builder(source).clock(clock).adminToken(TOKEN).actor("person:ops")
        .get("/hello", q -> DashboardServer.Reply.text("hello " + q.get("name")))
        .adminPost("/api/echo", form -> DashboardServer.Reply.json(200, form))
        .state(() -> Map.of("extra", 42)).start()) {
      assertThat(send(server, "GET", "/hello?name=ada", null).body()).isEqualTo("hello ada");
      assertThat(send(server, "POST", "/api/echo", "a=1", "Content-Type", "application/x-www-form-urlencoded")
          .statusCode()).isEqualTo(401);
      assertThat(send(server, "POST", "/api/echo", "a=1", "Content-Type", "application/x-www-form-urlencoded",
          "Authorization", "Bearer " + TOKEN).body()).isEqualTo("{\"a\":\"1\"}");
      assertThat(send(server, "GET", "/api/state", null).body()).contains("\"extra\":42").contains("\"adminEnabled\":true");
      HttpResponse<String> pause = send(server, "POST", "/api/rollouts/new-checkout/pause", "", "Authorization",
          "Bearer " + TOKEN);
      assertThat(pause.statusCode()).isEqualTo(200);
      assertThat(provider.rollouts().recentDecisions("new-checkout")).last()
          .satisfies(d -> assertThat(d.actor()).isEqualTo("person:ops"));
      assertThat(send(server, "POST", "/api/rollouts/new-checkout/pause", "", "Authorization", "Bearer " + TOKEN)
          .statusCode()).isEqualTo(409);
    }
  }
}
