package dev.burnguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.guardian.StageCounts;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.io.File;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Issue 16, item 2: a rollback's HTML report in headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}, driven as the sample app's dashboard test drives them): the report the
 * provider's API writes and the one {@code burnguard report} writes from the state directory after
 * the service stopped. Screenshots: {@code target/rollout-report.png} (API, with latency) and
 * {@code target/rollout-report-cli.png}. Skipped without Chromium; {@code BURNGUARD_BROWSER_REQUIRED=true}
 * makes that a failure.
 */
class ReportBrowserTest {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final String FLAGS = "{\"flags\": {\"new-checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true,"
      + " \"old\": false}, \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"stages\": ["
      + "{\"exposure\": 10, \"bake\": \"2m\", \"minSamples\": 50}, {\"exposure\": 50, \"bake\": \"2m\", \"minSamples\": 50},"
      + " {\"exposure\": 100, \"bake\": \"2m\", \"minSamples\": 50}], \"slo\": {\"availability\": 99.9,"
      + " \"latency\": {\"threshold\": \"300ms\", \"objective\": 99}}}}}}";

  @TempDir Path dir;

  @Test
  void theReportOfARollbackRendersInChromium() throws Exception {
    boolean present = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
    if ("true".equals(System.getenv("BURNGUARD_BROWSER_REQUIRED"))) {
      assertThat(present).as("headless Chromium at " + CHROMIUM + " and " + CHROMEDRIVER).isTrue();
    }
    Assumptions.assumeTrue(present, "no Chromium at " + CHROMIUM + " / " + CHROMEDRIVER);

    // a rollout that advances twice on healthy traffic, then rolls back once 20 % of the candidate's calls fail
    Path flags = Files.writeString(dir.resolve("flags.json"), FLAGS);
    Path state = dir.resolve("state");
    ManualClock clock = new ManualClock();
    BurnguardProvider service = BurnguardProvider.builder().source(FlagSource.file(flags)).clock(clock)
        .stateDirectory(state).guardianTicking(false).build();
    service.initialize(new ImmutableContext());
    Path apiReport = dir.resolve("api-report.html");
    List<StageCounts.Stage> counted;
    try {
      for (int s = 0; s < 1200; s++) {
        RolloutState now = service.rollouts().state("new-checkout").orElseThrow();
        if (now.status() == RolloutStatus.ROLLED_BACK) {
          break;
        }
        boolean bad = now.stage() == 2;
        long end = clock.monotonicNanos();
        int candidate = (int) Math.round(40 * now.exposure());
        for (int i = 0; i < 40; i++) {
          boolean isCandidate = i < candidate;
          boolean fails = isCandidate ? bad && i % 5 == 0 : s % 20 == 0 && i == 39;
          service.outcomes().recordCall("new-checkout", isCandidate ? "new" : "old",
              end - (isCandidate ? 45_000_000L + i * 1_000_000L : 30_000_000L + i * 500_000L), end,
              fails ? Outcome.ERROR : Outcome.SUCCESS);
        }
        clock.advance(Duration.ofSeconds(1));
        service.rollouts().tick();
      }
      assertThat(service.rollouts().recentDecisions("new-checkout")).extracting(d -> d.action()).containsExactly(
          DecisionAction.START, DecisionAction.ADVANCE, DecisionAction.ADVANCE, DecisionAction.ROLLBACK);
      counted = ProviderInternals.guardian(service).stageCounts("new-checkout");
      try (Writer w = Files.newBufferedWriter(apiReport, StandardCharsets.UTF_8)) {
        service.rollouts().report("new-checkout", "html", w);
      }
    } finally {
      service.shutdown();
    }
    assertThat(counted).hasSize(3);
    Path cliReport = dir.resolve("cli-report.html");
    Cli cli = Cli.run("report", "--state-dir", state.toString(), "--flag", "new-checkout", "--flags", flags.toString(),
        "--output", cliReport.toString());
    assertThat(cli.code).as(cli.toString()).isZero();

    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium"),
        "--window-size=1000,3200");
    ChromeDriverService driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build();
    ChromeDriver browser = new ChromeDriver(driverService, options);
    try {
      for (Path report : List.of(apiReport, cliReport)) {
        browser.get(report.toUri().toString());
        assertThat(browser.getTitle()).isEqualTo("Rollout report: new-checkout");
        assertThat(browser.findElements(By.cssSelector("svg.chart"))).hasSizeGreaterThanOrEqualTo(5);
        assertThat(browser.findElements(By.cssSelector("svg.timeline g.decision"))).hasSize(4);
        String stages = browser.findElement(By.id("stages")).getText();
        for (StageCounts.Stage s : counted) { // the guardian's counts, as the table shows them
          assertThat(stages).contains(s.stage() + " " + String.format(java.util.Locale.ROOT, "%.2f %%",
              new double[] {10, 50, 100}[s.stage()]) + " " + s.candidateCalls() + " " + s.candidateErrors() + " "
              + s.candidateSlow() + " " + s.controlCalls() + " " + s.controlErrors() + " " + s.controlSlow());
        }
        assertThat(browser.findElement(By.id("decisions")).getText()).contains("ROLLBACK").contains("guardian");
        // the page is laid out: the timeline has a width on screen
        assertThat(browser.findElement(By.cssSelector("svg.timeline")).getSize().getWidth()).isGreaterThan(500);
        Path shot = Path.of("target", report == apiReport ? "rollout-report.png" : "rollout-report-cli.png");
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
      }
      browser.get(apiReport.toUri().toString());
      assertThat(browser.findElement(By.id("latency-table")).getText()).contains("new").contains("old");
    } finally {
      browser.quit();
    }
  }
}
