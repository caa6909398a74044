package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.ManualClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --demo} on a manual clock: 100 checkouts a second from 1,000 users, the guardian ticking
 * and the dashboard sampling once a simulated second, exactly as the running app does.
 */
class DemoScenarioTest {
  @TempDir Path dir;

  private static SampleService demo(Path dir, ManualClock clock) throws Exception {
    return SampleService.start(new SampleService.Settings(dir, InetAddress.getLoopbackAddress(), 0, java.util.List.of(), 0, 1000, true,
        "demo-test-token-0123456789", clock, false));
  }

  /** Runs one simulated second of the app: traffic in 100 ms slices, a guardian tick, a dashboard sample. */
  private static void second(SampleService app, ManualClock clock) {
    for (int slice = 0; slice < 10; slice++) {
      clock.advance(Duration.ofMillis(100));
      for (int i = 0; i < 10; i++) {
        app.traffic.sendOne();
      }
    }
    app.provider.rollouts().tick();
    app.everySecond();
  }

  @Test
  void theFaultAtTheQuarterStageIsRolledBackWithinAMinute() throws Exception {
    ManualClock clock = new ManualClock();
    Instant start = clock.now();
    List<Decision> decisions = new CopyOnWriteArrayList<>();
    Instant faultAt = null;
    try (SampleService app = demo(dir, clock)) {
      app.provider.rollouts().onDecision(decisions::add);
      for (int s = 0; s < 120 && app.provider.rollouts().state(Checkout.FLAG).orElseThrow().status()
          != RolloutStatus.ROLLED_BACK; s++) {
        second(app, clock);
        if (faultAt == null && app.faults.current().errorRate() > 0) {
          faultAt = clock.now();
        }
      }
      RolloutState end = app.provider.rollouts().state(Checkout.FLAG).orElseThrow();
      assertThat(end.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
      assertThat(end.exposure()).isZero();
      assertThat(app.faults.current()).isEqualTo(DemoScenario.FAULT);

      assertThat(decisions).extracting(Decision::action)
          .containsExactly(DecisionAction.ADVANCE, DecisionAction.ROLLBACK);
      assertThat(decisions.get(0).after().exposure()).isEqualTo(0.25);
      Decision rollback = decisions.get(1);
      assertThat(rollback.reason()).contains("1m/10s").contains("availability");
      assertThat(rollback.evidence()).anySatisfy(c -> assertThat(c.fires()).isTrue());
      assertThat(faultAt).isNotNull();
      assertThat(Duration.between(start, faultAt)).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(25));
      assertThat(Duration.between(faultAt, rollback.at())).isLessThanOrEqualTo(Duration.ofSeconds(20));
      assertThat(Duration.between(start, rollback.at())).isLessThanOrEqualTo(Duration.ofSeconds(60));

      assertThat(app.dashboard.stateJson(0)).contains("\"action\":\"ROLLBACK\"").contains("\"fires\":true")
          .contains("\"status\":\"ROLLED_BACK\"").contains("\"exposure\":0.25");
    }
  }

  @Test
  void aRestartedDemoStartsOverInsteadOfStayingRolledBack() throws Exception {
    ManualClock clock = new ManualClock();
    try (SampleService app = demo(dir, clock)) {
      app.provider.rollouts().rollback(Checkout.FLAG, "person:test");
    }
    try (SampleService app = demo(dir, clock)) {
      RolloutState s = app.provider.rollouts().state(Checkout.FLAG).orElseThrow();
      assertThat(s.status()).isEqualTo(RolloutStatus.RAMPING);
      assertThat(s.stage()).isZero();
      assertThat(app.faults.current()).isEqualTo(Faults.Fault.NONE);
    }
  }
}
