package dev.burnguard.internal.store;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.rollout.RolloutState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state file: the current state of every rollout as of one journal sequence number. It is one
 * {@linkplain Sealed sealed} JSON object,
 * {@code {"format":1,"seq":N,"savedAt":"…","states":[{…},…],"crc32c":"…"}}, followed by a newline.
 * Internal, not for public use.
 *
 * @param seq the last journal sequence number whose decision the states include (0: none)
 * @param savedAt when it was written, by the store's clock
 * @param states one state per flag
 */
public record StateSnapshot(long seq, Instant savedAt, List<RolloutState> states) {
  /** The format written; a reader refuses other formats. */
  public static final int FORMAT = 1;

  public StateSnapshot {
    Objects.requireNonNull(savedAt, "savedAt");
    states = List.copyOf(states);
    if (seq < 0) {
      throw new IllegalArgumentException("a snapshot's sequence number must not be negative, got " + seq);
    }
  }

  public byte[] toBytes() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", (long) FORMAT);
    m.put("seq", seq);
    m.put("savedAt", savedAt.toString());
    List<Object> list = new ArrayList<>(states.size());
    for (RolloutState s : states) {
      list.add(RolloutJson.state(s));
    }
    m.put("states", list);
    byte[] sealed = Sealed.seal(RolloutJson.write(m));
    byte[] out = new byte[sealed.length + 1];
    System.arraycopy(sealed, 0, out, 0, sealed.length);
    out[sealed.length] = '\n';
    return out;
  }

  /**
   * Reads a state file's bytes.
   *
   * @throws IllegalArgumentException when the checksum does not match or the content is not a
   *     snapshot of this format, with the reason
   */
  public static StateSnapshot parse(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
      end--;
    }
    if (!Sealed.verify(bytes, 0, end)) {
      throw new IllegalArgumentException("checksum mismatch or not a sealed object");
    }
    Object json;
    try {
      json = JsonReader.read(new String(bytes, 0, end, StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    RolloutJson.Members m = RolloutJson.Members.of(json, "$");
    long format = m.longValue("format");
    if (format != FORMAT) {
      throw new IllegalArgumentException("$.format: this version reads format " + FORMAT + ", got " + format);
    }
    long seq = m.longValue("seq");
    Instant savedAt = m.instant("savedAt");
    List<?> list = m.list("states");
    List<RolloutState> states = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      states.add(RolloutJson.readState(list.get(i), "$.states[" + i + "]"));
    }
    return new StateSnapshot(seq, savedAt, states);
  }
}
