package dev.burnguard.internal.store;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.rollout.Decision;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of the decision journal: the store's sequence number and the decision (which carries the
 * state after it). A line is the {@linkplain Sealed sealed} object
 * {@code {"seq":17,"decision":{…},"crc32c":"…"}} followed by {@code '\n'}; it is ASCII.
 * Internal, not for public use.
 *
 * @param seq the store-wide sequence number: 1, 2, 3… in the order of appends, never reused
 * @param decision the decision
 */
public record JournalEntry(long seq, Decision decision) {
  public JournalEntry {
    Objects.requireNonNull(decision, "decision");
    if (seq < 1) {
      throw new IllegalArgumentException("a journal sequence number starts at 1, got " + seq);
    }
  }

  /** The line's bytes, ending with {@code '\n'}. */
  public byte[] toLine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", seq);
    m.put("decision", RolloutJson.decision(decision));
    byte[] sealed = Sealed.seal(RolloutJson.write(m));
    byte[] line = new byte[sealed.length + 1];
    System.arraycopy(sealed, 0, line, 0, sealed.length);
    line[sealed.length] = '\n';
    return line;
  }

  /**
   * Reads the line in {@code bytes[from, to)} (without its {@code '\n'}).
   *
   * @throws IllegalArgumentException when the checksum does not match or the content is not an
   *     entry, with the reason
   */
  public static JournalEntry parse(byte[] bytes, int from, int to) {
    if (!Sealed.verify(bytes, from, to)) {
      throw new IllegalArgumentException("checksum mismatch or not a sealed line");
    }
    Object json;
    try {
      json = JsonReader.read(new String(bytes, from, to - from, StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    RolloutJson.Members m = RolloutJson.Members.of(json, "$");
    long seq = m.longValue("seq");
    if (seq < 1) {
      throw new IllegalArgumentException("$.seq: must be at least 1, got " + seq);
    }
    return new JournalEntry(seq, RolloutJson.readDecision(m.required("decision"), "$.decision"));
  }
}
