package dev.burnguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.redis.RedisFleet;
import dev.burnguard.redis.RedisServer;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Issue 16, item 3: {@code burnguard dashboard} end to end. On a state directory a running provider
 * writes: the JSON API shows its rollout and follows its next decision, the report downloads, the
 * page renders in headless Chromium (screenshot {@code target/cli-dashboard.png}), a read-only
 * dashboard refuses actions, and an admin one's action reaches the service that holds the directory
 * (pressed on the page in Chromium: screenshot {@code target/cli-dashboard-action.png}; the
 * service makes it at its next tick), or is withdrawn, changing nothing, when the service does not take
 * it in time. On a fleet store (a {@code redis-server} started by sdk-redis' {@link RedisServer})
 * an action taken on the dashboard reaches the running replica. Browser parts are skipped without
 * Chromium, the Redis part without redis-server, unless {@code BURNGUARD_BROWSER_REQUIRED} /
 * {@code BURNGUARD_REDIS_REQUIRED} make that a failure.
 */
class DashboardCommandTest {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final String TOKEN = "cli-dashboard-token-0123456789";
  private static final String FLAGS = "{\"flags\": {\"new-checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true,"
      + " \"old\": false}, \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"stages\": ["
      + "{\"exposure\": 10, \"bake\": \"2m\", \"minSamples\": 50}, {\"exposure\": 50, \"bake\": \"2m\", \"minSamples\": 50},"
      + " {\"exposure\": 100, \"bake\": \"2m\", \"minSamples\": 50}], \"slo\": {\"availability\": 99.9}}}}}";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status line of a GET /api/state naming {@code host} (a header HttpClient does not let one set). */
  private static String statusLineWithHost(int port, String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      socket.getOutputStream().write(("GET /api/state HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
    }
  }

  /** Healthy traffic, one tick a second, until the rollout reaches {@code stage}. */
  private static void rampTo(BurnguardProvider service, ManualClock clock, int stage) {
    for (int s = 0; s < 1200; s++) {
      RolloutState now = service.rollouts().state("new-checkout").orElseThrow();
      if (now.stage() >= stage) {
        return;
      }
      long end = clock.monotonicNanos();
      int candidate = (int) Math.round(40 * now.exposure());
      for (int i = 0; i < 40; i++) {
        service.outcomes().recordCall("new-checkout", i < candidate ? "new" : "old", end - 30_000_000L, end,
            Outcome.SUCCESS);
      }
      clock.advance(Duration.ofSeconds(1));
      service.rollouts().tick();
    }
    throw new AssertionError("the rollout did not reach stage " + stage);
  }

  /** Headless Chromium with its profile in {@code dir/profile}. */
  private ChromeDriver browser(String profile) {
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve(profile),
        "--window-size=1300,1400");
    return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort()
        .build(), options);
  }

  private static boolean browserPresent() {
    boolean present = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
    if ("true".equals(System.getenv("BURNGUARD_BROWSER_REQUIRED"))) {
      assertThat(present).as("headless Chromium at " + CHROMIUM + " and " + CHROMEDRIVER).isTrue();
    }
    return present;
  }

  @Test
  void showsARunningServicesStateDirectoryAndFollowsItsDecisions() throws Exception {
    Path flags = Files.writeString(dir.resolve("flags.json"), FLAGS);
    Path state = dir.resolve("state");
    ManualClock clock = new ManualClock();
    BurnguardProvider service = BurnguardProvider.builder().source(FlagSource.file(flags)).clock(clock)
        .stateDirectory(state).guardianTicking(false).build();
    service.initialize(new ImmutableContext());
    try {
      rampTo(service, clock, 1); // START at 10 %, ADVANCE to 50 %
      try (DashboardCommand.Running readOnly = Cli.dashboard("dashboard", "--state-dir", state.toString(), "--flags",
          flags.toString(), "--port", "0")) {
        int port = readOnly.server.port();
        HttpResponse<String> s = get(port, "/api/state");
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.body()).contains("\"new-checkout\":{\"plan\":").contains("\"status\":\"RAMPING\",\"stage\":1,\"exposure\":0.5")
            .contains("\"action\":\"START\"").contains("\"action\":\"ADVANCE\"").contains("\"adminEnabled\":false")
            .contains("burnguard dashboard: the state directory " + state);

        // the service decides again: the dashboard reads it within a few seconds
        rampTo(service, clock, 2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(port, "/api/state").body())
            .contains("\"status\":\"RAMPING\",\"stage\":2,\"exposure\":1"));

        HttpResponse<String> report = get(port, "/api/rollouts/new-checkout/report?format=html");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"new-checkout-report.html\"");
        assertThat(report.body()).contains("<title>Rollout report: new-checkout</title>");
        assertThat(get(port, "/api/rollouts/new-checkout/report?format=pdf").statusCode()).isEqualTo(400);
        assertThat(get(port, "/api/rollouts/other/report").statusCode()).isEqualTo(404);
        // loopback names only, and read-only without a token
        assertThat(statusLineWithHost(port, "rebound.attacker.example")).contains(" 421 ");
        HttpResponse<String> refused = post(port, "/api/rollouts/new-checkout/pause", "Authorization", "Bearer " + TOKEN);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("read-only");

        if (browserPresent()) {
          ChromeDriver browser = browser("chromium");
          try {
            browser.get("http://127.0.0.1:" + port + "/");
            WebElement flag = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("section[data-flag='new-checkout']")), e -> e != null);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> flag.findElement(By.cssSelector(".summary")).getText(), t -> t.contains("stage 3 / 3"));
            assertThat(browser.findElement(By.id("status-new-checkout")).getText()).isEqualTo("RAMPING");
            assertThat(flag.findElements(By.cssSelector(".log tr.ADVANCE"))).hasSize(2);
            assertThat(browser.findElement(By.id("access")).getText()).startsWith("Read-only")
                .contains("without an admin token");
            assertThat(browser.findElement(By.id("instance")).getText()).contains("the state directory");
            assertThat(browser.findElements(By.tagName("button"))).noneMatch(WebElement::isDisplayed);
            WebElement download = flag.findElement(By.cssSelector("a.download"));
            assertThat(download.getText()).isEqualTo("Download report");
            assertThat(download.getAttribute("href")).endsWith("/api/rollouts/new-checkout/report?format=html");
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "cli-dashboard.png"),
                StandardCopyOption.REPLACE_EXISTING);
          } finally {
            browser.quit();
          }
        }
      }

      // with a token, an action reaches the service that holds the directory: it makes it at its next tick
      try (DashboardCommand.Running admin = Cli.dashboard("dashboard", "--state-dir", state.toString(), "--flags",
          flags.toString(), "--port", "0", "--admin-token", TOKEN, "--actor", "person:ops")) {
        int port = admin.server.port();
        if (browserPresent()) {
          // an operator logs in with the printed link and presses "pause" on the page
          ChromeDriver browser = browser("chromium-admin");
          try {
            browser.get("http://127.0.0.1:" + port + "/?code=" + admin.server.newLoginCode());
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> browser.findElement(By.id("access")).getText(), t -> t.startsWith("Admin"));
            WebElement flag = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("section[data-flag='new-checkout']")), e -> e != null);
            flag.findElement(By.cssSelector("button[data-action='pause']")).click();
            // the page re-renders every second: an element read may be stale, so the polls ignore that
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
              service.rollouts().tick(); // the service's guardian timer, on the test's clock
              return "PAUSED".equals(browser.findElement(By.id("status-new-checkout")).getText());
            });
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> flag.findElements(By.cssSelector(".log tr.PAUSE")).size(), n -> n == 1);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> flag.findElement(By.cssSelector(".log tr.PAUSE")).getText(), t -> t.contains("person:ops"));
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "cli-dashboard-action.png"),
                StandardCopyOption.REPLACE_EXISTING);
          } finally {
            browser.quit();
          }
        } else {
          java.util.concurrent.CompletableFuture<HttpResponse<String>> pause = http.sendAsync(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/api/rollouts/new-checkout/pause")).timeout(Duration.ofSeconds(20))
              .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofString());
          await().atMost(Duration.ofSeconds(20)).until(() -> {
            service.rollouts().tick(); // the service's guardian timer, on the test's clock
            return pause.isDone();
          });
          assertThat(pause.get().statusCode()).as(pause.get().body()).isEqualTo(200);
          assertThat(pause.get().body()).contains("\"status\":\"PAUSED\"");
        }
        assertThat(service.rollouts().state("new-checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
        assertThat(service.rollouts().recentDecisions("new-checkout")).last()
            .satisfies(d -> assertThat(d.action() + " " + d.actor()).isEqualTo("PAUSE person:ops"));
        assertThat(get(port, "/api/state").body()).contains("\"status\":\"PAUSED\"");
        // a service that does not take it in time: the action is withdrawn, 409 says so, nothing changes
        Map<String, String> before = Cli.digests(state);
        try (DashboardCommand.Running impatient = Cli.dashboard("dashboard", "--state-dir", state.toString(), "--flags",
            flags.toString(), "--port", "0", "--admin-token", TOKEN, "--wait", "200ms")) {
          HttpResponse<String> unanswered = post(impatient.server.port(), "/api/rollouts/new-checkout/resume",
              "Authorization", "Bearer " + TOKEN);
          assertThat(unanswered.statusCode()).isEqualTo(409);
          assertThat(unanswered.body()).contains("did not take the resume request within 200 ms")
              .contains("withdrawn; nothing was changed");
        }
        assertThat(Cli.digests(state)).isEqualTo(before);
        assertThat(service.rollouts().state("new-checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
      }
    } finally {
      service.shutdown();
    }
  }

  @Test
  void anActionOnAFleetDashboardReachesTheRunningReplica() throws Exception {
    Path flags = Files.writeString(dir.resolve("flags.json"), FLAGS);
    try (RedisServer redis = RedisServer.start()) {
      String uri = redis.uri();
      BurnguardProvider replica = BurnguardProvider.builder().source(FlagSource.file(flags))
          .fleet(RedisFleet.builder(uri).service("checkout-service").instanceId("replica-1").build())
          .guardianTicking(false).build();
      replica.initialize(new ImmutableContext());
      try {
        replica.rollouts().tick();
        try (DashboardCommand.Running dashboard = Cli.dashboard("dashboard", "--redis", uri, "--service",
            "checkout-service", "--flags", flags.toString(), "--port", "0", "--admin-token", TOKEN, "--actor",
            "person:ops")) {
          int port = dashboard.server.port();
          assertThat(get(port, "/api/state").body()).contains("\"status\":\"RAMPING\",\"stage\":0,\"exposure\":0.1")
              .contains("the fleet store of service \\\"checkout-service\\\"");
          assertThat(post(port, "/api/rollouts/new-checkout/pause").statusCode()).isEqualTo(401);
          HttpResponse<String> pause = post(port, "/api/rollouts/new-checkout/pause", "Authorization", "Bearer " + TOKEN);
          assertThat(pause.statusCode()).as(pause.body()).isEqualTo(200);
          assertThat(pause.body()).contains("\"status\":\"PAUSED\"");
          await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            replica.rollouts().tick();
            assertThat(replica.rollouts().state("new-checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
          });
          assertThat(replica.rollouts().recentDecisions("new-checkout")).extracting(d -> d.action())
              .containsExactly(DecisionAction.START, DecisionAction.PAUSE);
          assertThat(replica.rollouts().recentDecisions("new-checkout").get(1).actor()).isEqualTo("person:ops");
          assertThat(get(port, "/api/state").body()).contains("\"status\":\"PAUSED\"");
          // the rollout's state does not allow a second pause: 409, as the service's own API answers
          assertThat(post(port, "/api/rollouts/new-checkout/pause", "Authorization", "Bearer " + TOKEN).statusCode())
              .isEqualTo(409);
        }
      } finally {
        replica.shutdown();
      }
    }
  }
}
