package dev.burnguard.internal.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, item 2: the per-stage counts behind a rollout report survive a restart, and a reset starts them over. */
class StageCountsAcrossRestartTest {
  @Test
  void theCountsPerVariantPerStageAreKeptInTheStateDirectory(@TempDir Path dir) {
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofDays(1), 0))).build();
    ManualClock clock = new ManualClock();
    SliRecorder recorder = SliRecorder.builder().clock(clock).build();
    Guardian before = new Guardian(clock, recorder, d -> { }, gates -> { });
    before.persistEvidenceIn(dir);
    before.plans(Map.of("checkout", plan));
    for (int s = 0; s < 60; s++) {
      for (int i = 0; i < 10; i++) {
        recorder.record("checkout", "new", 1_000_000, i == 0 && s % 10 == 0 ? Outcome.ERROR : Outcome.SUCCESS);
      }
      for (int i = 0; i < 5; i++) {
        recorder.record("checkout", "old", 1_000_000, Outcome.SUCCESS);
      }
      clock.advance(Duration.ofSeconds(1));
      before.tick();
    }
    // six whole 10-second buckets: 600 candidate calls (one error each), 300 control calls
    List<StageCounts.Stage> expected = List.of(new StageCounts.Stage(0, 600, 6, 0, 300, 0, 0));
    assertThat(before.stageCounts("checkout")).isEqualTo(expected);
    assertThat(Files.exists(dir.resolve(StageCounts.NAME))).isTrue();

    // a new process: a new recorder (the windows are gone), the same directory and state
    Guardian after = new Guardian(clock, SliRecorder.builder().clock(clock).build(), d -> { }, gates -> { });
    after.persistEvidenceIn(dir);
    after.restore(before.states().values());
    after.plans(Map.of("checkout", plan));
    after.tick();
    assertThat(after.stageCounts("checkout")).isEqualTo(expected);
    assertThat(StageCounts.read(dir).of("checkout")).isEqualTo(expected);

    // a reset starts the rollout, and its counts, over
    after.reset("checkout", "person:alice");
    after.tick();
    assertThat(after.stageCounts("checkout")).isEmpty();
    assertThat(StageCounts.read(dir).of("checkout")).isEmpty();
  }
}
