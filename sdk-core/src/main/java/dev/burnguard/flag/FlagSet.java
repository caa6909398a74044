package dev.burnguard.flag;

import dev.burnguard.flag.Flag.FlagState;
import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.json.JsonSyntaxException;
import dev.burnguard.internal.resolve.CompiledFlag;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.rollout.ErrorBudgetPolicy;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

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
  public boolean hasVariant(@Nullable String key, @Nullable String variant) {
    Flag flag = key == null ? null : flags.get(key);
    return flag != null && variant != null && flag.variants().containsKey(variant);
  }

  /**
   * The variant flag {@code key} assigns to {@code context}, whatever its type, or null when there
   * is none (unknown, disabled or invalid flag, no default variant, or a targeting error).
   * Deterministic: the same context always gets the same variant from the same flag set.
   */
  public @Nullable String assignedVariant(@Nullable String key, EvaluationContext context) {
    Flag flag = key == null ? null : flags.get(key);
    return flag == null ? null : flag.compiled.assignedVariant(context);
  }

  /**
   * The variant an evaluation of flag {@code key} serves {@code context}, as {@link #evaluate} serves
   * it whatever the type, counted by the flag's rollout gate as one evaluation (what the guardian's
   * sample-ratio test compares recorded outcomes with); null as for {@link #assignedVariant}. For
   * tools that evaluate flags by variant, such as the simulation kit.
   */
  public @Nullable String servedVariant(@Nullable String key, EvaluationContext context) {
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

  /**
   * Builds a {@link FlagSet} in code, for tests and bootstrapping. The result is validated exactly as
   * a flag file is, but all or nothing ({@link InvalidFlagPolicy#REJECT_FILE}) unless
   * {@link #options} says otherwise: {@link #build()} throws on any invalid flag.
   *
   * <pre>{@code
   * FlagSet flags = FlagSet.builder()
   *     .flag("new-checkout", f -> f
   *         .variant("on", true).variant("off", false)
   *         .defaultVariant("off")
   *         .targeting("{\"fractional\": [[\"on\", 10], [\"off\", 90]]}"))
   *     .build();
   * }</pre>
   *
   * <p>Not thread-safe.
   */
  public static final class FlagSetBuilder {
    private final Map<String, Object> flags = new LinkedHashMap<>();
    private final Map<String, Object> evaluators = new LinkedHashMap<>();
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    /** Flags defined in code are all or nothing: a mistake in code is a bug to fix, not a flag to skip. */
    private FlagSetOptions options = FlagSetOptions.builder().invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE).build();

    FlagSetBuilder() {}

    /** Adds or replaces flag {@code key}, configured by {@code definition}. */
    public FlagSetBuilder flag(String key, Consumer<FlagDefinition> definition) {
      Objects.requireNonNull(key, "key");
      FlagDefinition d = new FlagDefinition();
      definition.accept(d);
      flags.put(key, d.json);
      return this;
    }

    /** Adds a shared rule that targeting can use as {@code {"$ref": "name"}}. */
    public FlagSetBuilder evaluator(String name, String jsonLogic) {
      evaluators.put(Objects.requireNonNull(name, "name"), json(jsonLogic, "$evaluators." + name));
      return this;
    }

    /** Adds flag-set metadata (a string, number or boolean). */
    public FlagSetBuilder metadata(String key, Object value) {
      metadata.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    public FlagSetBuilder options(FlagSetOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Validates and builds the flag set.
     *
     * @throws IllegalArgumentException naming every problem with its JSON path
     */
    public FlagSet build() {
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("flags", flags);
      if (!evaluators.isEmpty()) {
        root.put("$evaluators", evaluators);
      }
      if (!metadata.isEmpty()) {
        root.put("metadata", metadata);
      }
      try {
        return FlagSet.fromJson(root, "builder", options);
      } catch (InvalidFlagSetException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }

    private static Object json(String text, String what) {
      try {
        return JsonReader.read(text);
      } catch (JsonSyntaxException e) {
        throw new IllegalArgumentException(what + ": malformed JSON at column " + e.column() + ": " + e.reason(), e);
      }
    }

    /** One flag's definition. */
    public static final class FlagDefinition {
      private final Map<String, Object> json = new LinkedHashMap<>();
      private final Map<String, Object> variants = new LinkedHashMap<>();

      private FlagDefinition() {
        json.put("state", "ENABLED");
        json.put("variants", variants);
      }

      /** Adds a variant: a boolean, string, number, or a JSON object given as a {@link Map}. */
      public FlagDefinition variant(String name, Object value) {
        Object v = value;
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
          v = ((Number) value).longValue();
        } else if (value instanceof Float) {
          v = ((Float) value).doubleValue();
        }
        variants.put(Objects.requireNonNull(name, "name"), v);
        return this;
      }

      public FlagDefinition defaultVariant(String name) {
        json.put("defaultVariant", name);
        return this;
      }

      public FlagDefinition state(FlagState state) {
        json.put("state", Objects.requireNonNull(state, "state").name());
        return this;
      }

      /** The targeting rule, as JsonLogic text. */
      public FlagDefinition targeting(String jsonLogic) {
        json.put("targeting", json(jsonLogic, "targeting"));
        return this;
      }

      /** Adds flag metadata (a string, number or boolean). */
      public FlagDefinition metadata(String key, Object value) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) json.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
        Object v = value instanceof Integer ? Long.valueOf((Integer) value) : value;
        m.put(Objects.requireNonNull(key, "key"), v);
        return this;
      }

      /**
       * Puts the flag under a guarded rollout, as the {@code "rollout"} member of a flag file does.
       * The plan's control and candidate must be variants of this flag, which {@link #build()} checks.
       */
      public FlagDefinition rollout(RolloutPlan plan) {
        json.put("rollout", Objects.requireNonNull(plan, "plan"));
        return this;
      }
    }
  }

  /**
   * How flag definitions are loaded. Immutable; build with {@link #builder()}.
   *
   * <p>Defaults: {@link InvalidFlagPolicy#ISOLATE_FLAG} (flagd's behaviour), {@link Clock#system()}.
   */
  public static final class FlagSetOptions {
    private static final FlagSetOptions DEFAULTS = builder().build();

    private final InvalidFlagPolicy invalidFlagPolicy;
    private final Clock clock;
    private final List<Duration> latencyThresholds;

    private FlagSetOptions(Builder b) {
      this.invalidFlagPolicy = b.invalidFlagPolicy;
      this.clock = b.clock;
      this.latencyThresholds = b.latencyThresholds;
    }

    public static FlagSetOptions defaults() {
      return DEFAULTS;
    }

    public static Builder builder() {
      return new Builder();
    }

    public InvalidFlagPolicy invalidFlagPolicy() {
      return invalidFlagPolicy;
    }

    /** The clock that answers {@code $flagd.timestamp} in targeting. */
    public Clock clock() {
      return clock;
    }

    /**
     * The latency thresholds a rollout plan's latency objective may use: those the provider's
     * recorder counts slow calls against. Empty (the default, for parsing outside a provider): any.
     */
    public Optional<List<Duration>> latencyThresholds() {
      return Optional.ofNullable(latencyThresholds);
    }

    /** Builds {@link FlagSetOptions}. */
    public static final class Builder {
      private InvalidFlagPolicy invalidFlagPolicy = InvalidFlagPolicy.ISOLATE_FLAG;
      private Clock clock = Clock.system();
      private List<Duration> latencyThresholds;

      private Builder() {}

      public Builder invalidFlagPolicy(InvalidFlagPolicy policy) {
        this.invalidFlagPolicy = Objects.requireNonNull(policy, "invalidFlagPolicy");
        return this;
      }

      public Builder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
      }

      /**
       * Refuses a rollout plan whose latency threshold is not one of {@code counted} (a provider's
       * latency thresholds, which it sets here): such a plan could never be judged on latency, so the
       * flag is invalid, its problem at {@code $.flags.<key>.rollout.slo.latency.threshold}.
       */
      public Builder latencyThresholds(List<Duration> counted) {
        this.latencyThresholds = List.copyOf(counted);
        return this;
      }

      public FlagSetOptions build() {
        return new FlagSetOptions(this);
      }
    }
  }

  /**
   * What loading does with a flag (or an {@code $evaluators} entry) whose definition is invalid while
   * the rest of the file is well-formed. A file that is not JSON, or whose top level is wrong, is
   * rejected as a whole under either policy.
   */
  public enum InvalidFlagPolicy {
    /**
     * All or nothing: reject the whole file. A provider keeps serving the flags it had and reports the
     * problems (STALE); on a first load it never becomes ready. A typo in one flag never changes what
     * any flag serves.
     */
    REJECT_FILE,
    /**
     * The default, as flagd does: load the valid flags; an invalid flag resolves to the caller's
     * default with error code {@code PARSE_ERROR}, and an invalid evaluator only fails the flags that
     * refer to it. The problems are listed in {@link FlagSet#problems()} (each with file, JSON path and
     * value). Safer than flagd on a reload: a provider keeps serving a flag that was valid and became
     * invalid from its last good definition ({@link FlagSet#keepingLastKnownGood}) and reports it.
     */
    ISOLATE_FLAG
  }

  /**
   * One thing wrong with a flag definition: where (the file or source it came from and the JSON path
   * inside it), the offending value, and what is wrong.
   *
   * @param origin the file, URL or other source the definition came from
   * @param jsonPath the JSONPath of the offending value, e.g. {@code $.flags.checkout.defaultVariant}
   * @param value the offending value as JSON, shortened to a readable length; null when there is none
   * @param message what is wrong and, where it helps, what was expected
   */
  public record FlagProblem(String origin, String jsonPath, @Nullable String value, String message) {
    public FlagProblem {
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(jsonPath, "jsonPath");
      Objects.requireNonNull(message, "message");
    }

    /** {@code origin: jsonPath: message (value: ...)}. */
    @Override
    public String toString() {
      return origin + ": " + jsonPath + ": " + message + (value == null ? "" : " (value: " + value + ")");
    }
  }
}
