package dev.burnguard.internal.gate;

import dev.burnguard.internal.eval.Murmur3;
import java.util.Map;
import java.util.Objects;

/**
 * A guarded rollout's gate on one flag: of the contexts the flag's own evaluation assigns to the
 * candidate, only the exposure fraction get it; the others get the control. The gate does not care
 * how the flag chose the candidate, only which variant it chose.
 *
 * <p>Admission is deterministic and monotonic: a context's {@linkplain #position position} is
 * MurmurHash3 of {@value #SALT} + flag key + targeting key, mapped to [0, 1), and it is admitted
 * when that position is below the exposure — a context admitted at 5 % stays admitted at 25 %, and
 * shrinking removes the last admitted first. The salt keeps positions independent of
 * {@code fractional} splits of the same flag. A context without a targeting key is admitted only at
 * 100 %. A dry-run gate admits everyone.
 *
 * <p>Evaluations count what they were served through {@link #admit} and {@link #servedControl}
 * into the rollout's {@link AdmissionCounts} (shared by the flag's successive gates): the guardian's
 * sample-ratio-mismatch test compares them with the outcomes recorded. {@link #admits} only asks.
 *
 * <p>Immutable (but for the counts) and thread-safe.
 */
public final class ExposureGate {
  /** Salts the admission hash so it does not correlate with fractional bucketing. */
  public static final String SALT = "burnguard.rollout/";

  private final String flagKey;
  private final String candidate;
  private final String control;
  private final double exposure;
  private final boolean enforce;
  private final String heldBackReason;
  private final Map<String, Object> metadata;
  private final Murmur3.Prefix prefix;
  private final long threshold;
  private final AdmissionCounts served;

  /** A gate with counts of its own (tests, tools); see the full constructor. */
  public ExposureGate(String flagKey, String candidate, String control, double exposure, boolean enforce,
      String heldBackReason, Map<String, Object> metadata) {
    this(flagKey, candidate, control, exposure, enforce, heldBackReason, metadata, new AdmissionCounts());
  }

  /**
   * @param exposure the admitted fraction, in [0, 1]
   * @param enforce false for a dry run
   * @param heldBackReason the evaluation reason when the gate serves the control instead
   * @param metadata rollout metadata added to every evaluation of the flag
   * @param served where evaluations through this gate are counted (the rollout's, across its gates)
   */
  public ExposureGate(String flagKey, String candidate, String control, double exposure, boolean enforce,
      String heldBackReason, Map<String, Object> metadata, AdmissionCounts served) {
    this.flagKey = Objects.requireNonNull(flagKey, "flagKey");
    this.candidate = Objects.requireNonNull(candidate, "candidate");
    this.control = Objects.requireNonNull(control, "control");
    if (!(exposure >= 0 && exposure <= 1)) {
      throw new IllegalArgumentException("exposure must be in [0, 1], got " + exposure);
    }
    this.exposure = exposure;
    this.enforce = enforce;
    this.heldBackReason = Objects.requireNonNull(heldBackReason, "heldBackReason");
    this.metadata = Map.copyOf(metadata);
    this.prefix = Murmur3.prefix(SALT + flagKey);
    this.threshold = (long) (exposure * 4294967296.0);
    this.served = Objects.requireNonNull(served, "served");
  }

  public String flagKey() {
    return flagKey;
  }

  public String candidate() {
    return candidate;
  }

  public String control() {
    return control;
  }

  public double exposure() {
    return exposure;
  }

  public boolean enforce() {
    return enforce;
  }

  public String heldBackReason() {
    return heldBackReason;
  }

  public Map<String, Object> metadata() {
    return metadata;
  }

  /** Whether a context with {@code targetingKey}, assigned the candidate by the flag, gets it. */
  public boolean admits(String targetingKey) {
    if (!enforce || exposure >= 1) {
      return true;
    }
    if (exposure <= 0 || targetingKey == null || targetingKey.isEmpty()) {
      return false;
    }
    return (Murmur3.hash(prefix, targetingKey) & 0xffffffffL) < threshold;
  }

  /**
   * For an evaluation the flag assigned the candidate: whether the context gets it ({@link #admits}),
   * counting the evaluation as served the candidate or the control. Never allocates, never blocks.
   */
  public boolean admit(String targetingKey) {
    boolean admitted = admits(targetingKey);
    if (admitted) {
      served.servedCandidate();
    } else {
      served.servedControl();
    }
    return admitted;
  }

  /** Counts an evaluation that the flag itself assigned the control. Never allocates, never blocks. */
  public void servedControl() {
    served.servedControl();
  }

  /** The counts of evaluations served through this gate and the flag's earlier gates. */
  public AdmissionCounts served() {
    return served;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ExposureGate)) {
      return false;
    }
    ExposureGate g = (ExposureGate) o;
    return flagKey.equals(g.flagKey) && candidate.equals(g.candidate) && control.equals(g.control)
        && exposure == g.exposure && enforce == g.enforce && heldBackReason.equals(g.heldBackReason)
        && metadata.equals(g.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(flagKey, candidate, control, exposure, enforce, heldBackReason, metadata);
  }

  @Override
  public String toString() {
    return "ExposureGate[" + flagKey + ": " + candidate + " at " + exposure * 100 + " % else " + control
        + (enforce ? "" : ", dry run") + "]";
  }

  /** The position of {@code targetingKey} at {@code flagKey}'s gate, in [0, 1): admitted below the exposure. */
  public static double position(String flagKey, String targetingKey) {
    return (Murmur3.hash(Murmur3.prefix(SALT + flagKey), targetingKey) & 0xffffffffL) / 4294967296.0;
  }
}
