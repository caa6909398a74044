package dev.burnguard.rollout;

import dev.burnguard.internal.store.InMemoryRolloutStore;

import dev.burnguard.internal.store.FileRolloutStore;

import static dev.burnguard.rollout.FaultyFiles.crashImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.internal.store.JournalEntry;
import dev.burnguard.internal.store.StateSnapshot;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import dev.burnguard.testing.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store on a healthy disk: what survives a restart or a crash, torn writes, compaction. */
class FileRolloutStoreTest {
  @TempDir Path tmp;

  private final List<RolloutStore> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(RolloutStore::close);
  }

  private Path dir(String name) {
    return tmp.resolve(name);
  }

  private FileRolloutStore open(FileRolloutStore.Builder builder) throws IOException {
    FileRolloutStore store = builder.open();
    open.add(store);
    return store;
  }

  private FileRolloutStore open(Path dir) throws IOException {
    return open(FileRolloutStore.builder(dir));
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().collect(Collectors.toList());
    }
  }

  private static StateSnapshot stateFile(Path dir) throws IOException {
    return StateSnapshot.parse(Files.readAllBytes(dir.resolve(FileRolloutStore.STATE_FILE)));
  }

  /** Appends versions {@code from..to} of each flag, interleaved. */
  private static void appendVersions(RolloutStore store, List<String> flags, int from, int to) {
    for (int v = from; v <= to; v++) {
      for (String flag : flags) {
        assertThat(store.append(TestDecisions.decision(flag, v))).isTrue();
      }
    }
  }

  @Test
  void aRestartRestoresEveryStateAndDecision() throws IOException {
    FileRolloutStore store = open(dir("s"));
    assertThat(store.load()).isEqualTo(StoredRollouts.empty());
    appendVersions(store, List.of("a", "b", "c"), 0, 19);
    StoredRollouts before = store.load();
    store.close();

    FileRolloutStore reopened = open(dir("s"));
    assertThat(reopened.load()).isEqualTo(before);
    assertThat(reopened.load().state("b")).contains(TestDecisions.state("b", 19));
    assertThat(reopened.load().recentDecisions("b")).hasSize(20).last().isEqualTo(TestDecisions.decision("b", 19));
    assertThat(reopened.recovery().snapshotSeq()).isEqualTo(60); // close wrote the state file...
    assertThat(reopened.recovery().entriesReplayed()).isZero(); // ...so nothing needed replaying
    assertThat(reopened.health()).isEqualTo(StoreHealth.ok());
  }

  @Test
  void aCrashBetweenJournalAndStateFileLosesNothing() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).snapshotEvery(1_000_000));
    appendVersions(store, List.of("a", "b"), 0, 9);
    assertThat(store.flush()).isTrue();
    assertThat(stateFile(dir("s")).seq()).isEqualTo(20);
    appendVersions(store, List.of("a", "b"), 10, 14);
    StoredRollouts acknowledged = store.load();

    FileRolloutStore restarted = open(crashImage(dir("s"), dir("crash")));
    assertThat(restarted.load()).isEqualTo(acknowledged);
    assertThat(restarted.recovery()).isEqualTo(new FileRolloutStore.Recovery(true, false, 20, 1, 30, 10, 0, 0));
  }

  @Test
  void aCrashBeforeAnyStateFileReplaysTheWholeJournal() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).snapshotEvery(1_000_000));
    appendVersions(store, List.of("a"), 0, 4);
    assertThat(dir("s").resolve(FileRolloutStore.STATE_FILE)).doesNotExist();

    FileRolloutStore restarted = open(crashImage(dir("s"), dir("crash")));
    assertThat(restarted.load()).isEqualTo(store.load());
    assertThat(restarted.recovery().snapshotRead()).isFalse();
    assertThat(restarted.recovery().entriesReplayed()).isEqualTo(5);
  }

  /** A new rollout restarts versions at 0: replay must go by the journal's order, not by versions. */
  @Test
  void aNewRolloutAfterTheStateFileIsReplayedThoughItsVersionIsLower() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).snapshotEvery(1_000_000));
    appendVersions(store, List.of("a"), 0, 5);
    store.flush();
    RolloutState fresh = new RolloutState("a", "a new plan", RolloutStatus.RAMPING, 0, 0.01, 0,
        Instant.parse("2026-04-01T00:00:00Z"), null, null, 0);
    store.append(new Decision("a", fresh.stageStartedAt(), DecisionAction.START, Decision.GUARDIAN, true,
        "the plan changed", List.of(), TestDecisions.state("a", 5), fresh));

    FileRolloutStore restarted = open(crashImage(dir("s"), dir("crash")));
    assertThat(restarted.load().state("a")).contains(fresh);
  }

  /**
   * A crash can cut the last line anywhere (or leave it whole but without its newline): opening
   * keeps every earlier decision, cuts the file back to them, and appends after them. Every cut in
   * the first and last 64 bytes of the line (its framing and checksum), every 7th in between; each
   * open forces the truncation, so all ~2,000 would take tens of seconds.
   */
  @Test
  void aTornLastLineIsCutOffWhereverItWasTorn() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).snapshotEvery(1_000_000));
    appendVersions(store, List.of("a"), 0, 2);
    Path base = crashImage(dir("s"), dir("base"));
    Path segment = segments(base).get(0);
    long goodLength = Files.size(segment);
    byte[] torn = new JournalEntry(4, TestDecisions.decision("a", 3)).toLine();

    for (int cut = 1; cut < torn.length; cut += cut < 64 || cut >= torn.length - 64 ? 1 : 7) {
      Path image = crashImage(base, dir("cut" + cut));
      Files.write(image.resolve(segment.getFileName()), Arrays.copyOf(torn, cut), StandardOpenOption.APPEND);
      FileRolloutStore restarted = FileRolloutStore.open(image);
      try {
        assertThat(restarted.load().state("a")).as("cut at %d", cut).contains(TestDecisions.state("a", 2));
        assertThat(restarted.recovery().truncatedBytes()).as("cut at %d", cut).isEqualTo(cut);
        assertThat(Files.size(image.resolve(segment.getFileName()))).as("cut at %d", cut).isEqualTo(goodLength);
        if (cut % 50 == 1 || cut == torn.length - 1) {
          assertThat(restarted.append(TestDecisions.decision("a", 3))).isTrue();
          restarted.close();
          FileRolloutStore again = FileRolloutStore.open(image);
          assertThat(again.load().recentDecisions("a")).as("cut at %d", cut).containsExactly(
              TestDecisions.decision("a", 0), TestDecisions.decision("a", 1), TestDecisions.decision("a", 2),
              TestDecisions.decision("a", 3));
          assertThat(again.recovery().truncatedBytes()).isZero();
          again.close();
        }
      } finally {
        restarted.close();
      }
    }
  }

  @Test
  void aDamagedLineBeforeGoodOnesIsSkippedAndTheRestKept() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).snapshotEvery(1_000_000));
    appendVersions(store, List.of("a"), 0, 4);
    Path image = crashImage(dir("s"), dir("crash"));
    Path segment = segments(image).get(0);
    byte[] bytes = Files.readAllBytes(segment);
    int secondLine = indexOf(bytes, '\n', 0) + 1;
    bytes[secondLine + 40] ^= 0x20; // bit rot in decision 1
    Files.write(segment, bytes);

    FileRolloutStore restarted = open(image);
    assertThat(restarted.load().state("a")).contains(TestDecisions.state("a", 4));
    assertThat(restarted.load().recentDecisions("a")).containsExactly(TestDecisions.decision("a", 0),
        TestDecisions.decision("a", 2), TestDecisions.decision("a", 3), TestDecisions.decision("a", 4));
    assertThat(restarted.recovery().damagedLines()).isEqualTo(1);
    assertThat(restarted.recovery().truncatedBytes()).isZero();
    assertThat(Files.readAllBytes(segment)).isEqualTo(bytes); // damage in the middle is not cut off
  }

  private static int indexOf(byte[] bytes, char c, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == c) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aDamagedStateFileFallsBackToTheJournalAndIsRewritten() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).snapshotEvery(1_000_000));
    appendVersions(store, List.of("a", "b"), 0, 6);
    store.flush();
    appendVersions(store, List.of("a"), 7, 8);
    Path image = crashImage(dir("s"), dir("crash"));
    Path stateFile = image.resolve(FileRolloutStore.STATE_FILE);
    byte[] damaged = Files.readAllBytes(stateFile);
    damaged[damaged.length / 3] ^= 1;
    Files.write(stateFile, damaged);

    FileRolloutStore restarted = open(image);
    assertThat(restarted.load()).isEqualTo(store.load());
    assertThat(restarted.recovery().snapshotDamaged()).isTrue();
    assertThat(restarted.recovery().entriesReplayed()).isEqualTo(16);
    assertThat(stateFile(image).states()).containsExactly(TestDecisions.state("a", 8), TestDecisions.state("b", 6));
  }

  @Test
  void aDamagedStateFileAfterCompactionRefusesToOpenRatherThanRestartRollouts() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).maxSegmentBytes(4 * 1024).archivedSegments(0));
    appendVersions(store, List.of("a", "b"), 0, 9);
    Path image = crashImage(dir("s"), dir("crash"));
    Files.writeString(image.resolve(FileRolloutStore.STATE_FILE), "{\"format\":1,\"seq\":");
    assertThatThrownBy(() -> FileRolloutStore.open(image)).isInstanceOf(IOException.class)
        .hasMessageContaining("the state file is damaged and the journal no longer holds every rollout's history");
    Files.delete(image.resolve(FileRolloutStore.STATE_FILE));
    assertThatThrownBy(() -> FileRolloutStore.open(image)).hasMessageContaining("the state file is missing");
  }

  @Test
  void aLeftoverTemporaryStateFileIsIgnoredAndRemoved() throws IOException {
    FileRolloutStore store = open(dir("s"));
    appendVersions(store, List.of("a"), 0, 1);
    store.close();
    Files.writeString(dir("s").resolve(FileRolloutStore.STATE_TEMP_FILE), "{\"format\":1,\"seq\":99,\"sta");

    FileRolloutStore restarted = open(dir("s"));
    assertThat(restarted.load().state("a")).contains(TestDecisions.state("a", 1));
    assertThat(dir("s").resolve(FileRolloutStore.STATE_TEMP_FILE)).doesNotExist();
  }

  @Test
  void theStateFileIsRewrittenEveryNAppendsAndOnFlush() throws IOException {
    ManualClock clock = new ManualClock(Instant.parse("2026-05-05T05:05:05Z"));
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).snapshotEvery(5).clock(clock));
    appendVersions(store, List.of("a"), 0, 11);
    assertThat(stateFile(dir("s")).seq()).isEqualTo(10);
    assertThat(stateFile(dir("s")).states()).containsExactly(TestDecisions.state("a", 9));
    assertThat(stateFile(dir("s")).savedAt()).isEqualTo(clock.now());
    assertThat(store.flush()).isTrue();
    assertThat(stateFile(dir("s")).seq()).isEqualTo(12);
    assertThat(stateFile(dir("s")).states()).containsExactly(TestDecisions.state("a", 11));
  }

  @Test
  void compactionBoundsTheJournalAndKeepsTheNewestSegmentsForTheDecisionLog() throws IOException {
    int lineBytes = new JournalEntry(1, TestDecisions.decision("a", 3)).toLine().length; // among the shortest
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).maxSegmentBytes(8 * 1024).archivedSegments(2)
        .snapshotEvery(1_000_000).recentDecisionsPerFlag(1_000));
    List<String> flags = List.of("a", "b", "c", "d");
    int maxSegments = 0;
    for (int v = 0; v < 40; v++) {
      appendVersions(store, flags, v, v);
      maxSegments = Math.max(maxSegments, segments(dir("s")).size());
    }
    assertThat(maxSegments).isEqualTo(3); // the current one and two archived
    List<Path> kept = segments(dir("s"));
    long keptEntries = 0;
    for (Path p : kept) {
      keptEntries += Files.readAllLines(p).size();
    }
    assertThat(keptEntries).isLessThan(160);

    FileRolloutStore restarted = open(crashImage(dir("s"), dir("crash")));
    assertThat(restarted.load().states()).isEqualTo(store.load().states());
    assertThat(restarted.recovery().entriesRead()).isEqualTo(keptEntries);
    assertThat(restarted.recovery().entriesReplayed()).isLessThanOrEqualTo(8 * 1024 / lineBytes + 1);
    for (String flag : flags) {
      List<Decision> recent = restarted.load().recentDecisions(flag);
      assertThat(recent).isNotEmpty().last().isEqualTo(TestDecisions.decision(flag, 39));
      InMemoryRolloutStoreTest.checkConsistent(restarted.load(), flag);
    }
    int logged = restarted.load().recentDecisions().values().stream().mapToInt(List::size).sum();
    assertThat((long) logged).isEqualTo(keptEntries);
  }

  @Test
  void withoutArchivedSegmentsCompactionKeepsOnlyTheCurrentOne() throws IOException {
    FileRolloutStore store = open(FileRolloutStore.builder(dir("s")).maxSegmentBytes(4 * 1024).archivedSegments(0));
    for (int v = 0; v < 40; v++) {
      store.append(TestDecisions.decision("a", v));
      assertThat(segments(dir("s")).size()).isEqualTo(1);
    }
    FileRolloutStore restarted = open(crashImage(dir("s"), dir("crash")));
    assertThat(restarted.load().state("a")).contains(TestDecisions.state("a", 39));
  }

  @Test
  void aSecondStoreOnTheSameDirectoryIsRefused() throws IOException {
    FileRolloutStore first = open(dir("s"));
    assertThatThrownBy(() -> FileRolloutStore.open(dir("s"))).isInstanceOf(IOException.class)
        .hasMessageEndingWith("is already open in this JVM");
    first.close();
    assertThat(open(dir("s")).health()).isEqualTo(StoreHealth.ok());
  }

  @Test
  void appendingAfterCloseThrowsButReadingStillWorks() throws IOException {
    FileRolloutStore store = open(dir("s"));
    store.append(TestDecisions.decision("a", 0));
    store.close();
    assertThatThrownBy(() -> store.append(TestDecisions.decision("a", 1))).isInstanceOf(IllegalStateException.class);
    assertThat(store.load().state("a")).contains(TestDecisions.state("a", 0));
  }

  @Test
  void anUnreadableJournalRefusesToOpenRatherThanStartFromNothing() throws IOException {
    Path unreadable = Files.createDirectories(dir("s").resolve("journal-0000000000000000001.jsonl"));
    assertThatThrownBy(() -> FileRolloutStore.open(dir("s"))).isInstanceOf(IOException.class);
    Files.delete(unreadable);
    assertThat(open(dir("s")).health()).isEqualTo(StoreHealth.ok()); // the failed open released the lock
  }

  /** Random histories with random restarts and crashes, against the in-memory store as the model. */
  @Test
  void randomHistoriesSurviveRestartsAndCrashes() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    InMemoryRolloutStore model = new InMemoryRolloutStore(10_000);
    Path current = dir("r0");
    FileRolloutStore store = FileRolloutStore.builder(current).snapshotEvery(1 + r.nextInt(20))
        .recentDecisionsPerFlag(10_000).open();
    try {
      for (int step = 1; step <= 300; step++) {
        String flag = "flag-" + r.nextInt(6);
        Decision d = TestDecisions.next(flag, model.load().state(flag).orElse(null));
        assertThat(store.append(d)).isTrue();
        model.append(d);
        int event = r.nextInt(40);
        if (event == 0) {
          store.close();
          store = FileRolloutStore.builder(current).recentDecisionsPerFlag(10_000).open();
        } else if (event == 1) {
          store.close();
          current = crashImage(current, dir("r" + step));
          store = FileRolloutStore.builder(current).snapshotEvery(1 + r.nextInt(20)).recentDecisionsPerFlag(10_000)
              .open();
        } else if (event == 2) {
          Path image = crashImage(current, dir("r" + step));
          store.close(); // the image was taken before close: a crash
          current = image;
          store = FileRolloutStore.builder(current).recentDecisionsPerFlag(10_000).open();
        } else if (event == 3) {
          store.flush();
        }
        assertThat(store.load()).as("seed %d, step %d", seed, step).isEqualTo(model.load());
      }
    } finally {
      store.close();
    }
  }

  @Test
  void theFilesAreReadableJsonLines() throws IOException {
    FileRolloutStore store = open(dir("s"));
    appendVersions(store, List.of("a"), 0, 1);
    store.close();
    List<String> lines = Files.readAllLines(segments(dir("s")).get(0), StandardCharsets.US_ASCII);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("{\"seq\":1,\"decision\":{\"flagKey\":\"a\",").matches(".*,\"crc32c\":\"[0-9a-f]{8}\"}");
    assertThat(segments(dir("s")).get(0).getFileName().toString()).isEqualTo("journal-0000000000000000001.jsonl");
    assertThat(Files.readString(dir("s").resolve("state.json"))).startsWith("{\"format\":1,\"seq\":2,");
  }
}
