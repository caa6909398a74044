package dev.burnguard.internal.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, item 2: the per-stage counts behind a rollout report survive a restart, and a reset starts them over. */
class StageCountsAcrossRestartTest {
  @Test
  void theCountsPerVariantPerStageAreKeptInTheStateDirectory(@TempDir Path dir) {
    GuardianRestartFixture traffic = new GuardianRestartFixture(dir, 5);
    Guardian before = traffic.before;
    // six whole 10-second buckets: 600 candidate calls (one error each), 300 control calls
    List<StageCounts.Stage> expected = List.of(new StageCounts.Stage(0, 600, 6, 0, 300, 0, 0));
    assertThat(before.stageCounts("checkout")).isEqualTo(expected);
    assertThat(Files.exists(dir.resolve(StageCounts.NAME))).isTrue();

    // a new process: a new recorder (the windows are gone), the same directory and state
    Guardian after = traffic.restart(traffic.plan);
    assertThat(after.stageCounts("checkout")).isEqualTo(expected);
    assertThat(StageCounts.read(dir).of("checkout")).isEqualTo(expected);

    // a reset starts the rollout, and its counts, over
    after.reset("checkout", "person:alice");
    after.tick();
    assertThat(after.stageCounts("checkout")).isEmpty();
    assertThat(StageCounts.read(dir).of("checkout")).isEmpty();
  }

  @Test
  void aFleetKeepsTheStageCountsInTheEvidenceTextWrittenOncePerBatch() {
    // a fleet replica keeps its evidence in Redis and may have no state directory: the stage counts
    // go in the same text (before, writing them to the null directory threw every tick, so the
    // evidence was rewritten every tick and the counts were lost at a restart)
    java.util.List<String> written = new java.util.ArrayList<>();
    GuardianRestartFixture traffic = new GuardianRestartFixture(null, 5, g -> g.persistEvidenceWith(() -> null,
        written::add));
    List<StageCounts.Stage> expected = List.of(new StageCounts.Stage(0, 600, 6, 0, 300, 0, 0));
    assertThat(traffic.before.stageCounts("checkout")).isEqualTo(expected);
    // 60 ticks, one a second, read six whole 10-second batches (and the first tick's empty start)
    assertThat(written).hasSizeBetween(6, 7);
    String kept = written.get(written.size() - 1);
    assertThat(kept).contains("Y2hlY2tvdXQ=\t0\t600,6,0,300,0,0\n"); // Base64 "checkout", stage 0

    Guardian after = new Guardian(traffic.clock, dev.burnguard.internal.recorder.SliRecorder.builder()
        .clock(traffic.clock).build(), d -> { }, gates -> { });
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    after.persistEvidenceWith(() -> {
      reads.incrementAndGet();
      return kept;
    }, text -> { });
    assertThat(after.stageCounts("checkout")).isEqualTo(expected);
    assertThat(reads).as("the kept text is read once at start (one GET from Redis), not once per record kind")
        .hasValue(1);
    // a text that cannot be read starts the tests and the counts afresh instead of failing the start
    Guardian unreadable = new Guardian(traffic.clock, dev.burnguard.internal.recorder.SliRecorder.builder()
        .clock(traffic.clock).build(), d -> { }, gates -> { });
    unreadable.persistEvidenceWith(() -> {
      throw new IllegalStateException("Redis is down");
    }, text -> { });
    assertThat(unreadable.stageCounts("checkout")).isEmpty();
  }
  @Test
  void aReplicaThatCannotReadTheKeptTextAtStartAsksEachTickAndNeverWritesOverIt() {
    // the fleet's kept text, as a decider left it: stage 0 with 600 candidate calls
    java.util.List<String> keptBefore = new java.util.ArrayList<>();
    new GuardianRestartFixture(null, 5, g -> g.persistEvidenceWith(() -> null, keptBefore::add));
    String kept = keptBefore.get(keptBefore.size() - 1);
    assertThat(kept).contains("Y2hlY2tvdXQ=\t0\t600,6,0,300,0,0\n");

    // a new replica while Redis does not answer: the read at start and at the next 29 ticks fail
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<Integer> writtenAfterRead = new java.util.ArrayList<>();
    GuardianRestartFixture replica = new GuardianRestartFixture(null, 5, g -> g.persistEvidenceWith(() -> {
      if (reads.incrementAndGet() <= 30) {
        throw new IllegalStateException("Redis does not answer");
      }
      return kept;
    }, text -> writtenAfterRead.add(reads.get())));
    // asked at start and at each tick until it could be read (the 31st time), then never again
    assertThat(reads).hasValue(31);
    // nothing was written over the kept text before it was read
    assertThat(writtenAfterRead).isNotEmpty().allMatch(n -> n == 31);
    // the kept counts go on: its 600 candidate calls and more, not this replica's own from zero
    // the kept counts go on: its 600 candidate calls plus whole 10-second buckets of 100 read after
    // the 30th second (at most the four that end at 30, 40, 50 and 60 s), not this replica's own
    // 600 from zero; what it counted before it could read the kept text is left out
    List<StageCounts.Stage> after = replica.before.stageCounts("checkout");
    assertThat(after).hasSize(1);
    assertThat(after.get(0).candidateCalls()).isBetween(700L, 1000L);
    assertThat(after.get(0).candidateCalls() % 100).isZero();
  }
}
