package dev.burnguard.internal.guardian;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Calls, errors and slow calls per variant (candidate, control) per stage of each rollout, since it
 * started or was reset: what an incident report's "per stage" table and its user-impact and
 * error-budget figures are computed from. Fed with exactly the recorder buckets the sequential
 * evidence reads (whole 10-second buckets, each once, while the rollout is guarded), each bucket
 * counted at the stage the rollout is in when the guardian reads it (so a bucket read just after a
 * stage change, at most 10 seconds of calls, counts at the new stage).
 *
 * <p>Kept beside the rollout state in the state directory ({@value #NAME}), replaced whole with the
 * evidence file, or, for a fleet (no state directory), in the same text as the evidence: one line per flag and stage, tab-separated — Base64 flag key, stage index, then six
 * comma-separated counts (candidate calls, errors, slow; control calls, errors, slow). A few dozen
 * bytes per stage. Not fsynced, like the evidence: a crash loses at most the latest batches. A file
 * that cannot be read is ignored.
 *
 * <p>Not thread-safe: the guardian calls it under its lock; {@link #read} is for tools.
 */
public final class StageCounts {
  /** The file's name in the state directory. */
  public static final String NAME = "stages.tsv";

  /** Indexes into a stage's counts. */
  static final int CANDIDATE_CALLS = 0;
  static final int CANDIDATE_ERRORS = 1;
  static final int CANDIDATE_SLOW = 2;
  static final int CONTROL_CALLS = 3;
  static final int CONTROL_ERRORS = 4;
  static final int CONTROL_SLOW = 5;

  /**
   * One stage's counts.
   *
   * @param stage the stage index in the plan
   * @param candidateSlow slow candidate calls against the plan's latency threshold (0 when it judges none)
   */
  public record Stage(int stage, long candidateCalls, long candidateErrors, long candidateSlow, long controlCalls,
      long controlErrors, long controlSlow) {}

  private final Map<String, TreeMap<Integer, long[]>> byFlag = new HashMap<>();

  /** Adds one bucket of {@code candidate}'s or the control's counts (as {@link RolloutWindows} lays them out). */
  void add(String flagKey, int stage, boolean candidate, long[] bucket, int latencyIndex) {
    if (bucket[RolloutWindows.CALLS] == 0) {
      return;
    }
    long[] c = byFlag.computeIfAbsent(flagKey, k -> new TreeMap<>()).computeIfAbsent(stage, k -> new long[6]);
    int at = candidate ? CANDIDATE_CALLS : CONTROL_CALLS;
    c[at] += bucket[RolloutWindows.CALLS];
    c[at + 1] += bucket[RolloutWindows.ERRORS];
    c[at + 2] += latencyIndex >= 0 ? bucket[RolloutWindows.SLOW + latencyIndex] : 0;
  }

  /** Forgets a flag's counts (its rollout starts over). */
  void clear(String flagKey) {
    byFlag.remove(flagKey);
  }

  /** Keeps only the flags {@code keep} accepts. */
  void retain(java.util.function.Predicate<String> keep) {
    byFlag.keySet().removeIf(k -> !keep.test(k));
  }

  /** A flag's counts, by stage index ascending; empty when none were read. */
  public List<Stage> of(String flagKey) {
    List<Stage> out = new ArrayList<>();
    byFlag.getOrDefault(flagKey, new TreeMap<>()).forEach((stage, c) -> out.add(
        new Stage(stage, c[0], c[1], c[2], c[3], c[4], c[5])));
    return out;
  }

  /** The counts kept in {@code directory}; empty when there are none or they cannot be read. */
  public static StageCounts read(Path directory) {
    Path file = directory.resolve(NAME);
    try {
      return Files.isRegularFile(file) ? parse(Files.readString(file, StandardCharsets.UTF_8)) : new StageCounts();
    } catch (IOException | RuntimeException e) {
      return new StageCounts(); // unreadable: start afresh
    }
  }

  /**
   * The counts in {@code text} (as {@link #text()} writes them; null for none). Lines of another
   * shape are skipped, so the counts can share a text with other records: a fleet keeps them with
   * the evidence ({@link EvidenceFile}'s lines have eight fields, these three). Unreadable: empty.
   */
  static StageCounts parse(String text) {
    StageCounts out = new StageCounts();
    if (text == null) {
      return out;
    }
    try {
      for (String line : text.split("\n")) {
        String[] f = line.split("\t", -1);
        if (f.length != 3) {
          continue;
        }
        String[] n = f[2].split(",", -1);
        if (n.length != 6) {
          continue;
        }
        long[] c = new long[6];
        for (int i = 0; i < 6; i++) {
          c[i] = Long.parseLong(n[i]);
        }
        String flag = new String(Base64.getDecoder().decode(f[0]), StandardCharsets.UTF_8);
        out.byFlag.computeIfAbsent(flag, k -> new TreeMap<>()).put(Integer.parseInt(f[1]), c);
      }
    } catch (RuntimeException e) {
      return new StageCounts(); // unreadable: start afresh
    }
    return out;
  }

  /** These counts as text, one line per flag and stage (the file's format). */
  String text() {
    StringBuilder sb = new StringBuilder();
    byFlag.forEach((flag, stages) -> stages.forEach((stage, c) -> {
      sb.append(Base64.getEncoder().encodeToString(flag.getBytes(StandardCharsets.UTF_8))).append('\t').append(stage)
          .append('\t');
      for (int i = 0; i < c.length; i++) {
        sb.append(i == 0 ? "" : ",").append(c[i]);
      }
      sb.append('\n');
    }));
    return sb.toString();
  }

  /** Replaces the file in {@code directory} with these counts. */
  void write(Path directory) throws IOException {
    Path file = directory.resolve(NAME);
    Path tmp = file.resolveSibling(NAME + ".tmp");
    Files.writeString(tmp, text(), StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
