package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sample-ratio test compares what this process's gates served with the windows the guardian
 * judges on. In a fleet ({@link Guardian#coordinate}) those windows sum every replica's outcomes
 * while the gates count this replica's evaluations, so the test is off there: the same traffic,
 * losing a third of the candidate's outcomes, is held by a lone guardian and not by a fleet's.
 */
class SampleRatioFleetTest {
  private static final String FLAG = "checkout";

  /** Ten minutes of 20 evaluations a second through the gate, recording only two thirds of the candidate's. */
  private static List<Decision> run(boolean fleet) {
    ManualClock clock = new ManualClock();
    SliRecorder recorder = SliRecorder.builder().clock(clock).build();
    List<Decision> published = new ArrayList<>();
    Guardian guardian = new Guardian(clock, recorder, d -> { }, gates -> { });
    guardian.addListener(published::add);
    if (fleet) {
      guardian.coordinate(() -> { }, () -> true);
    }
    guardian.plans(Map.of(FLAG, RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(50, Duration.ofDays(1), 0), new Stage(100, Duration.ofHours(1), 0))).build()));
    int user = 0;
    for (int second = 0; second < 600; second++) {
      ExposureGate gate = guardian.gates().get(FLAG);
      for (int i = 0; i < 20; i++) {
        String key = "user-" + user++;
        if (gate.admit(key)) {
          if (user % 3 != 0) {
            recorder.record(FLAG, "new", 1_000_000, Outcome.SUCCESS);
          }
        } else {
          recorder.record(FLAG, "old", 1_000_000, Outcome.SUCCESS);
        }
      }
      clock.advance(Duration.ofSeconds(1));
      guardian.tick();
    }
    return published;
  }

  @Test
  void aLoneGuardianHoldsAFleetsDoesNotJudgeTheSampleRatio() {
    assertThat(run(false)).anyMatch(d -> d.reason().startsWith("sample ratio mismatch")
        && d.reason().contains("(the candidate's outcomes go missing)"));
    assertThat(run(true)).noneMatch(d -> d.reason().startsWith("sample ratio mismatch"));
  }
}
