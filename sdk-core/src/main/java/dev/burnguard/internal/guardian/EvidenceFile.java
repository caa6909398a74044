package dev.burnguard.internal.guardian;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The guardian's sequential evidence, kept beside the rollout state in the state directory
 * ({@value #NAME}) so that a restart continues the same tests: per flag, the detectors' statistics,
 * the candidate calls read and the calls at the current stage's start. A few hundred bytes per
 * rollout, replaced whole (written to a temporary file, then moved over the old one) at most once
 * per evidence batch. Not fsynced: a crash loses at most the latest batches, which only means those
 * calls are left out of the tests (leaving calls out, whatever their outcomes, keeps every bound).
 * A file that cannot be read is ignored (the tests start afresh), never fatal.
 *
 * <p>Format, one line per flag, tab-separated: Base64 flag key, Base64 statistics key, candidate
 * calls, calls at the stage start, the stage start (epoch milliseconds), the detectors' ln R (comma
 * separated), the shared-cause detectors' ln R, the shared-cause bad calls.
 *
 * <p>Not thread-safe: the guardian calls it under its lock.
 */
final class EvidenceFile {
  static final String NAME = "evidence.tsv";

  private final Path file;
  /** A fleet's keeping of the same text, when there is no file ({@link #kept}); null with a file. */
  private final java.util.function.Supplier<String> keptText;
  private final java.util.function.Consumer<String> keepText;

  EvidenceFile(Path directory) {
    this.file = directory.resolve(NAME);
    this.keptText = null;
    this.keepText = null;
  }

  private EvidenceFile(java.util.function.Supplier<String> read, java.util.function.Consumer<String> write) {
    this.file = null;
    this.keptText = read;
    this.keepText = write;
  }

  /**
   * The same evidence, in the same text, kept elsewhere than in a file — a fleet keeps it with the
   * rollout state in its store: {@code read} gives the text last kept (null for none), {@code write}
   * keeps a new one.
   */
  static EvidenceFile kept(java.util.function.Supplier<String> read, java.util.function.Consumer<String> write) {
    return new EvidenceFile(read, write);
  }

  /** The evidence kept, by flag; empty when there is none or it cannot be read. */
  Map<String, RolloutEvidence.Snapshot> read() {
    String text;
    try {
      if (file == null) {
        text = keptText.get();
      } else {
        text = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
      }
    } catch (IOException | RuntimeException e) {
      return new HashMap<>(); // unreadable: start afresh
    }
    return parse(text);
  }

  /** The evidence in {@code text} (as {@link #write} writes it), by flag; empty for null or a text that cannot be read. */
  static Map<String, RolloutEvidence.Snapshot> parse(String text) {
    Map<String, RolloutEvidence.Snapshot> out = new HashMap<>();
    if (text == null) {
      return out;
    }
    try {
      for (String line : text.split("\n")) {
        String[] f = line.split("\t", -1);
        if (f.length != 8) {
          continue;
        }
        out.put(text(f[0]), new RolloutEvidence.Snapshot(text(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
            Long.parseLong(f[4]), doubles(f[5]), doubles(f[6]), longs(f[7])));
      }
    } catch (RuntimeException e) {
      return new HashMap<>(); // unreadable: start afresh
    }
    return out;
  }

  /** Replaces the file (or the text kept) with {@code evidence}. */
  void write(Map<String, RolloutEvidence.Snapshot> evidence) throws IOException {
    write(evidence, "");
  }

  /**
   * As {@link #write(Map)}, followed by {@code otherLines}: records kept in the same text, whose
   * lines have another number of fields, so that {@link #read} skips them (a fleet keeps the
   * {@link StageCounts} with the evidence).
   */
  void write(Map<String, RolloutEvidence.Snapshot> evidence, String otherLines) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, RolloutEvidence.Snapshot> e : evidence.entrySet()) {
      RolloutEvidence.Snapshot s = e.getValue();
      sb.append(base64(e.getKey())).append('\t').append(base64(s.statisticsKey())).append('\t')
          .append(s.candidateCalls()).append('\t').append(s.stageStartCalls()).append('\t')
          .append(s.stageStartedAtMillis()).append('\t').append(join(s.logR())).append('\t')
          .append(join(s.sharedLogR())).append('\t').append(s.sharedBad()[0]).append(',').append(s.sharedBad()[1])
          .append('\n');
    }
    sb.append(otherLines);
    if (file == null) {
      keepText.accept(sb.toString());
      return;
    }
    Path tmp = file.resolveSibling(NAME + ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static String join(double[] values) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(sb.length() == 0 ? "" : ",").append(Double.toString(v));
    }
    return sb.toString();
  }

  private static double[] doubles(String s) {
    List<String> parts = List.of(s.split(",", -1));
    double[] out = new double[parts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Double.parseDouble(parts.get(i));
    }
    return out;
  }

  private static long[] longs(String s) {
    String[] parts = s.split(",", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("two shared-cause counts expected, got " + s);
    }
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
  }
}
