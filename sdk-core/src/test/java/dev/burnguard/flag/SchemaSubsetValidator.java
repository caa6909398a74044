package dev.burnguard.flag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against a JSON Schema that uses only the handful of draft 2020-12 keywords
 * our flag-file schema uses, so that tests can check flag files against the schema without a
 * schema-validator dependency. A schema with any other keyword is refused, so that the schema
 * cannot quietly outgrow this checker.
 */
final class SchemaSubsetValidator {
  /** Keywords that only annotate. */
  private static final Set<String> ANNOTATIONS = Set.of("$schema", "title", "description", "default", "$defs");
  private static final Set<String> ASSERTIONS = Set.of("$ref", "type", "properties", "required", "additionalProperties",
      "propertyNames", "enum", "anyOf", "items", "minItems", "minProperties", "minLength", "pattern", "minimum",
      "maximum", "exclusiveMinimum", "exclusiveMaximum");

  private final Map<?, ?> root;

  SchemaSubsetValidator(Map<?, ?> root) {
    this.root = root;
    checkKeywords(root, "#");
  }

  /** Every keyword used anywhere in the schema. */
  static void checkKeywords(Object schema, String at) {
    if (!(schema instanceof Map)) {
      throw new IllegalArgumentException(at + ": a schema must be an object");
    }
    for (Map.Entry<?, ?> e : ((Map<?, ?>) schema).entrySet()) {
      String k = (String) e.getKey();
      Object v = e.getValue();
      if (!ANNOTATIONS.contains(k) && !ASSERTIONS.contains(k)) {
        throw new IllegalArgumentException(at + ": keyword " + k + " is not supported by this checker");
      }
      switch (k) {
        case "properties", "$defs" -> ((Map<?, ?>) v).forEach((name, s) -> checkKeywords(s, at + "/" + k + "/" + name));
        case "additionalProperties" -> {
          if (!(v instanceof Boolean)) {
            checkKeywords(v, at + "/" + k);
          }
        }
        case "items", "propertyNames" -> checkKeywords(v, at + "/" + k);
        case "anyOf" -> {
          List<?> list = (List<?>) v;
          for (int i = 0; i < list.size(); i++) {
            checkKeywords(list.get(i), at + "/anyOf/" + i);
          }
        }
        default -> { }
      }
    }
  }

  /** The violations of {@code instance}, each as "JSON path: what"; empty when it conforms. */
  List<String> validate(Object instance) {
    List<String> errors = new ArrayList<>();
    validate(root, instance, "$", errors);
    return errors;
  }

  private void validate(Map<?, ?> schema, Object v, String path, List<String> errors) {
    if (schema.containsKey("$ref")) {
      validate(resolve((String) schema.get("$ref")), v, path, errors);
    }
    if (schema.containsKey("type") && !hasType(schema.get("type"), v)) {
      errors.add(path + ": not of type " + schema.get("type"));
      return;
    }
    if (schema.containsKey("enum") && !((List<?>) schema.get("enum")).contains(v)) {
      errors.add(path + ": not one of " + schema.get("enum"));
    }
    if (schema.containsKey("anyOf")) {
      boolean any = false;
      for (Object alternative : (List<?>) schema.get("anyOf")) {
        List<String> sub = new ArrayList<>();
        validate((Map<?, ?>) alternative, v, path, sub);
        any |= sub.isEmpty();
      }
      if (!any) {
        errors.add(path + ": matches none of anyOf");
      }
    }
    if (v instanceof Map) {
      object(schema, (Map<?, ?>) v, path, errors);
    } else if (v instanceof List) {
      List<?> list = (List<?>) v;
      if (schema.containsKey("minItems") && list.size() < ((Number) schema.get("minItems")).intValue()) {
        errors.add(path + ": fewer than " + schema.get("minItems") + " items");
      }
      if (schema.containsKey("items")) {
        for (int i = 0; i < list.size(); i++) {
          validate((Map<?, ?>) schema.get("items"), list.get(i), path + "[" + i + "]", errors);
        }
      }
    } else if (v instanceof String) {
      string(schema, (String) v, path, errors);
    } else if (v instanceof Number) {
      number(schema, ((Number) v).doubleValue(), path, errors);
    }
  }

  private void object(Map<?, ?> schema, Map<?, ?> v, String path, List<String> errors) {
    Map<?, ?> properties = schema.containsKey("properties") ? (Map<?, ?>) schema.get("properties") : Map.of();
    if (schema.containsKey("required")) {
      for (Object name : (List<?>) schema.get("required")) {
        if (!v.containsKey(name)) {
          errors.add(path + ": missing required " + name);
        }
      }
    }
    if (schema.containsKey("minProperties") && v.size() < ((Number) schema.get("minProperties")).intValue()) {
      errors.add(path + ": fewer than " + schema.get("minProperties") + " members");
    }
    Object additional = schema.get("additionalProperties");
    for (Map.Entry<?, ?> e : v.entrySet()) {
      String name = (String) e.getKey();
      String at = path + "." + name;
      if (schema.containsKey("propertyNames")) {
        validate((Map<?, ?>) schema.get("propertyNames"), name, at + " (name)", errors);
      }
      if (properties.containsKey(name)) {
        validate((Map<?, ?>) properties.get(name), e.getValue(), at, errors);
      } else if (Boolean.FALSE.equals(additional)) {
        errors.add(at + ": not allowed");
      } else if (additional instanceof Map) {
        validate((Map<?, ?>) additional, e.getValue(), at, errors);
      }
    }
  }

  private static void string(Map<?, ?> schema, String s, String path, List<String> errors) {
    if (schema.containsKey("minLength") && s.codePointCount(0, s.length()) < ((Number) schema.get("minLength")).intValue()) {
      errors.add(path + ": shorter than " + schema.get("minLength"));
    }
    if (schema.containsKey("pattern") && !Pattern.compile((String) schema.get("pattern")).matcher(s).find()) {
      errors.add(path + ": does not match " + schema.get("pattern"));
    }
  }

  private static void number(Map<?, ?> schema, double d, String path, List<String> errors) {
    if (schema.containsKey("minimum") && d < ((Number) schema.get("minimum")).doubleValue()) {
      errors.add(path + ": below minimum " + schema.get("minimum"));
    }
    if (schema.containsKey("maximum") && d > ((Number) schema.get("maximum")).doubleValue()) {
      errors.add(path + ": above maximum " + schema.get("maximum"));
    }
    if (schema.containsKey("exclusiveMinimum") && d <= ((Number) schema.get("exclusiveMinimum")).doubleValue()) {
      errors.add(path + ": not above " + schema.get("exclusiveMinimum"));
    }
    if (schema.containsKey("exclusiveMaximum") && d >= ((Number) schema.get("exclusiveMaximum")).doubleValue()) {
      errors.add(path + ": not below " + schema.get("exclusiveMaximum"));
    }
  }

  private static boolean hasType(Object type, Object v) {
    if (type instanceof List) {
      return ((List<?>) type).stream().anyMatch(t -> hasType(t, v));
    }
    switch ((String) type) {
      case "object": return v instanceof Map;
      case "array": return v instanceof List;
      case "string": return v instanceof String;
      case "boolean": return v instanceof Boolean;
      case "null": return v == null;
      case "number": return v instanceof Number;
      case "integer": return v instanceof Long || v instanceof Double && (Double) v == Math.rint((Double) v);
      default: throw new IllegalArgumentException("unknown type " + type);
    }
  }

  private Map<?, ?> resolve(String ref) {
    if (!ref.startsWith("#/$defs/")) {
      throw new IllegalArgumentException("only local #/$defs/ references are supported: " + ref);
    }
    Object target = ((Map<?, ?>) root.get("$defs")).get(ref.substring("#/$defs/".length()));
    if (!(target instanceof Map)) {
      throw new IllegalArgumentException("unresolvable $ref " + ref);
    }
    return (Map<?, ?>) target;
  }
}
