package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.testing.ManualClock;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three sample apps as one fleet on a real redis-server (started here from {@code PATH}), on one
 * manual clock: the dashboard API of an instance that does not decide shows the same fleet-wide
 * counts as the decider's, every instance's calls and share, and which instance decides. Without
 * redis-server the test is skipped, unless {@code BURNGUARD_REDIS_REQUIRED=true} (set by
 * {@code .ci/run}).
 */
class FleetDashboardTest {
  @TempDir Path dir;

  private static Path redisServer() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, "redis-server");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String message = "redis-server not on PATH (apt-get install redis-server): fleet dashboard test SKIPPED";
    if ("true".equals(System.getenv("BURNGUARD_REDIS_REQUIRED"))) {
      throw new AssertionError(message.replace("SKIPPED", "FAILED (BURNGUARD_REDIS_REQUIRED=true)"));
    }
    Assumptions.abort(message);
    return null;
  }

  private static String get(HttpClient http, int port, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  /**
   * The follower's dashboard in headless Chromium (when installed; required with
   * {@code BURNGUARD_BROWSER_REQUIRED=true}): the Fleet panel names the decider and lists the three
   * instances; screenshot in {@code target/dashboard-fleet.png}.
   */
  private void browserShows(int port, String decider) throws Exception {
    java.io.File chromium = new java.io.File("/usr/bin/chromium");
    java.io.File chromedriver = new java.io.File("/usr/bin/chromedriver");
    boolean present = chromium.canExecute() && chromedriver.canExecute();
    if ("true".equals(System.getenv("BURNGUARD_BROWSER_REQUIRED"))) {
      assertThat(present).as("headless Chromium at " + chromium + " and " + chromedriver).isTrue();
    }
    if (!present) {
      System.out.println("no Chromium: the fleet panel was checked through /api/state only");
      return;
    }
    var options = new org.openqa.selenium.chrome.ChromeOptions().setBinary(chromium).addArguments("--headless=new",
        "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium"),
        "--window-size=1400,1200");
    var service = new org.openqa.selenium.chrome.ChromeDriverService.Builder().usingDriverExecutable(chromedriver)
        .usingAnyFreePort().build();
    var browser = new org.openqa.selenium.chrome.ChromeDriver(service, options);
    try {
      browser.get("http://127.0.0.1:" + port + "/");
      Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> browser.findElement(org.openqa.selenium.By.id("fleet-decider")).getText(), decider::equals);
      assertThat(browser.findElements(org.openqa.selenium.By.cssSelector("#fleet-instances tr[data-instance]")))
          .hasSize(3);
      assertThat(browser.findElement(org.openqa.selenium.By.id("fleet")).getText())
          .contains("Fleet-wide SLIs (the sums the decider judges)").contains("fleet store reachable")
          .contains("sample-c").contains("50.0 %");
      Files.copy(browser.getScreenshotAs(org.openqa.selenium.OutputType.FILE).toPath(),
          Path.of("target", "dashboard-fleet.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      browser.quit();
    }
  }

  @Test
  @Timeout(120)
  void aNonDecidingInstanceShowsTheFleetWideCountsEveryInstancesShareAndTheDecider() throws Exception {
    Path binary = redisServer();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process redis = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    ManualClock clock = new ManualClock(Instant.parse("2026-12-05T12:00:00Z"));
    List<SampleService> apps = new ArrayList<>();
    try {
      Awaitility.await("redis-server").atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .until(() -> new java.net.Socket("127.0.0.1", port).isConnected());
      String[] ids = {"sample-a", "sample-b", "sample-c"};
      for (String id : ids) {
        Files.createDirectories(dir.resolve(id));
        apps.add(SampleService.start(new SampleService.Settings(dir.resolve(id), InetAddress.getLoopbackAddress(), 0,
            List.of(), 0, 1000, false, "fleet-test-token-0123456789", clock, false, "redis://127.0.0.1:" + port, id)));
      }
      // 100 s from a whole minute (so every push is in the view's two minutes): 1, 2 and 3 calls a second
      for (int second = 0; second < 100; second++) {
        clock.advance(Duration.ofSeconds(1));
        for (int a = 0; a < 3; a++) {
          for (int c = 0; c <= a; c++) {
            apps.get(a).traffic.sendOne();
          }
        }
        for (SampleService app : apps) {
          app.provider.rollouts().tick();
          app.everySecond();
        }
      }
      HttpClient http = HttpClient.newHttpClient();
      for (SampleService app : apps) {
        get(http, app.port(), "/api/state"); // asks for the fleet view: the next ticks read it
      }
      for (int second = 0; second < 2; second++) { // every push, then every read
        clock.advance(Duration.ofSeconds(1));
        for (SampleService app : apps) {
          app.provider.rollouts().tick();
        }
      }
      long[] local = new long[3];
      long candidate = 0;
      String candidateVariant = apps.get(0).provider.rollouts().plans().get(Checkout.FLAG).candidate();
      String controlVariant = apps.get(0).provider.rollouts().plans().get(Checkout.FLAG).control();
      for (int a = 0; a < 3; a++) {
        var r = apps.get(a).provider.outcomes();
        long c = r.counts(Checkout.FLAG, candidateVariant, Duration.ofHours(1)).calls();
        local[a] = c + r.counts(Checkout.FLAG, controlVariant, Duration.ofHours(1)).calls();
        candidate += c;
      }
      assertThat(local).containsExactly(100, 200, 300);
      List<String> states = new ArrayList<>();
      for (SampleService app : apps) {
        states.add(get(http, app.port(), "/api/state"));
      }
      String decider = null;
      for (int a = 0; a < 3; a++) {
        if (states.get(a).contains("\"deciding\":true")) {
          assertThat(decider).as("one decider").isNull();
          decider = ids[a];
        }
      }
      assertThat(decider).isNotNull();
      int follower = decider.equals("sample-a") ? 1 : 0;
      String view = states.get(follower);
      System.out.println("fleet view of " + ids[follower] + ": " + view.substring(view.indexOf("\"fleet\"")));
      assertThat(view).contains("\"deciding\":false").contains("\"decider\":\"" + decider + "\"")
          .contains("\"store\":\"reachable\"").contains("\"problem\":null").contains("\"droppedCalls\":0")
          .contains("\"fleetWide\":true");
      // every instance with its calls and share (1/6, 2/6, 3/6)
      assertThat(view).contains("{\"id\":\"sample-a\",\"calls\":100,\"share\":" + (100.0 / 600))
          .contains("{\"id\":\"sample-b\",\"calls\":200,\"share\":" + (200.0 / 600))
          .contains("{\"id\":\"sample-c\",\"calls\":300,\"share\":" + (300.0 / 600));
      // the fleet-wide 1-h counts of the candidate: the sum of the three recorders, the same on every instance
      String fleetCandidate = "\"" + candidateVariant + "\":{\"5m\":{\"calls\":" + candidate + ",";
      for (String s : states) {
        assertThat(s.substring(s.indexOf("\"fleet\""))).contains(fleetCandidate);
      }
      browserShows(apps.get(follower).port(), decider);
    } finally {
      for (SampleService app : apps) {
        app.close();
      }
      redis.destroyForcibly().waitFor();
    }
  }
}
