package dev.burnguard.internal.guardian;

import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A guardian that judged 60 s of traffic on flag {@value #FLAG}'s rollout (one 100 % stage of a
 * day) while keeping its evidence in a directory, and guardians started again on that directory as
 * a new process would: a new recorder (the windows are gone), the same directory and states. For
 * the tests of what survives a restart.
 */
final class GuardianRestartFixture {
  static final String FLAG = "checkout";

  final ManualClock clock = new ManualClock();
  final Path dir;
  final RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofDays(1), 0))).build();
  /** The guardian before the restart, after the traffic. */
  final Guardian before;

  /**
   * Runs the traffic: each second 10 candidate calls (one failing every 10 s) and {@code
   * controlCallsPerSecond} successful control calls, then a tick.
   */
  GuardianRestartFixture(Path dir, int controlCallsPerSecond) {
    this(dir, controlCallsPerSecond, g -> g.persistEvidenceIn(dir));
  }

  /**
   * As {@link #GuardianRestartFixture(Path, int)}, with the evidence kept as {@code keepEvidence}
   * sets it up (e.g. a fleet's {@link Guardian#persistEvidenceWith}); {@code dir} may then be null.
   */
  GuardianRestartFixture(Path dir, int controlCallsPerSecond, java.util.function.Consumer<Guardian> keepEvidence) {
    this.dir = dir;
    SliRecorder recorder = SliRecorder.builder().clock(clock).build();
    before = new Guardian(clock, recorder, d -> { }, gates -> { });
    keepEvidence.accept(before);
    before.plans(Map.of(FLAG, plan));
    for (int s = 0; s < 60; s++) {
      for (int i = 0; i < 10; i++) {
        recorder.record(FLAG, "new", 1_000_000, i == 0 && s % 10 == 0 ? Outcome.ERROR : Outcome.SUCCESS);
      }
      for (int i = 0; i < controlCallsPerSecond; i++) {
        recorder.record(FLAG, "old", 1_000_000, Outcome.SUCCESS);
      }
      clock.advance(Duration.ofSeconds(1));
      before.tick();
    }
  }

  /** A guardian started again on the directory with {@code plan} in force, after its first tick. */
  Guardian restart(RolloutPlan plan) {
    Guardian after = new Guardian(clock, SliRecorder.builder().clock(clock).build(), d -> { }, gates -> { });
    after.persistEvidenceIn(dir);
    after.restore(before.states().values());
    after.plans(Map.of(FLAG, plan));
    after.tick();
    return after;
  }
}
