package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutStatus;
import dev.burnguard.time.ManualClock;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over real HTTP on an ephemeral loopback port: refusals change nothing. */
class AdminApiTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  @TempDir Path dir;
  private SampleService service;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    service = SampleService.start(new SampleService.Settings(dir, InetAddress.getLoopbackAddress(), 0, 0, 100, false,
        TOKEN, new ManualClock(), false));
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String[] form(String... more) {
    String[] h = new String[more.length + 4];
    h[0] = "Authorization";
    h[1] = "Bearer " + TOKEN;
    h[2] = "Content-Type";
    h[3] = "application/x-www-form-urlencoded";
    System.arraycopy(more, 0, h, 4, more.length);
    return h;
  }

  private RolloutState rollout() {
    return service.provider.guardian().state(Checkout.FLAG).orElseThrow();
  }

  @Test
  void withoutTheRightTokenNothingChanges() throws Exception {
    RolloutState before = rollout();
    assertThat(post("/api/rollouts/new-checkout/rollback", "").statusCode()).isEqualTo(401);
    assertThat(post("/api/rollouts/new-checkout/rollback", "", "Authorization", "Bearer wrong-token").statusCode())
        .isEqualTo(401);
    assertThat(post("/api/rollouts/new-checkout/rollback", "", "Authorization", TOKEN).statusCode()).isEqualTo(401);
    HttpResponse<String> fault = post("/api/fault", "errorRate=1&latencyMs=0",
        "Content-Type", "application/x-www-form-urlencoded");
    assertThat(fault.statusCode()).isEqualTo(401);
    assertThat(fault.body()).contains("Authorization: Bearer");
    assertThat(rollout()).isEqualTo(before);
    assertThat(service.faults.current()).isEqualTo(Faults.Fault.NONE);
  }

  @Test
  void malformedValuesAre400WithTheReasonAndChangeNothing() throws Exception {
    String[][] cases = {
        {"errorRate=abc&latencyMs=0", "errorRate must be a number"},
        {"errorRate=1.5&latencyMs=0", "errorRate must be a fraction in [0, 1]"},
        {"errorRate=-0.1&latencyMs=0", "errorRate must be a fraction in [0, 1]"},
        {"errorRate=NaN&latencyMs=0", "errorRate must be a fraction in [0, 1]"},
        {"errorRate=0.5&latencyMs=-1", "latencyMs must be between 0 and 5000"},
        {"errorRate=0.5&latencyMs=99999", "latencyMs must be between 0 and 5000"},
        {"errorRate=0.5&latencyMs=1.5", "latencyMs must be a whole number"},
        {"errorRate=0.5", "latencyMs is required"},
        {"errorRate=0.5&latencyMs=0&colour=red", "unknown fields [colour]"},
        {"errorRate=0.5&errorRate=0.6&latencyMs=0", "given twice"},
        {"errorRate", "malformed field"},
        {"errorRate=%zz&latencyMs=0", ""},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = post("/api/fault", c[0], form());
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(r.body()).as(c[0]).contains("\"error\"").contains(c[1]);
    }
    HttpResponse<String> json = post("/api/fault", "{\"errorRate\": 0.5}", "Authorization", "Bearer " + TOKEN,
        "Content-Type", "application/json");
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(json.body()).contains("application/x-www-form-urlencoded");
    assertThat(service.faults.current()).isEqualTo(Faults.Fault.NONE);

    RolloutState before = rollout();
    assertThat(post("/api/rollouts/new-checkout/explode", "", form()).statusCode()).isEqualTo(400);
    assertThat(post("/api/rollouts/new-checkout/pause", "now=1", form()).statusCode()).isEqualTo(400);
    assertThat(post("/api/rollouts/new-checkout/pause/extra", "", form()).statusCode()).isEqualTo(400);
    assertThat(post("/api/rollouts/no-such-flag/pause", "", form()).statusCode()).isEqualTo(404);
    assertThat(post("/api/rollouts/new-checkout/resume", "", form()).statusCode()).isEqualTo(409);
    assertThat(rollout()).isEqualTo(before);
  }

  @Test
  void crossSiteWritesAreRefusedEvenWithTheToken() throws Exception {
    RolloutState before = rollout();
    assertThat(post("/api/rollouts/new-checkout/rollback", "", form("Origin", "http://evil.example")).statusCode())
        .isEqualTo(403);
    assertThat(post("/api/rollouts/new-checkout/rollback", "", form("Origin", "http://127.0.0.1:1")).statusCode())
        .isEqualTo(403);
    assertThat(post("/api/rollouts/new-checkout/rollback", "", form("Sec-Fetch-Site", "cross-site")).statusCode())
        .isEqualTo(403);
    assertThat(post("/api/fault", "errorRate=1&latencyMs=0", form("Sec-Fetch-Site", "same-site")).statusCode())
        .isEqualTo(403);
    assertThat(rollout()).isEqualTo(before);
    assertThat(service.faults.current()).isEqualTo(Faults.Fault.NONE);
  }

  @Test
  void withTheTokenFromTheOwnPageActionsApply() throws Exception {
    String self = "http://127.0.0.1:" + service.port();
    HttpResponse<String> pause = post("/api/rollouts/new-checkout/pause", "",
        form("Origin", self, "Sec-Fetch-Site", "same-origin"));
    assertThat(pause.statusCode()).isEqualTo(200);
    assertThat(pause.body()).contains("PAUSE by person:admin");
    assertThat(rollout().status()).isEqualTo(RolloutStatus.PAUSED);
    assertThat(post("/api/rollouts/new-checkout/resume", "", form()).statusCode()).isEqualTo(200);
    assertThat(post("/api/rollouts/new-checkout/rollback", "", form()).statusCode()).isEqualTo(200);
    assertThat(rollout().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(post("/api/rollouts/new-checkout/reset", "", form()).statusCode()).isEqualTo(200);
    assertThat(rollout().status()).isEqualTo(RolloutStatus.RAMPING);

    assertThat(post("/api/fault", "errorRate=0.25&latencyMs=400", form()).statusCode()).isEqualTo(200);
    assertThat(service.faults.current()).isEqualTo(new Faults.Fault(0.25, Duration.ofMillis(400)));
    assertThat(get("/api/state").body()).contains("\"fault\":{").contains("\"latencyMs\":400")
        .contains("\"action\":\"RESET\"").contains("\"actor\":\"person:admin\"");
  }

  @Test
  void readsNeedNoTokenAndPostOnlyEndpointsRefuseGet() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("/dashboard.js").doesNotContain("http://").doesNotContain("https://");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> v.contains("default-src 'self'"));
    assertThat(get("/dashboard.js").body()).contains("Authorization");
    assertThat(get("/api/state?since=x").statusCode()).isEqualTo(400);
    assertThat(get("/api/state").body()).contains("\"new-checkout\"").contains("\"rules\"");
    HttpResponse<String> checkout = get("/api/checkout?user=alice&items=3");
    assertThat(checkout.statusCode()).isEqualTo(200);
    assertThat(checkout.body()).contains("\"totalCents\":3750");
    assertThat(get("/api/checkout?user=alice&items=many").statusCode()).isEqualTo(400);
    assertThat(get("/api/checkout?items=1").statusCode()).isEqualTo(400);
    assertThat(get("/api/fault").statusCode()).isEqualTo(405);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
  }
}
