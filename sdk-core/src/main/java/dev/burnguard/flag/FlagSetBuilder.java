package dev.burnguard.flag;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.json.JsonSyntaxException;
import dev.burnguard.rollout.RolloutPlan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

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
public final class FlagSetBuilder {
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
