package dev.burnguard.flag;

import dev.burnguard.internal.resolve.CompiledFlag;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.RolloutPlan;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable snapshot of flags in flagd's flag-definition format, validated and compiled, ready
 * to evaluate. Providers swap whole snapshots atomically, so an evaluation always sees one
 * consistent version of every flag.
 *
 * <p>Thread-safe: immutable.
 */
public final class FlagSet {
  /**
   * Flag metadata key that marks a flag as guarded without a rollout plan: {@code
   * "burnguard.guarded": true}. An outcome tracked without a flag key is recorded against the
   * variant each guarded flag (marked so, or with a rollout plan) assigns.
   */
  public static final String GUARDED_METADATA = "burnguard.guarded";

  private static final FlagSetOptions ALL_OR_NOTHING =
      FlagSetOptions.builder().invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE).build();
  private static final FlagSet EMPTY = new FlagSet("empty", Map.of(), Map.of(), List.of(), Map.of(), Map.of());

  private final String origin;
  private final Map<String, Flag> flags;
  private final Map<String, Object> metadata;
  private final List<FlagProblem> problems;
  private final List<String> guarded;
  private final Map<String, RolloutPlan> rollouts;
  private final Map<String, List<FlagProblem>> invalidFlags;
  private final Map<String, List<FlagProblem>> lastKnownGood;
  private final ErrorBudgetPolicy errorBudgetPolicy;

  FlagSet(String origin, Map<String, Flag> flags, Map<String, Object> metadata, List<FlagProblem> problems,
      Map<String, List<FlagProblem>> invalidFlags, Map<String, List<FlagProblem>> lastKnownGood) {
    this(origin, flags, metadata, problems, invalidFlags, lastKnownGood, null);
  }

  FlagSet(String origin, Map<String, Flag> flags, Map<String, Object> metadata, List<FlagProblem> problems,
      Map<String, List<FlagProblem>> invalidFlags, Map<String, List<FlagProblem>> lastKnownGood,
      ErrorBudgetPolicy errorBudgetPolicy) {
    this.errorBudgetPolicy = errorBudgetPolicy;
    this.origin = origin;
    this.flags = flags;
    this.metadata = metadata;
    this.problems = List.copyOf(problems);
    this.invalidFlags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(invalidFlags));
    this.lastKnownGood = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lastKnownGood));
    this.guarded = flags.values().stream()
        .filter(f -> Boolean.TRUE.equals(f.metadata().get(GUARDED_METADATA)) || f.rollout().isPresent())
        .map(Flag::key)
        .collect(java.util.stream.Collectors.toUnmodifiableList());
    Map<String, RolloutPlan> plans = new LinkedHashMap<>();
    flags.values().forEach(f -> f.rollout().ifPresent(plan -> plans.put(f.key(), plan)));
    this.rollouts = java.util.Collections.unmodifiableMap(plans);
  }

  /**
   * Parses and validates a flag definition all or nothing ({@link InvalidFlagPolicy#REJECT_FILE}):
   * any problem, in any flag or evaluator, refuses it. For checking a flag file (in CI, in a test);
   * a provider loads with {@link FlagSetOptions#defaults()}, which keep the valid flags.
   *
   * @param json the flag file's content
   * @param origin where it came from (a path or URL), named in every problem reported
   * @throws InvalidFlagSetException listing every problem with its JSON path
   */
  public static FlagSet parse(String json, String origin) throws InvalidFlagSetException {
    return parse(json, origin, ALL_OR_NOTHING);
  }

  /**
   * Parses and validates a flag definition with {@code options}: under their
   * {@link InvalidFlagPolicy}, an invalid flag either refuses the file or resolves with PARSE_ERROR
   * (see {@link #problems()}). A file that is not a JSON object with a {@code "flags"} object is
   * refused under either.
   *
   * @throws InvalidFlagSetException listing every problem with its JSON path
   */
  public static FlagSet parse(String json, String origin, FlagSetOptions options) throws InvalidFlagSetException {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(options, "options");
    return FlagSetParser.parse(json, origin, options);
  }

  /** Validates a flag definition already in memory as maps, lists and scalars (see {@link FlagSetBuilder}). */
  static FlagSet fromJson(Object json, String origin, FlagSetOptions options) throws InvalidFlagSetException {
    return FlagSetParser.parse(json, origin, options);
  }

  /** A flag set with no flags. */
  public static FlagSet empty() {
    return EMPTY;
  }

  /** Starts building a flag set in code. */
  public static FlagSetBuilder builder() {
    return new FlagSetBuilder();
  }

  /** Where these flags came from: a file path, a URL, "inline" or "builder". */
  public String origin() {
    return origin;
  }

  /** Every flag by key, in file order. */
  public Map<String, Flag> flags() {
    return flags;
  }

  public Optional<Flag> flag(String key) {
    return Optional.ofNullable(flags.get(key));
  }

  /** The flag set's metadata, which every flag's metadata extends. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /**
   * The problems of a file loaded under {@link InvalidFlagPolicy#ISOLATE_FLAG} (the default), in
   * document order: those of invalid {@code $evaluators} entries, of {@linkplain #invalidFlags()
   * flags that resolve with PARSE_ERROR} and of {@linkplain #flagsAtLastKnownGood() flags kept at
   * their last good definition}. Always empty under {@link InvalidFlagPolicy#REJECT_FILE}, which
   * rejects such a file.
   */
  public List<FlagProblem> problems() {
    return problems;
  }

  /**
   * The flags that resolve with {@code PARSE_ERROR} (and the caller's default) because their
   * definition is invalid and there is no good one to keep, by key in file order, with the problems
   * of their definition.
   */
  public Map<String, List<FlagProblem>> invalidFlags() {
    return invalidFlags;
  }

  /**
   * The flags whose definition in this file is invalid but which are served from their last good
   * definition (per-flag last-known-good, see {@link #keepingLastKnownGood}), by key in file order,
   * with the problems of the definition that was not taken.
   */
  public Map<String, List<FlagProblem>> flagsAtLastKnownGood() {
    return lastKnownGood;
  }

  /**
   * This flag set with each {@linkplain #invalidFlags() invalid flag} that {@code previous} served
   * validly replaced by that previous definition, which it keeps serving: a reload that breaks one
   * flag leaves that flag as it was, where flagd would start failing it. The replaced flags move from
   * {@link #invalidFlags()} to {@link #flagsAtLastKnownGood()}; flags {@code previous} kept so and
   * still invalid stay kept. A flag that was invalid, or absent, in {@code previous} has nothing to
   * keep and still resolves with PARSE_ERROR. Returns this flag set when nothing is replaced.
   */
  public FlagSet keepingLastKnownGood(FlagSet previous) {
    Objects.requireNonNull(previous, "previous");
    Map<String, Flag> kept = new LinkedHashMap<>(flags);
    Map<String, List<FlagProblem>> stillInvalid = new LinkedHashMap<>();
    Map<String, List<FlagProblem>> atLastGood = new LinkedHashMap<>(lastKnownGood);
    invalidFlags.forEach((key, flagProblems) -> {
      Flag before = previous.flags.get(key);
      if (before != null && !previous.invalidFlags.containsKey(key)) {
        kept.put(key, before);
        atLastGood.put(key, flagProblems);
      } else {
        stillInvalid.put(key, flagProblems);
      }
    });
    if (atLastGood.size() == lastKnownGood.size()) {
      return this;
    }
    return new FlagSet(origin, java.util.Collections.unmodifiableMap(kept), metadata, problems, stillInvalid, atLastGood,
        errorBudgetPolicy);
  }

  /**
   * The keys of flags added, removed or changed in this snapshot compared with {@code previous},
   * sorted. A flag changes when its state, variants, default variant, targeting (with {@code $ref}s
   * expanded, so editing a shared evaluator changes the flags that use it), metadata or rollout plan
   * changes. A plan counts as changed when its {@link RolloutPlan#fingerprint()} does: writing
   * {@code "60m"} for {@code "1h"}, or a default value out, is no change.
   */
  public Set<String> changedSince(FlagSet previous) {
    Set<String> changed = new TreeSet<>();
    for (Flag flag : flags.values()) {
      Flag before = previous.flags.get(flag.key());
      if (before == null || !Objects.equals(before.definition, flag.definition)) {
        changed.add(flag.key());
      }
    }
    for (String key : previous.flags.keySet()) {
      if (!flags.containsKey(key)) {
        changed.add(key);
      }
    }
    return changed;
  }

  /**
   * This flag set with rollout gates in place of the current ones: the flags named in {@code gates}
   * serve through their gate, all others without one. Definitions, and so {@link #changedSince},
   * are unchanged. Flags without the gate's variants keep no gate.
   */
  public FlagSet withGates(Map<String, ExposureGate> gates) {
    Map<String, Flag> gated = new java.util.LinkedHashMap<>();
    for (Flag f : flags.values()) {
      ExposureGate gate = gates.get(f.key());
      boolean usable = gate != null && f.variants().containsKey(gate.candidate()) && f.variants().containsKey(gate.control());
      gated.put(f.key(), new Flag(f.key(), f.state(), f.variants(), f.defaultVariant().orElse(null),
          f.targeting().orElse(null), f.metadata(), f.rollout().orElse(null), f.definition,
          f.compiled.withGate(usable ? gate : null)));
    }
    return new FlagSet(origin, java.util.Collections.unmodifiableMap(gated), metadata, problems, invalidFlags,
        lastKnownGood, errorBudgetPolicy);
  }

  /** The keys of the guarded flags — with a rollout plan, or marked {@value #GUARDED_METADATA} in their metadata — in file order. */
  public List<String> guardedFlags() {
    return guarded;
  }

  /**
   * The rollout plan of every flag that has one, by flag key, in file order: the flags under a
   * guarded rollout. Disabled flags are included (they serve the caller's default, so their
   * candidate sees no calls); flags invalid under {@link InvalidFlagPolicy#ISOLATE_FLAG} are not.
   */
  public Map<String, RolloutPlan> rollouts() {
    return rollouts;
  }

  /**
   * The service SLOs and error-budget policy the file declares (top-level {@code "slos"} and {@code
   * "errorBudgetPolicy"}), or empty when it declares none.
   */
  public Optional<ErrorBudgetPolicy> errorBudgetPolicy() {
    return Optional.ofNullable(errorBudgetPolicy);
  }

  /** Whether flag {@code key} exists and defines variant {@code variant}. */
  public boolean hasVariant(String key, String variant) {
    Flag flag = key == null ? null : flags.get(key);
    return flag != null && variant != null && flag.variants().containsKey(variant);
  }

  /**
   * The variant flag {@code key} assigns to {@code context}, whatever its type, or null when there
   * is none (unknown, disabled or invalid flag, no default variant, or a targeting error).
   * Deterministic: the same context always gets the same variant from the same flag set.
   */
  public String assignedVariant(String key, EvaluationContext context) {
    Flag flag = key == null ? null : flags.get(key);
    return flag == null ? null : flag.compiled.assignedVariant(context);
  }

  /**
   * The variant an evaluation of flag {@code key} serves {@code context}, as {@link #evaluate} serves
   * it whatever the type, counted by the flag's rollout gate as one evaluation (what the guardian's
   * sample-ratio test compares recorded outcomes with); null as for {@link #assignedVariant}. For
   * tools that evaluate flags by variant, such as the simulation kit.
   */
  public String servedVariant(String key, EvaluationContext context) {
    Flag flag = key == null ? null : flags.get(key);
    return flag == null ? null : flag.compiled.servedVariant(context);
  }

  /**
   * Evaluates flag {@code key} as {@code type} ({@link Boolean}, {@link String}, {@link Integer},
   * {@link Long}, {@link Double} or {@link dev.openfeature.sdk.Value}). Never throws: errors are
   * results with an OpenFeature error code and reason ERROR.
   */
  public <T> ProviderEvaluation<T> evaluate(String key, Class<T> type, T defaultValue, EvaluationContext context) {
    Flag flag = key == null ? null : flags.get(key);
    if (flag == null) {
      return error(defaultValue, ErrorCode.FLAG_NOT_FOUND, "flag \"" + key + "\" is not defined in " + origin);
    }
    if (!CompiledFlag.supports(type)) {
      return error(defaultValue, ErrorCode.TYPE_MISMATCH, "unsupported type " + type);
    }
    return flag.compiled.resolve(type, defaultValue, context);
  }

  private static <T> ProviderEvaluation<T> error(T defaultValue, ErrorCode code, String message) {
    return new ProviderEvaluation<>(defaultValue, null, Reason.ERROR.name(), code, message, ImmutableMetadata.EMPTY);
  }

  @Override
  public String toString() {
    return "FlagSet[" + origin + ", " + flags.size() + " flags]";
  }
}
