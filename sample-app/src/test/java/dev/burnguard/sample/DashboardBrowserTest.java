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
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs): the demo runs in real time, the test injects the fault with the
 * dashboard's own button once the rollout reaches 25 %, and the page must show the rollback and
 * its reason. Leaves a screenshot in {@code target/dashboard-rollback.png}.
 *
 * <p>Without the browser the test is skipped, unless the environment variable
 * {@code BURNGUARD_BROWSER_REQUIRED=true} (set by {@code .ci/run}) makes that a failure.
 */
class DashboardBrowserTest {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final String TOKEN = "browser-test-token-0123456789";
  @TempDir Path dir;

  @Test
  void showsTheDemoRollbackAndItsReason() throws Exception {
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
    try (SampleService app = SampleService.start(new SampleService.Settings(dir.resolve("data"),
        InetAddress.getLoopbackAddress(), 0, 100, 1000, true, TOKEN, Clock.system(), true))) {
      ChromeDriver browser = new ChromeDriver(driverService, options);
      try {
        browser.get("http://127.0.0.1:" + app.port() + "/?token=" + TOKEN);
        assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
        WebElement flag = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> browser.findElement(By.cssSelector("section[data-flag='new-checkout']")), e -> e != null);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> flag.findElement(By.cssSelector(".summary")).getText(), t -> t.contains("stage 2 / 4"));

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
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "dashboard-rollback.png"),
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        browser.quit();
      }
    }
  }
}
