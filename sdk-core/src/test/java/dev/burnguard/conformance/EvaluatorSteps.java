package dev.burnguard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.Value;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.After;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The step definitions of the flagd evaluator test kit (see the kit's README for the step list).
 * Cucumber creates one instance per scenario, so all state here is the scenario's. Each evaluator is
 * a fresh {@link BurnguardProvider} in its own isolated {@link OpenFeatureAPI}, evaluated through an
 * OpenFeature client, as applications use it.
 */
public class EvaluatorSteps {
  private static volatile String flags;

  private OpenFeatureAPI api;
  private Client client;
  private String flagType;
  private String flagKey;
  private String fallback;
  private final MutableContext context = new MutableContext();
  private FlagEvaluationDetails<?> details;

  /** The kit's flag file, read once per JVM. */
  private static String flags() {
    String content = flags;
    if (content == null) {
      try {
        content = Files.readString(ConformanceKit.resolve("flagd-evaluator/flags/testkit-flags.json"),
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      flags = content;
    }
    return content;
  }

  @Given("an evaluator")
  public void anEvaluator() {
    // Background and scenario may both say it: the later one replaces the earlier evaluator
    shutdown();
    BurnguardProvider provider = BurnguardProvider.builder()
        .source(FlagSource.inline(flags()))
        // flagd-compatible: the kit's flag with a $ref to a missing evaluator resolves with PARSE_ERROR
        .invalidFlagPolicy(InvalidFlagPolicy.ISOLATE_FLAG)
        .build();
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider); // calls provider.initialize and waits for READY
    client = api.getClient();
  }

  @After
  public void shutdown() {
    if (api != null) {
      api.shutdown();
      api = null;
    }
  }

  @Given("^a (Boolean|String|Integer|Float|Object)-flag with key \"(.*)\" and a fallback value \"(.*)\"$")
  public void aFlag(String type, String key, String fallbackValue) {
    this.flagType = type;
    this.flagKey = key;
    this.fallback = unescape(fallbackValue);
  }

  @Given("^a context containing a key \"(.*)\", with type \"(.*)\" and with value \"(.*)\"$")
  public void aContextValue(String key, String type, String value) {
    addToContext(key, type, unescape(value));
  }

  @Given("^a context containing a targeting key with value \"(.*)\"$")
  public void aTargetingKey(String value) {
    context.setTargetingKey(unescape(value));
  }

  @Given("^a context containing a nested property with outer key \"(.*)\" and inner key \"(.*)\", with value \"(.*)\"$")
  public void aNestedProperty(String outer, String inner, String value) {
    Value existing = context.getValue(outer);
    MutableStructure structure = existing != null && existing.isStructure()
        ? new MutableStructure(existing.asStructure().asMap()) : new MutableStructure();
    structure.add(inner, unescape(value));
    context.add(outer, structure);
  }

  @When("the flag was evaluated with details")
  public void evaluate() {
    assertThat(client).as("an evaluator").isNotNull();
    assertThat(flagKey).as("a flag").isNotNull();
    switch (flagType) {
      case "Boolean":
        details = client.getBooleanDetails(flagKey, parseBoolean(fallback), context);
        break;
      case "String":
        details = client.getStringDetails(flagKey, fallback, context);
        break;
      case "Integer":
        details = client.getIntegerDetails(flagKey, Integer.parseInt(fallback), context);
        break;
      case "Float":
        details = client.getDoubleDetails(flagKey, Double.parseDouble(fallback), context);
        break;
      case "Object":
        details = client.getObjectDetails(flagKey, toValue(JsonReader.read(fallback)), context);
        break;
      default:
        throw new IllegalArgumentException("unknown flag type " + flagType);
    }
  }

  @Then("^the resolved details value should be \"(.*)\"$")
  public void theValueShouldBe(String expected) {
    String text = unescape(expected);
    Object actual = details.getValue();
    switch (flagType) {
      case "Boolean":
        assertThat(actual).as(describe()).isEqualTo(parseBoolean(text));
        break;
      case "String":
        assertThat(actual).as(describe()).isEqualTo(text);
        break;
      case "Integer":
        assertThat(actual).as(describe()).isEqualTo(Integer.parseInt(text));
        break;
      case "Float":
        assertThat(actual).as(describe()).isInstanceOf(Double.class);
        assertThat((Double) actual).as(describe()).isEqualTo(Double.parseDouble(text));
        break;
      case "Object":
        assertThat(actual).as(describe()).isInstanceOf(Value.class);
        assertSameJson(JsonReader.read(text), (Value) actual, "$");
        break;
      default:
        throw new IllegalArgumentException("unknown flag type " + flagType);
    }
  }

  @Then("^the reason should be \"(.*)\"$")
  public void theReasonShouldBe(String reason) {
    assertThat(details.getReason()).as(describe()).isEqualTo(reason);
  }

  @Then("^the error-code should be \"(.*)\"$")
  public void theErrorCodeShouldBe(String code) {
    ErrorCode expected = code.isEmpty() ? null : ErrorCode.valueOf(code);
    assertThat(details.getErrorCode()).as(describe()).isEqualTo(expected);
  }

  @Then("the resolved metadata should contain")
  public void theMetadataShouldContain(DataTable table) {
    ImmutableMetadata metadata = details.getFlagMetadata();
    for (Map<String, String> row : table.asMaps()) {
      String key = row.get("key");
      String value = row.get("value");
      String type = row.get("metadata_type");
      Object actual;
      Object expected;
      switch (type) {
        case "String":
          actual = metadata.getString(key);
          expected = value;
          break;
        case "Integer":
          actual = metadata.getInteger(key);
          expected = Integer.parseInt(value);
          break;
        case "Long":
          actual = metadata.getLong(key);
          expected = Long.parseLong(value);
          break;
        case "Float":
          actual = metadata.getDouble(key);
          expected = Double.parseDouble(value);
          break;
        case "Boolean":
          actual = metadata.getBoolean(key);
          expected = parseBoolean(value);
          break;
        default:
          throw new IllegalArgumentException("unknown metadata type " + type);
      }
      assertThat(actual).as("metadata %s (%s) of %s", key, type, describe()).isEqualTo(expected);
    }
  }

  @Then("the resolved metadata is empty")
  public void theMetadataIsEmpty() {
    assertThat(details.getFlagMetadata().asUnmodifiableMap()).as(describe()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  private String describe() {
    return flagType + " flag \"" + flagKey + "\" with " + context.asObjectMap() + " -> " + details;
  }

  /** Adds a context value of the kit's type; an empty cell is the empty string for String, else an error. */
  private void addToContext(String key, String type, String text) {
    switch (type) {
      case "String":
        context.add(key, text);
        break;
      case "Integer":
        context.add(key, Integer.parseInt(text));
        break;
      case "Float":
        context.add(key, Double.parseDouble(text));
        break;
      case "Boolean":
        context.add(key, parseBoolean(text));
        break;
      default:
        throw new IllegalArgumentException("unknown context value type " + type);
    }
  }

  private static boolean parseBoolean(String text) {
    if ("true".equals(text) || "false".equals(text)) {
      return Boolean.parseBoolean(text);
    }
    throw new IllegalArgumentException("not a boolean: \"" + text + "\"");
  }

  /** The kit writes quotes inside quoted step arguments as {@code \"}. */
  static String unescape(String text) {
    return text.replace("\\\"", "\"");
  }

  /** Plain JSON (maps, lists, scalars) as an OpenFeature value. */
  static Value toValue(Object json) {
    if (json == null) {
      return new Value();
    }
    if (json instanceof Map) {
      MutableStructure s = new MutableStructure();
      ((Map<?, ?>) json).forEach((k, v) -> s.add((String) k, toValue(v)));
      return new Value(s);
    }
    if (json instanceof List) {
      return new Value(((List<?>) json).stream().map(EvaluatorSteps::toValue).toList());
    }
    if (json instanceof Long) {
      return new Value(((Long) json).doubleValue());
    }
    if (json instanceof Number) {
      return new Value(((Number) json).doubleValue());
    }
    if (json instanceof Boolean) {
      return new Value((Boolean) json);
    }
    return new Value((String) json);
  }

  /** Compares structurally; numbers compare by numeric value, whatever their Java type. */
  static void assertSameJson(Object expected, Value actual, String path) {
    if (expected == null) {
      assertThat(actual.isNull()).as("%s is null, got %s", path, actual).isTrue();
    } else if (expected instanceof Map) {
      assertThat(actual.isStructure()).as("%s is an object, got %s", path, actual).isTrue();
      Structure s = actual.asStructure();
      Map<?, ?> members = (Map<?, ?>) expected;
      assertThat(s.keySet()).as("%s members", path).isEqualTo(members.keySet());
      members.forEach((k, v) -> assertSameJson(v, s.getValue((String) k), path + "." + k));
    } else if (expected instanceof List) {
      assertThat(actual.isList()).as("%s is an array, got %s", path, actual).isTrue();
      List<?> elements = (List<?>) expected;
      List<Value> values = actual.asList();
      assertThat(values).as("%s length", path).hasSize(elements.size());
      for (int i = 0; i < elements.size(); i++) {
        assertSameJson(elements.get(i), values.get(i), path + "[" + i + "]");
      }
    } else if (expected instanceof Number) {
      assertThat(actual.isNumber()).as("%s is a number, got %s", path, actual).isTrue();
      assertThat(actual.asDouble()).as(path).isEqualTo(((Number) expected).doubleValue());
    } else if (expected instanceof Boolean) {
      assertThat(actual.isBoolean()).as("%s is a boolean, got %s", path, actual).isTrue();
      assertThat(actual.asBoolean()).as(path).isEqualTo(expected);
    } else if (expected instanceof String) {
      assertThat(actual.isString()).as("%s is a string, got %s", path, actual).isTrue();
      assertThat(actual.asString()).as(path).isEqualTo(expected);
    } else {
      fail("unexpected JSON value at " + path + ": " + expected);
    }
  }
}
