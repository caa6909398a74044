package dev.burnguard.rollout;

import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.store.FileRolloutStore;

import static dev.burnguard.rollout.FaultyFiles.crashImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.store.StateSnapshot;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The file store when the disk fails: appends keep working in memory, the store says it is
 * unhealthy and why, and it writes everything once the disk works again. Failures are injected
 * through the store's file seam ({@link FaultyFiles}) because tests run as root in CI, where a
 * read-only directory does not stop writes; the one test with real permissions runs when not root.
 */
class FileRolloutStoreFailureTest {
  @TempDir Path tmp;

  private final FaultyFiles files = new FaultyFiles();
  private final ManualClock clock = new ManualClock();
  private final List<RolloutStore> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    files.freeDisk();
    files.failForce = false;
    files.failRename = false;
    open.forEach(RolloutStore::close);
  }

  private FileRolloutStore open(FileRolloutStore.Builder builder) throws IOException {
    FileRolloutStore store = builder.files(files).clock(clock).open();
    open.add(store);
    return store;
  }

  private FileRolloutStore open(Path dir) throws IOException {
    return open(FileRolloutStore.builder(dir));
  }

  private static List<String> journalLines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.getFileName().toString().startsWith("journal-")).sorted()
          .collect(Collectors.toList())) {
        lines.addAll(Files.readAllLines(p));
      }
    }
    return lines;
  }

  @Test
  void aFullDiskQueuesDecisionsInMemoryReportsUnhealthyAndRecovers() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    assertThat(store.append(TestDecisions.decision("a", 0))).isTrue();

    files.fillDisk();
    clock.advance(Duration.ofMinutes(1));
    assertThat(store.append(TestDecisions.decision("a", 1))).isFalse();
    StoreHealth unhealthy = store.health();
    assertThat(unhealthy.healthy()).isFalse();
    assertThat(unhealthy.lastError()).contains("cannot write the decision journal", "No space left on device");
    assertThat(unhealthy.unhealthySince()).isEqualTo(clock.now());
    assertThat(unhealthy.pendingDecisions()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(1));
    assertThat(store.append(TestDecisions.decision("b", 0))).isFalse();
    assertThat(store.health().pendingDecisions()).isEqualTo(2);
    assertThat(store.health().unhealthySince()).as("since the first failure").isEqualTo(unhealthy.unhealthySince());
    // the in-memory state is authoritative meanwhile
    assertThat(store.load().state("a")).contains(TestDecisions.state("a", 1));
    assertThat(store.load().state("b")).contains(TestDecisions.state("b", 0));
    assertThat(store.flush()).isFalse();
    assertThat(journalLines(dir)).hasSize(1);

    files.freeDisk();
    assertThat(store.append(TestDecisions.decision("a", 2))).isTrue();
    assertThat(store.health()).isEqualTo(StoreHealth.ok());
    assertThat(journalLines(dir)).hasSize(4);

    FileRolloutStore restarted = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(restarted.load()).isEqualTo(store.load());
    assertThat(restarted.load().recentDecisions("a")).containsExactly(TestDecisions.decision("a", 0),
        TestDecisions.decision("a", 1), TestDecisions.decision("a", 2));
  }

  /**
   * A journal segment that lost entries while the store could not write (shortened by something
   * else) is left for a new segment, and the state file is written before the journal resumes, so
   * a restart restores every state although the journal no longer starts at its first entry.
   */
  @Test
  void aSegmentShortenedWhileTheDiskFailedIsReplacedAfterTheStateFileIsWritten() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    assertThat(store.append(TestDecisions.decision("a", 0))).isTrue();
    assertThat(store.append(TestDecisions.decision("a", 1))).isTrue();
    Path firstSegment;
    try (Stream<Path> s = Files.list(dir)) {
      firstSegment = s.filter(f -> f.getFileName().toString().startsWith("journal-")).findFirst().orElseThrow();
    }

    files.fillDisk();
    assertThat(store.append(TestDecisions.decision("b", 0))).isFalse(); // the store closes its segment
    Files.write(firstSegment, new byte[0]); // both entries of "a" are gone from the disk
    files.freeDisk();
    assertThat(store.append(TestDecisions.decision("b", 1))).isTrue();
    assertThat(store.health()).isEqualTo(StoreHealth.ok());

    StateSnapshot snapshot = StateSnapshot.parse(Files.readAllBytes(dir.resolve(FileRolloutStore.STATE_FILE)));
    assertThat(snapshot.seq()).as("written as of the last append").isEqualTo(4);
    assertThat(snapshot.states()).containsExactly(TestDecisions.state("a", 1), TestDecisions.state("b", 1));
    assertThat(journalLines(dir)).as("the queued entries, in a new segment").hasSize(2);
    FileRolloutStore restarted = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(restarted.load().states()).isEqualTo(store.load().states());
  }

  /** Issue 11: the retry lives in the guardian's own tick, so a manually ticked guardian recovers. */
  @Test
  void aManuallyTickedGuardianRetriesTheStoreUntilItIsWritingAgain() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    dev.burnguard.internal.recorder.SliRecorder recorder = dev.burnguard.internal.recorder.SliRecorder.builder().clock(clock).build();
    Guardian guardian = new Guardian(clock, recorder, store, gates -> { }, Guardian.DEFAULT_REMOVED_RETENTION);
    guardian.plans(java.util.Map.of("checkout", RolloutPlan.builder("old", "new").build()));
    files.fillDisk();
    guardian.rollback("checkout", "person:alice");
    assertThat(store.health().healthy()).isFalse();
    assertThat(store.health().pendingDecisions()).isEqualTo(1);
    guardian.tick(); // still full: retried, still queued
    assertThat(store.health().pendingDecisions()).isEqualTo(1);
    assertThat(journalLines(dir)).hasSize(1);

    files.freeDisk();
    assertThat(guardian.tick()).isEmpty(); // no decision to make: the retry alone writes the queue
    assertThat(store.health()).isEqualTo(StoreHealth.ok());
    assertThat(journalLines(dir)).hasSize(2);
    assertThat(open(crashImage(dir, tmp.resolve("crash"))).load().state("checkout").orElseThrow().status())
        .isEqualTo(RolloutStatus.ROLLED_BACK);
  }

  /** Issue 11: the provider announces the store's health as OpenFeature events and in health(). */
  @Test
  void theProviderAnnouncesAnUnhealthyStoreAsStaleAndItsRecoveryAsReady() throws Exception {
    FileRolloutStore store = open(tmp.resolve("s"));
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(
        "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false, \"new\": true},"
            + " \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\"}}}}"))
        .clock(clock).guardianTicking(false).rolloutStore(store).build();
    dev.openfeature.sdk.OpenFeatureAPI api = dev.openfeature.sdk.OpenFeatureAPI.createIsolated();
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (dev.openfeature.sdk.ProviderEvent e : List.of(dev.openfeature.sdk.ProviderEvent.PROVIDER_STALE,
        dev.openfeature.sdk.ProviderEvent.PROVIDER_READY)) {
      api.on(e, d -> events.add(e + " " + (d.getEventMetadata() == null ? null
          : d.getEventMetadata().getBoolean(BurnguardProvider.STORE_HEALTHY_METADATA))));
    }
    try {
      api.setProviderAndWait(provider);
      await().until(() -> events.size() == 1);
      files.fillDisk();
      provider.rollouts().rollback("checkout", "person:alice");
      await().until(() -> events.size() == 2);
      assertThat(events.get(1)).isEqualTo("PROVIDER_STALE false");
      assertThat(api.getClient().getProviderState()).isEqualTo(dev.openfeature.sdk.ProviderState.STALE);
      assertThat(provider.health().store().healthy()).isFalse();
      assertThat(provider.health().store().lastError()).contains("No space left on device");
      assertThat(provider.health().safe()).isFalse();

      files.freeDisk();
      provider.rollouts().tick();
      assertThat(provider.health().store().healthy()).isTrue();
      await().until(() -> events.size() == 3);
      assertThat(events.get(2)).isEqualTo("PROVIDER_READY true");
      assertThat(api.getClient().getProviderState()).isEqualTo(dev.openfeature.sdk.ProviderState.READY);
      assertThat(provider.health().safe()).isTrue();
    } finally {
      api.shutdown();
    }
  }

  /** Issue 11: a forgotten state stays forgotten after a restart, even with its decisions still in the journal. */
  @Test
  void aForgottenStateIsNotRestored() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    store.append(TestDecisions.decision("a", 0));
    store.append(TestDecisions.decision("b", 0));
    assertThat(store.forget("a")).isTrue();
    assertThat(store.load().state("a")).isEmpty();
    FileRolloutStore restarted = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(restarted.load().states()).containsOnlyKeys("b");
  }

  @Test
  void flushWritesTheQueueWithoutANewDecision() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    files.fillDisk();
    assertThat(store.append(TestDecisions.decision("a", 0))).isFalse();
    files.freeDisk();
    assertThat(store.flush()).isTrue();
    assertThat(store.health()).isEqualTo(StoreHealth.ok());
    assertThat(StateSnapshot.parse(Files.readAllBytes(dir.resolve("state.json"))).states())
        .containsExactly(TestDecisions.state("a", 0));
    assertThat(open(crashImage(dir, tmp.resolve("crash"))).load()).isEqualTo(store.load());
  }

  /** Half a line on disk from the failed write must not end up in front of the retried one. */
  @Test
  void whatAFailedWriteLeftIsCutOffBeforeTheRetry() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    store.append(TestDecisions.decision("a", 0));
    long good = Files.size(dir.resolve("journal-0000000000000000001.jsonl"));
    files.writeHalfFirst = true;
    files.fillDisk();
    assertThat(store.append(TestDecisions.decision("a", 1))).isFalse();
    assertThat(Files.size(dir.resolve("journal-0000000000000000001.jsonl"))).isGreaterThan(good);

    FileRolloutStore crashedNow = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(crashedNow.load().state("a")).contains(TestDecisions.state("a", 0));
    assertThat(crashedNow.recovery().truncatedBytes()).isPositive();

    files.freeDisk();
    assertThat(store.append(TestDecisions.decision("a", 2))).isTrue();
    FileRolloutStore restarted = open(crashImage(dir, tmp.resolve("later")));
    assertThat(restarted.recovery().damagedLines()).isZero();
    assertThat(restarted.recovery().truncatedBytes()).isZero();
    assertThat(restarted.load().recentDecisions("a")).containsExactly(TestDecisions.decision("a", 0),
        TestDecisions.decision("a", 1), TestDecisions.decision("a", 2));
  }

  /**
   * After a failed fsync the kernel may have dropped the dirty pages and report the next fsync as
   * a success; the store therefore writes the lines again instead of only retrying the fsync.
   */
  @Test
  void aFailedForceIsRetriedByWritingTheLinesAgain() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    files.failForce = true;
    assertThat(store.append(TestDecisions.decision("a", 0))).isFalse();
    assertThat(store.health().lastError()).contains("fsync");
    files.failForce = false;
    assertThat(store.append(TestDecisions.decision("a", 1))).isTrue();
    assertThat(journalLines(dir)).hasSize(2); // each line once, not the first one twice
    assertThat(open(crashImage(dir, tmp.resolve("crash"))).load()).isEqualTo(store.load());
  }

  @Test
  void aFullQueueDropsTheOldestLinesButTheStatesStayExact() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(FileRolloutStore.builder(dir).maxPendingDecisions(3));
    store.append(TestDecisions.decision("a", 0));
    files.fillDisk();
    store.append(TestDecisions.decision("b", 0)); // b's only decision: dropped from the queue below
    for (int v = 1; v <= 4; v++) {
      assertThat(store.append(TestDecisions.decision("a", v))).isFalse();
    }
    assertThat(store.health().pendingDecisions()).isEqualTo(3);
    assertThat(store.health().droppedDecisions()).isEqualTo(2);

    files.freeDisk();
    assertThat(store.flush()).isTrue();
    assertThat(store.health().healthy()).isTrue();
    assertThat(store.health().droppedDecisions()).isEqualTo(2);

    FileRolloutStore restarted = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(restarted.load().states()).isEqualTo(store.load().states());
    assertThat(restarted.load().state("b")).contains(TestDecisions.state("b", 0));
    assertThat(restarted.load().recentDecisions("a")).containsExactly(TestDecisions.decision("a", 0),
        TestDecisions.decision("a", 2), TestDecisions.decision("a", 3), TestDecisions.decision("a", 4));
  }

  /** The state file is written before the journal resumes, so a crash right after still has b. */
  @Test
  void afterDropsACrashBeforeTheJournalResumesStillHasEveryState() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(FileRolloutStore.builder(dir).maxPendingDecisions(1));
    files.fillDisk();
    store.append(TestDecisions.decision("b", 0));
    store.append(TestDecisions.decision("a", 0));
    files.freeDisk();
    files.failForce = true; // the state file's force fails too: nothing is written yet
    assertThat(store.flush()).isFalse();
    files.failForce = false;
    files.failRename = false;
    assertThat(store.append(TestDecisions.decision("a", 1))).isTrue();
    FileRolloutStore restarted = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(restarted.load().states()).isEqualTo(store.load().states());
  }

  @Test
  void aStateFileThatCannotBeReplacedLeavesTheJournalDurableButReportsUnhealthy() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(FileRolloutStore.builder(dir).snapshotEvery(2));
    files.failRename = true;
    assertThat(store.append(TestDecisions.decision("a", 0))).isTrue();
    assertThat(store.append(TestDecisions.decision("a", 1))).isTrue(); // the journal has it...
    assertThat(store.health().healthy()).isFalse(); // ...but the state file could not be replaced
    assertThat(store.health().lastError()).contains("cannot write the state file", "rename");
    assertThat(store.health().pendingDecisions()).isZero();
    assertThat(dir.resolve("state.json")).doesNotExist();

    FileRolloutStore crashed = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(crashed.load().state("a")).contains(TestDecisions.state("a", 1));

    files.failRename = false;
    assertThat(store.append(TestDecisions.decision("a", 2))).isTrue();
    assertThat(store.health()).isEqualTo(StoreHealth.ok());
    assertThat(StateSnapshot.parse(Files.readAllBytes(dir.resolve("state.json"))).seq()).isEqualTo(3);
  }

  /** The documented limit: what was only queued in memory is lost by a crash. */
  @Test
  void aCrashWhileUnhealthyRestoresTheLastAcknowledgedState() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore store = open(dir);
    assertThat(store.append(TestDecisions.decision("a", 0))).isTrue();
    files.fillDisk();
    assertThat(store.append(TestDecisions.decision("a", 1))).isFalse();
    FileRolloutStore restarted = open(crashImage(dir, tmp.resolve("crash")));
    assertThat(restarted.load().state("a")).contains(TestDecisions.state("a", 0));
  }

  @Test
  void closingWhileTheDiskIsFullDoesNotThrow() throws IOException {
    FileRolloutStore store = open(tmp.resolve("s"));
    files.fillDisk();
    store.append(TestDecisions.decision("a", 0));
    store.close();
    assertThat(store.health().pendingDecisions()).isEqualTo(1);
    assertThat(store.flush()).isFalse();
  }

  @Test
  void aDirectoryThatCannotBeWrittenAtOpenIsReadAndReportedUnhealthy() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore first = open(dir);
    first.append(TestDecisions.decision("a", 0));
    first.close();

    files.fillDisk(); // even the lock file cannot be created
    FileRolloutStore store = open(dir);
    assertThat(store.load().state("a")).contains(TestDecisions.state("a", 0));
    assertThat(store.health().healthy()).isFalse();
    assertThat(store.append(TestDecisions.decision("a", 1))).isFalse();
    files.freeDisk();
    assertThat(store.append(TestDecisions.decision("a", 2))).isTrue();
    assertThat(store.health()).isEqualTo(StoreHealth.ok());
    assertThat(journalLines(dir)).hasSize(3);
  }

  /**
   * The provider over a store whose disk fills or turns read-only: a rollback made meanwhile is
   * served at once, the store says it is not on disk, and the guardian's ticks write it when the
   * disk works again — without a further decision — so a restart then keeps the flag rolled back.
   */
  @ParameterizedTest(name = "read-only: {0}")
  @ValueSource(booleans = {false, true})
  void theProviderServesDecisionsWhileTheDiskFailsAndItsTicksWriteThemWhenItWorksAgain(boolean readOnly)
      throws Exception {
    Path dir = tmp.resolve("s");
    String flags = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false},"
        + " \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\"}}}}";
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(flags)).clock(clock)
        .guardianTick(Duration.ofMillis(10)).rolloutStore(open(dir)).build();
    provider.initialize(new ImmutableContext());
    try {
      assertThat(provider.rolloutStore().health()).isEqualTo(StoreHealth.ok());
      if (readOnly) {
        files.makeReadOnly();
      } else {
        files.fillDisk();
      }
      provider.rollouts().rollback("checkout", "person:test");
      ProviderEvaluation<Boolean> served = provider.getBooleanEvaluation("checkout", true, new ImmutableContext("u"));
      assertThat(served.getReason()).isEqualTo(Guardian.ROLLED_BACK_REASON);
      assertThat(served.getValue()).isFalse();
      StoreHealth unhealthy = provider.rolloutStore().health();
      assertThat(unhealthy.healthy()).isFalse();
      assertThat(unhealthy.lastError()).contains(dir.toString(),
          readOnly ? "Read-only file system" : "No space left on device");
      assertThat(unhealthy.pendingDecisions()).isEqualTo(1);
      assertThat(open(crashImage(dir, tmp.resolve("crash-while-full"))).load().state("checkout").orElseThrow()
          .status()).as("what a crash now would restore").isEqualTo(RolloutStatus.RAMPING);

      files.freeDisk();
      await().atMost(Duration.ofSeconds(30)).until(() -> provider.rolloutStore().health().healthy());
      assertThat(open(crashImage(dir, tmp.resolve("crash-after"))).load().state("checkout"))
          .contains(provider.rollouts().state("checkout").orElseThrow());
    } finally {
      provider.shutdown();
    }
  }

  /**
   * The real thing, with permissions. Root (as in CI) ignores them, so this runs only where a
   * read-only directory actually refuses a new file.
   */
  @Test
  void aReadOnlyDirectoryWithRealPermissions() throws IOException {
    Path dir = tmp.resolve("s");
    FileRolloutStore first = FileRolloutStore.open(dir);
    first.append(TestDecisions.decision("a", 0));
    first.close();
    Files.delete(dir.resolve(FileRolloutStore.LOCK_FILE));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeThat(refusesNewFiles(dir)).as("permissions are enforced for this user").isTrue();
      FileRolloutStore store = FileRolloutStore.open(dir);
      open.add(store);
      assertThat(store.load().state("a")).contains(TestDecisions.state("a", 0));
      assertThat(store.health().healthy()).isFalse();
      assertThat(store.append(TestDecisions.decision("a", 1))).isFalse();
      assertThat(store.health().lastError()).contains("AccessDeniedException");
      assertThat(store.load().state("a")).contains(TestDecisions.state("a", 1));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      assertThat(store.append(TestDecisions.decision("a", 2))).isTrue();
      assertThat(store.health()).isEqualTo(StoreHealth.ok());
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(journalLines(dir)).hasSize(3);
  }

  private static boolean refusesNewFiles(Path dir) {
    try {
      Files.delete(Files.createFile(dir.resolve("probe")));
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
