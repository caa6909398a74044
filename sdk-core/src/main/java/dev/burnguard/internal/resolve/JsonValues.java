package dev.burnguard.internal.resolve;

import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts plain JSON values to OpenFeature {@link Value}s. Internal, not for public use. */
final class JsonValues {
  private JsonValues() {}

  /** Objects become immutable structures; integers that fit an int become Integer, as flagd's do. */
  static Value toValue(Object json) {
    if (json == null) {
      return new Value();
    }
    if (json instanceof Map) {
      Map<String, Value> members = new LinkedHashMap<>();
      ((Map<?, ?>) json).forEach((k, v) -> members.put((String) k, toValue(v)));
      return new Value(new ImmutableStructure(members));
    }
    if (json instanceof List) {
      List<Value> elements = new ArrayList<>();
      for (Object e : (List<?>) json) {
        elements.add(toValue(e));
      }
      return new Value(java.util.Collections.unmodifiableList(elements));
    }
    if (json instanceof Long) {
      long l = (Long) json;
      return l == (int) l ? new Value((int) l) : new Value(l);
    }
    if (json instanceof Number) {
      return new Value(((Number) json).doubleValue());
    }
    if (json instanceof Boolean) {
      return new Value((Boolean) json);
    }
    return new Value((String) json);
  }
}
