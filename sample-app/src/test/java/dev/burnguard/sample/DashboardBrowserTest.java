package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.time.Clock;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs): the demo runs in real time; the browser logs in with the one-time link;
 * the test injects the fault with the dashboard's own button once the rollout reaches 25 %, and the
 * page must show the rollback and its reason; the rollback's evidence, once opened, stays open across
 * two refreshes; a reset asks for confirmation and, refused, changes nothing; the flag served by the
 * wrapped InMemoryProvider ({@value ShippingQuote#FLAG}) has its own section, and a fault injected
 * into it with the same form, its flag chosen, is rolled back on the page too. Then the app is
 * restarted on the same data directory: a read-only view (no login) shows the decision log from the
 * store and no action buttons; logged in again at phone width (390 px) the page does not scroll
 * sideways and every button is within the screen. Screenshots: {@code target/dashboard-rollback.png}
 * (desktop, evidence open), {@code target/dashboard-restarted.png} (read-only after the restart),
 * {@code target/dashboard-phone.png} (390 px).
 *
 * <p>Without the browser the test is skipped, unless the environment variable
 * {@code BURNGUARD_BROWSER_REQUIRED=true} (set by {@code .ci/run}) makes that a failure.
 */
class DashboardBrowserTest {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final String TOKEN = "browser-test-token-0123456789";
  @TempDir Path dir;

  private static SampleService start(Path data, boolean demo) throws Exception {
    return SampleService.start(new SampleService.Settings(data, InetAddress.getLoopbackAddress(), 0, List.of(),
        demo ? 100 : 0, 1000, demo, TOKEN, Clock.system(), true));
  }

  private static void screenshot(ChromeDriver browser, String name) throws Exception {
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", name),
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static WebElement flagSection(WebDriver browser, String flag) {
    return await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> browser.findElement(By.cssSelector("section[data-flag='" + flag + "']")), e -> e != null);
  }

  /** Waits until the page has rendered {@code n} more answers of {@code /api/state}. */
  private static void refreshes(WebDriver browser, int n) {
    for (int i = 0; i < n; i++) {
      String before = browser.findElement(By.id("connection")).getText();
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> browser.findElement(By.id("connection")).getText(), t -> t.startsWith("live") && !t.equals(before));
    }
  }

  @Test
  void showsTheDemoRollbackItsEvidenceAndTheDecisionLogAfterARestart() throws Exception {
    boolean present = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
    if ("true".equals(System.getenv("BURNGUARD_BROWSER_REQUIRED"))) {
      assertThat(present).as("headless Chromium at " + CHROMIUM + " and " + CHROMEDRIVER).isTrue();
    }
    Assumptions.assumeTrue(present, "no Chromium at " + CHROMIUM + " / " + CHROMEDRIVER);

    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium"),
        "--window-size=1400,1900");
    ChromeDriverService driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build();
    Path data = dir.resolve("data");
    ChromeDriver browser = new ChromeDriver(driverService, options);
    try {
      try (SampleService app = start(data, true)) {
        String code = app.dashboard.newLoginCode();
        browser.get("http://127.0.0.1:" + app.port() + "/?code=" + code);
        assertThat(browser.getCurrentUrl()).doesNotContain(code).doesNotContain(TOKEN);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .until(() -> browser.findElement(By.id("access")).getText(), t -> t.startsWith("Admin"));
        assertThat((String) browser.executeScript("return document.cookie")).doesNotContain(dev.burnguard.dashboard.DashboardServer.SESSION_COOKIE);
        WebElement flag = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> browser.findElement(By.cssSelector("section[data-flag='new-checkout']")), e -> e != null);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> flag.findElement(By.cssSelector(".summary")).getText(), t -> t.contains("stage 2 / 4"));
        // durations as people write them: the demo rule's 60 s / 10 s windows
        assertThat(flag.getText()).contains("Burn rate, rule 1 min / 10 s × 10").contains("long 1 min (solid)")
            .doesNotContain("60 s");

        browser.findElement(By.id("fault-errors")).clear();
        browser.findElement(By.id("fault-errors")).sendKeys("30");
        browser.findElement(By.id("fault-latency")).clear();
        browser.findElement(By.id("fault-latency")).sendKeys("0");
        browser.findElement(By.id("fault-inject")).click();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> browser.findElement(By.id("fault-current")).getText(), t -> t.contains("30.0 % errors"));

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> browser.findElement(By.id("status-new-checkout")).getText(), "ROLLED_BACK"::equals);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> flag.findElements(By.cssSelector(".chart-exposure .mark-ROLLBACK")).size(), n -> n > 0);
        WebElement rollback = flag.findElement(By.cssSelector(".log tr.ROLLBACK"));
        assertThat(rollback.getText()).contains("guardian").contains("25.0 % → 0.0 %")
            .contains("fired on availability");

        // the evidence, once opened, stays open across two refreshes
        rollback.findElement(By.cssSelector("details summary")).click();
        By openEvidence = By.cssSelector(".log tr.ROLLBACK details[open] table");
        assertThat(flag.findElement(openEvidence).isDisplayed()).isTrue();
        refreshes(browser, 2);
        WebElement evidence = flag.findElement(openEvidence);
        assertThat(evidence.isDisplayed()).isTrue();
        assertThat(evidence.getText()).contains("availability").contains("yes").contains("1 min / 10 s × 10 → rollback");
        screenshot(browser, "dashboard-rollback.png");

        // a reset would expose users again: it asks first, and refused it changes nothing
        flag.findElement(By.cssSelector("button[data-action='reset']")).click();
        Alert question = browser.switchTo().alert();
        assertThat(question.getText()).contains("Reset starts the rollout over").contains("5 % of users to new");
        question.dismiss();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
            .until(() -> browser.findElement(By.id("message")).getText(), t -> t.contains("reset cancelled"));
        refreshes(browser, 1);
        assertThat(browser.findElement(By.id("status-new-checkout")).getText()).isEqualTo("ROLLED_BACK");
        assertThat(app.provider.rollouts().state(Checkout.FLAG).orElseThrow().status().name()).isEqualTo("ROLLED_BACK");

        // the flag served by the wrapped InMemoryProvider has its own section; the fault form targets it
        WebElement wrapped = flagSection(browser, ShippingQuote.FLAG);
        assertThat(browser.findElement(By.id("status-" + ShippingQuote.FLAG)).getText()).isNotEqualTo("ROLLED_BACK");
        browser.findElement(By.cssSelector("#fault-flag option[value='" + ShippingQuote.FLAG + "']")).click();
        browser.findElement(By.id("fault-errors")).clear();
        browser.findElement(By.id("fault-errors")).sendKeys("50");
        browser.findElement(By.id("fault-inject")).click();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> browser.findElement(By.id("fault-current")).getText(), t -> t.contains("50.0 % errors"));
        assertThat(app.faults.current(ShippingQuote.FLAG).errorRate()).isEqualTo(0.5);
        assertThat(app.faults.current()).isEqualTo(DemoScenario.FAULT);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> browser.findElement(By.id("status-" + ShippingQuote.FLAG)).getText(), "ROLLED_BACK"::equals);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> wrapped.findElement(By.cssSelector(".log tr.ROLLBACK")).getText(), t -> t.contains("guardian"));
      }

      // restart on the same data directory: a read-only view shows the decision log from the store
      try (SampleService app = start(data, false)) {
        String base = "http://127.0.0.1:" + app.port();
        browser.get(base + "/");
        WebElement flag = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .until(() -> browser.findElement(By.cssSelector("section[data-flag='new-checkout']")), e -> e != null);
        WebElement rollback = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> flag.findElement(By.cssSelector(".log tr.ROLLBACK")), e -> e != null);
        assertThat(rollback.getText()).contains("guardian").contains("25.0 % → 0.0 %").contains("fired on availability");
        assertThat(browser.findElement(By.id("access")).getText()).startsWith("Read-only");
        List<WebElement> buttons = browser.findElements(By.tagName("button"));
        assertThat(buttons).hasSizeGreaterThanOrEqualTo(7).noneMatch(WebElement::isDisplayed);
        screenshot(browser, "dashboard-restarted.png");

        // logged in again, at phone width
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
            Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        browser.get(base + "/?code=" + app.dashboard.newLoginCode());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .until(() -> browser.findElement(By.id("access")).getText(), t -> t.startsWith("Admin"));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> browser.findElements(By.cssSelector(".log tr.ROLLBACK")).size(), n -> n > 0);
        refreshes(browser, 1);
        long viewport = (Long) browser.executeScript("return window.innerWidth");
        long page = (Long) browser.executeScript("return document.documentElement.scrollWidth");
        assertThat(viewport).isEqualTo(390);
        assertThat(page).as("page width at a 390 px viewport").isLessThanOrEqualTo(viewport);
        List<WebElement> visible = browser.findElements(By.tagName("button")).stream().filter(WebElement::isDisplayed)
            .toList();
        assertThat(visible).hasSizeGreaterThanOrEqualTo(7);
        for (WebElement b : visible) {
          double right = ((Number) browser.executeScript("return arguments[0].getBoundingClientRect().right", b))
              .doubleValue();
          assertThat(right).as("right edge of button " + b.getText()).isLessThanOrEqualTo(viewport);
        }
        screenshot(browser, "dashboard-phone.png");
        System.out.println("DashboardBrowserTest: at a " + viewport + " px viewport the page is " + page + " px wide; "
            + visible.size() + " buttons, all within the screen");
      }
    } finally {
      browser.quit();
    }
  }
}
