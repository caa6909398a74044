package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.internal.store.FileRolloutStore;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16: tools read a state directory a running service holds, without its lock and without writing. */
class FileRolloutStoreReadOnlyTest {
  @TempDir Path dir;

  private static Map<String, Long> sizes(Path dir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        out.put(p.getFileName().toString(), Files.size(p) * 31 + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }

  @Test
  void readsWhatTheHolderWroteWritesNothingAndRefusesAppends() throws Exception {
    RolloutPlan plan = RolloutPlan.builder("old", "new").build();
    Instant t = Instant.parse("2026-12-05T10:00:00Z");
    RolloutState s0 = RolloutState.start("a", plan, t);
    try (FileRolloutStore holder = FileRolloutStore.open(dir)) {
      holder.append(new Decision("a", t, DecisionAction.START, Decision.GUARDIAN, true, "started", List.of(), null, s0));
      assertThat(FileRolloutStore.lockHolder(dir)).contains("pid " + ProcessHandle.current().pid());
      assertThatThrownBy(() -> FileRolloutStore.open(dir)).isInstanceOf(FileRolloutStore.DirectoryInUseException.class);

      Map<String, Long> before = sizes(dir);
      FileRolloutStore reader = FileRolloutStore.builder(dir).readOnly().open();
      assertThat(reader.load().state("a")).contains(s0);
      assertThat(reader.decisions("a", 10)).extracting(Decision::action).containsExactly(DecisionAction.START);
      RolloutState s1 = s0.with(RolloutStatus.PAUSED, 0, s0.exposure(), 0, t, null, RolloutStatus.RAMPING);
      assertThatThrownBy(() -> reader.append(new Decision("a", t, DecisionAction.PAUSE, "person:x", true, "x", List.of(),
          s0, s1))).isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
      assertThatThrownBy(() -> reader.forget("a")).isInstanceOf(IllegalStateException.class);
      reader.close();
      assertThat(sizes(dir)).isEqualTo(before);

      // the holder keeps writing: a reader opened later sees it
      holder.append(new Decision("a", t, DecisionAction.PAUSE, "person:x", true, "x", List.of(), s0, s1));
      try (FileRolloutStore later = FileRolloutStore.builder(dir).readOnly().open()) {
        assertThat(later.load().state("a")).contains(s1);
      }
    }
    assertThatThrownBy(() -> FileRolloutStore.builder(dir.resolve("missing")).readOnly().open())
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
    assertThat(Files.exists(dir.resolve("missing"))).isFalse();
  }
}
