package dev.burnguard.internal.budget;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The journey SLOs' hourly counts, kept beside the rollout state in the state directory ({@value
 * #NAME}) so that a restart keeps every error budget exact. One line per SLO and non-empty hour,
 * tab-separated: Base64 SLO key (name, journey and what makes a call bad), the hour (hours since the
 * epoch, UTC), calls, bad calls — 58 bytes for an hour of 100,000 checkout calls, so about 39 KB for
 * a 28-day SLO with traffic every hour. Replaced whole (a temporary file, forced to disk, moved over the old one) by the
 * ticks that follow new calls and when the provider closes, so a crash loses at most the calls
 * since the last tick. A file that cannot be read is ignored (the budgets start from zero) and
 * logged by the caller, never fatal.
 *
 * <p>Not thread-safe: one writer (the guardian's tick, then close).
 */
public final class BudgetFile {
  public static final String NAME = "journey-budget.tsv";

  private final Path file;

  public BudgetFile(Path directory) {
    this.file = directory.resolve(NAME);
  }

  /** The hourly rows by SLO key; empty when there is no file. */
  public Map<String, List<long[]>> read() throws IOException {
    Map<String, List<long[]>> out = new LinkedHashMap<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      String[] f = line.split("\t", -1);
      if (f.length != 4) {
        throw new IOException(file + ": line " + n + " has " + f.length + " fields, expected 4");
      }
      try {
        String key = new String(Base64.getDecoder().decode(f[0]), StandardCharsets.UTF_8);
        out.computeIfAbsent(key, k -> new ArrayList<>())
            .add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": line " + n + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Replaces the file with {@code hourly}. */
  public void write(Map<String, List<long[]>> hourly) throws IOException {
    StringBuilder sb = new StringBuilder();
    hourly.forEach((key, rows) -> {
      String k = Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
      for (long[] r : rows) {
        sb.append(k).append('\t').append(r[0]).append('\t').append(r[1]).append('\t').append(r[2]).append('\n');
      }
    });
    Path tmp = file.resolveSibling(NAME + ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
