package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.ManualClock;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API over real HTTP on an ephemeral loopback port: refusals change nothing; the login
 * exchange (one-time code → session cookie) on a manual clock; the {@code Host} check.
 */
class AdminApiTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private SampleService service;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    service = SampleService.start(new SampleService.Settings(dir, InetAddress.getLoopbackAddress(), 0,
        List.of("burnguard.test"), 0, 100, false, TOKEN, clock, false));
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
    return service.provider.rollouts().state(Checkout.FLAG).orElseThrow();
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
    assertThat(fault.body()).contains("Authorization: Bearer").contains("login");
    assertThat(post("/api/fault", "errorRate=1&latencyMs=0", "Content-Type", "application/x-www-form-urlencoded",
        "Cookie", dev.burnguard.dashboard.DashboardServer.SESSION_COOKIE + "=not-a-session").statusCode()).isEqualTo(401);
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
    assertThat(get("/dashboard.js").body()).contains("/api/session").doesNotContain("Authorization");
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

  @Test
  void theBearerSchemeIsCaseInsensitive() throws Exception {
    for (String scheme : new String[] {"bearer", "BEARER", "BeArEr"}) {
      HttpResponse<String> r = post("/api/fault", "errorRate=0.1&latencyMs=0", "Authorization", scheme + " " + TOKEN,
          "Content-Type", "application/x-www-form-urlencoded");
      assertThat(r.statusCode()).as(scheme).isEqualTo(200);
    }
    assertThat(post("/api/fault", "errorRate=0.2&latencyMs=0", "Authorization", "Basic " + TOKEN,
        "Content-Type", "application/x-www-form-urlencoded").statusCode()).isEqualTo(401);
    assertThat(service.faults.current()).isEqualTo(new Faults.Fault(0.1, Duration.ZERO));
  }

  private HttpResponse<String> exchange(String code, String... headers) throws Exception {
    String[] h = new String[headers.length + 2];
    h[0] = "Content-Type";
    h[1] = "application/x-www-form-urlencoded";
    System.arraycopy(headers, 0, h, 2, headers.length);
    return post("/api/session", "code=" + code, h);
  }

  private static String cookieOf(HttpResponse<String> r) {
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  void aLoginCodeBuysOneHttpOnlySameSiteStrictSessionCookie() throws Exception {
    String code = service.dashboard.newLoginCode();
    HttpResponse<String> login = exchange(code);
    assertThat(login.statusCode()).isEqualTo(200);
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    List<String> attributes = List.of(setCookie.split(";\\s*"));
    assertThat(attributes.get(0)).startsWith(dev.burnguard.dashboard.DashboardServer.SESSION_COOKIE + "=").hasSizeGreaterThan(dev.burnguard.dashboard.DashboardServer.SESSION_COOKIE.length() + 40);
    assertThat(attributes).contains("Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=43200")
        .doesNotContain("Secure"); // plain http on loopback: a Secure cookie would never come back
    assertThat(setCookie).doesNotContain(TOKEN).doesNotContain(code);

    // the cookie authenticates reads' admin flag and admin writes
    String cookie = cookieOf(login);
    assertThat(getWith("/api/state", "Cookie", cookie).body()).contains("\"admin\":true");
    assertThat(get("/api/state").body()).contains("\"admin\":false");
    assertThat(post("/api/rollouts/new-checkout/pause", "", "Cookie", cookie).statusCode()).isEqualTo(200);
    assertThat(rollout().status()).isEqualTo(RolloutStatus.PAUSED);
    // ... but not from another site
    assertThat(post("/api/rollouts/new-checkout/resume", "", "Cookie", cookie, "Sec-Fetch-Site", "cross-site")
        .statusCode()).isEqualTo(403);
    assertThat(rollout().status()).isEqualTo(RolloutStatus.PAUSED);

    // a code works once
    HttpResponse<String> again = exchange(code);
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.body()).contains("already used");
    assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(exchange("made-up-code").statusCode()).isEqualTo(401);
  }

  @Test
  void aLoginCodeExpiresAfterTenMinutesAndASessionAfterTwelveHours() throws Exception {
    String late = service.dashboard.newLoginCode();
    String inTime = service.dashboard.newLoginCode();
    clock.advance(Duration.ofMinutes(10).minusSeconds(1));
    HttpResponse<String> ok = exchange(inTime);
    assertThat(ok.statusCode()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(1));
    HttpResponse<String> expired = exchange(late);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.body()).contains("expired");

    String cookie = cookieOf(ok);
    clock.advance(Duration.ofHours(12).minusSeconds(2)); // the session began 1 s ago; now 1 s before it ends
    assertThat(getWith("/api/state", "Cookie", cookie).body()).contains("\"admin\":true");
    clock.advance(Duration.ofSeconds(1));
    assertThat(getWith("/api/state", "Cookie", cookie).body()).contains("\"admin\":false");
    assertThat(post("/api/rollouts/new-checkout/pause", "", "Cookie", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void theLoginExchangeRefusesCrossSiteRequestsAndSpendsNoCode() throws Exception {
    String code = service.dashboard.newLoginCode();
    assertThat(exchange(code, "Origin", "http://evil.example").statusCode()).isEqualTo(403);
    assertThat(exchange(code, "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
    assertThat(exchange(code, "Origin", "http://localhost:" + service.port(), "Sec-Fetch-Site", "same-origin")
        .statusCode()).isEqualTo(200);
  }

  @Test
  void aNewLoginLinkNeedsTheToken() throws Exception {
    assertThat(post("/api/login-codes", "").statusCode()).isEqualTo(401);
    HttpResponse<String> r = post("/api/login-codes", "", "Authorization", "Bearer " + TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    String link = r.body().replaceAll(".*\"link\":\"([^\"]+)\".*", "$1");
    assertThat(link).startsWith("http://127.0.0.1:" + service.port() + "/?code=");
    assertThat(exchange(link.substring(link.indexOf("code=") + 5)).statusCode()).isEqualTo(200);
  }

  /** A raw HTTP/1.1 request with any Host header (java.net.http does not let a caller set it); the status code. */
  private int withHost(String method, String path, String host, String... headers) throws Exception {
    return Integer.parseInt(rawWithHost(method, path, host, headers).substring(9, 12));
  }

  /** The raw response, status line first. */
  private String rawWithHost(String method, String path, String host, String... headers) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
      socket.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      if (host != null) {
        req.append("Host: ").append(host).append("\r\n");
      }
      for (int i = 0; i < headers.length; i += 2) {
        req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
      req.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyEndpointChecksTheHostHeader() throws Exception {
    int port = service.port();
    for (String host : new String[] {"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port,
        "burnguard.test:" + port}) {
      assertThat(withHost("GET", "/api/state", host)).as(host).isEqualTo(200);
      assertThat(withHost("GET", "/", host)).as(host).isEqualTo(200);
    }
    RolloutState before = rollout();
    for (String host : new String[] {"evil.example:" + port, "evil.example", "127.0.0.1", "localhost:1",
        "127.0.0.1:" + port + ".evil.example", ""}) {
      for (String path : new String[] {"/", "/api/state", "/api/checkout?user=a&items=1", "/evaluate?user=a",
          "/dashboard.js"}) {
        assertThat(withHost("GET", path, host)).as(host + " " + path).isEqualTo(421);
      }
      assertThat(withHost("POST", "/api/rollouts/new-checkout/rollback", host, "Authorization", "Bearer " + TOKEN))
          .as(host).isEqualTo(421);
      assertThat(withHost("POST", "/api/session", host)).as(host).isEqualTo(421);
    }
    assertThat(withHost("POST", "/api/rollouts/new-checkout/rollback", "localhost:" + port,
        "Authorization", "Bearer " + TOKEN)).isEqualTo(200);
    assertThat(before.status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(rollout().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(rawWithHost("GET", "/api/state", "attacker.example:" + port)).startsWith("HTTP/1.1 421")
        .contains("does not answer to Host \\\"attacker.example:" + port + "\\\"").contains("localhost:" + port);
    assertThat(rawWithHost("GET", "/api/state", null)).startsWith("HTTP/1.1 421").contains("missing Host header");
  }

  private HttpResponse<String> getWith(String path, String... headers) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(Duration.ofSeconds(10)).headers(headers).build(), HttpResponse.BodyHandlers.ofString());
  }
}
