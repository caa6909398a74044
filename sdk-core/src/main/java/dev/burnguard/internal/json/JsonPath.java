package dev.burnguard.internal.json;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * A mutable JSON path in the JSONPath dot/bracket notation ({@code $.flags['my flag'].variants[0]}),
 * used to say where in a document an error is. Not thread-safe. Internal, not for public use.
 */
public final class JsonPath {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");

  private final Deque<String> segments = new ArrayDeque<>();

  public void pushKey(String key) {
    segments.addLast(keySegment(key));
  }

  public void pushIndex(int index) {
    segments.addLast("[" + index + "]");
  }

  public void pop() {
    segments.removeLast();
  }

  /** Appends a member name to a path string. */
  public static String child(String parent, String key) {
    return parent + keySegment(key);
  }

  /** Appends an array index to a path string. */
  public static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }

  private static String keySegment(String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return "." + key;
    }
    return "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("$");
    for (String s : segments) {
      sb.append(s);
    }
    return sb.toString();
  }
}
