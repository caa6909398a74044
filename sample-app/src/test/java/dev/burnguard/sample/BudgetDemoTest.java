package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.ManualClock;
import java.io.File;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Issue 16, item 4: the sample's journey SLO ("checkout", 99.9 % over the hour, the default flag
 * file's) and its error-budget policy (hold new-checkout's advances from 75 % spent), on a manual
 * clock with the {@code --demo} plan: the demo's fault spends the budget before the guardian rolls
 * the candidate back; a person resets the rollout (the fix), and the second rollout's advance is
 * held by the policy, the HOLD's reason giving the budget's numbers, on the dashboard's JSON and
 * page with the budget gauge (screenshot {@code target/dashboard-budget.png}). The test counts the
 * checkouts it sends and their failures itself; the budget must equal those counts, and its share
 * spent {@code failed / (0.001 × calls)}. The rollout's report downloads from the dashboard.
 */
class BudgetDemoTest {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  @TempDir Path dir;
  private long calls;
  private long failed;

  /** One simulated second: 100 checkouts in 100 ms slices (counted here), a guardian tick, a dashboard sample. */
  private void second(SampleService app, ManualClock clock) {
    for (int slice = 0; slice < 10; slice++) {
      clock.advance(Duration.ofMillis(100));
      for (int i = 0; i < 10; i++) {
        long n = calls++;
        try {
          app.checkout.checkout("user-" + (n % 1000), 1 + (int) (n % 8));
        } catch (Checkout.CheckoutFailedException e) {
          failed++;
        }
      }
    }
    app.provider.rollouts().tick();
    app.everySecond();
  }

  @Test
  void aSpentCheckoutBudgetHoldsTheSecondRolloutWithItsNumbersOnTheDashboard() throws Exception {
    ManualClock clock = new ManualClock(); // 2026-01-01T00:00Z: the test's 3 minutes are in one UTC hour
    List<Decision> decisions = new CopyOnWriteArrayList<>();
    try (SampleService app = SampleService.start(new SampleService.Settings(dir, InetAddress.getLoopbackAddress(), 0,
        List.of(), 0, 1000, true, "budget-test-token-0123456789", clock, false))) {
      app.provider.rollouts().onDecision(decisions::add);
      for (int s = 0; s < 120 && app.provider.rollouts().state(Checkout.FLAG).orElseThrow().status()
          != RolloutStatus.ROLLED_BACK; s++) {
        second(app, clock);
      }
      assertThat(app.provider.rollouts().state(Checkout.FLAG).orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
      ErrorBudgetPolicy.Budget atRollback = app.rollouts.errorBudgets().get("checkout");
      assertThat(atRollback.calls()).isEqualTo(calls);
      assertThat(atRollback.badCalls()).isEqualTo(failed);
      assertThat(atRollback.spent()).isCloseTo(failed / (0.001 * calls), org.assertj.core.data.Offset.offset(1e-9))
          .isGreaterThan(1);
      System.out.printf(Locale.ROOT, "BudgetDemoTest: at the rollback %d checkouts, %d failed: %.1f %% of the budget spent%n",
          calls, failed, atRollback.spent() * 100);

      // the fix: a person resets the rolled-back rollout; the demo clears the fault
      app.rollouts.reset(Checkout.FLAG, "person:test");
      app.everySecond();
      assertThat(app.faults.current()).isEqualTo(Faults.Fault.NONE);
      long failedBefore = failed;
      decisions.clear();
      Decision hold = null;
      long callsAtHold = 0;
      for (int s = 0; s < 30 && hold == null; s++) {
        second(app, clock);
        hold = decisions.stream().filter(d -> d.action() == DecisionAction.HOLD).findFirst().orElse(null);
        callsAtHold = calls;
      }
      assertThat(failed).isEqualTo(failedBefore); // the fix holds: no more failures
      assertThat(hold).as("a HOLD by the error-budget policy within 30 s; decisions: " + decisions).isNotNull();
      // the budget as the test counts it: failed of 0.001 × calls allowed, over the hour
      String allowed = String.format(Locale.ROOT, "%,.1f", callsAtHold * 0.001).replaceAll("\\.0$", "");
      String spent = String.format(Locale.ROOT, "%.1f %% spent (%,d of %s allowed bad calls in 1 h)",
          100.0 * failed / (0.001 * callsAtHold), failed, allowed);
      assertThat(hold.reason()).startsWith("error-budget policy: service budget \"checkout\" " + spent + " ≥ 75 %: advance held");
      assertThat(hold.actor()).isEqualTo(Decision.GUARDIAN);
      RolloutState held = app.provider.rollouts().state(Checkout.FLAG).orElseThrow();
      assertThat(held.status()).isEqualTo(RolloutStatus.RAMPING);
      assertThat(held.stage()).isZero();
      assertThat(held.exposure()).isEqualTo(0.05);
      // ten more seconds: still held at 5 %
      for (int s = 0; s < 10; s++) {
        second(app, clock);
      }
      assertThat(app.provider.rollouts().state(Checkout.FLAG).orElseThrow().exposure()).isEqualTo(0.05);
      System.out.println("BudgetDemoTest: the second rollout held at 5 % after " + callsAtHold + " checkouts: "
          + hold.reason());

      String json = app.dashboard.stateJson(0);
      assertThat(json).contains("\"budgets\":[{\"name\":\"checkout\",\"journey\":\"checkout\",\"objective\":0.999")
          .contains("\"period\":\"1 h\"").contains("\"badCalls\":" + failed + ",")
          .contains("\"action\":\"HOLD\"").contains("error-budget policy: service budget");

      // the dashboard's "Download report" link: the rollout's HTML report
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> report = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
          + "/api/rollouts/" + Checkout.FLAG + "/report?format=html")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(report.statusCode()).isEqualTo(200);
      assertThat(report.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"new-checkout-report.html\"");
      assertThat(report.body()).contains("<title>Rollout report: new-checkout</title>").contains("ROLLBACK").contains("RESET");

      boolean browser = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
      if ("true".equals(System.getenv("BURNGUARD_BROWSER_REQUIRED"))) {
        assertThat(browser).as("headless Chromium at " + CHROMIUM + " and " + CHROMEDRIVER).isTrue();
      }
      if (browser) {
        page(app, failed);
      }
    }
  }

  /** The page: the budget gauge with the test's counts, the policy's HOLD in the log, the report link working. */
  private void page(SampleService app, long bad) throws Exception {
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium"),
        "--window-size=1400,1600");
    ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build(), options);
    try {
      browser.get("http://127.0.0.1:" + app.port() + "/");
      WebElement gauge = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> browser.findElement(By.id("budget-checkout")), e -> e != null);
      assertThat(gauge.getText()).contains("checkout (journey checkout, 99.90 % available over 1 h)")
          .contains(" spent: " + bad + " of ");
      assertThat(browser.findElements(By.cssSelector("#budget-checkout .gauge-spent"))).hasSize(1);
      WebElement flag = browser.findElement(By.cssSelector("section[data-flag='new-checkout']"));
      WebElement holdRow = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> flag.findElement(By.cssSelector(".log tr.HOLD")), e -> e != null);
      assertThat(holdRow.getText()).contains("error-budget policy: service budget \"checkout\"").contains("advance held");
      String href = flag.findElement(By.cssSelector("a.download")).getAttribute("href");
      Object fetched = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
          + "fetch(arguments[0]).then(r => r.text()).then(t => done(t.substring(0, 400)), e => done('failed: ' + e));", href);
      assertThat((String) fetched).contains("Rollout report: new-checkout");
      Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "dashboard-budget.png"),
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      browser.quit();
    }
  }
}
