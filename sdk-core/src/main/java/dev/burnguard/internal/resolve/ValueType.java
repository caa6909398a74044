package dev.burnguard.internal.resolve;

import dev.burnguard.internal.eval.Values;
import dev.openfeature.sdk.Value;

/** The value types OpenFeature resolves, with the conversion from a variant's JSON value. Internal, not for public use. */
enum ValueType {
  BOOLEAN,
  STRING,
  INTEGER,
  LONG,
  DOUBLE,
  OBJECT;

  static final ValueType[] ALL = values();

  static ValueType of(Class<?> type) {
    if (type == Boolean.class) {
      return BOOLEAN;
    }
    if (type == String.class) {
      return STRING;
    }
    if (type == Integer.class) {
      return INTEGER;
    }
    if (type == Long.class) {
      return LONG;
    }
    if (type == Double.class) {
      return DOUBLE;
    }
    if (type == Value.class) {
      return OBJECT;
    }
    return null;
  }

  /**
   * The variant value as this type, or null when it is not of this type. Integers accept integral
   * numbers in range; doubles accept any number.
   */
  Object convert(Object json, Value objectValue) {
    switch (this) {
      case BOOLEAN:
        return json instanceof Boolean ? json : null;
      case STRING:
        return json instanceof String ? json : null;
      case INTEGER:
        if (json instanceof Long && (Long) json == ((Long) json).intValue()) {
          return ((Long) json).intValue();
        }
        return integral(json) && Math.abs((Double) json) <= Integer.MAX_VALUE ? (int) (double) (Double) json : null;
      case LONG:
        if (json instanceof Long) {
          return json;
        }
        return integral(json) && Math.abs((Double) json) < 9.2e18 ? (long) (double) (Double) json : null;
      case DOUBLE:
        return json instanceof Number ? ((Number) json).doubleValue() : null;
      case OBJECT:
        return objectValue;
      default:
        throw new AssertionError(this);
    }
  }

  private static boolean integral(Object json) {
    return json instanceof Double && (Double) json == Math.rint((Double) json) && !((Double) json).isInfinite();
  }

  /** How a JSON value's type reads in a type-mismatch message. */
  static String describe(Object json) {
    return json instanceof Long ? "integer" : Values.jsonType(json);
  }
}
