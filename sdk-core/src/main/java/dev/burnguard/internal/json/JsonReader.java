package dev.burnguard.internal.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON reader producing plain Java values: {@link Map} (insertion-ordered, keys
 * unique), {@link List}, {@link String}, {@link Long} for integers that fit, {@link Double} for all
 * other numbers, {@link Boolean} and {@code null}.
 *
 * <p>Errors name the line, column and JSON path where reading stopped. Nesting depth is bounded so
 * that hostile input cannot overflow the stack. Internal, not for public use.
 */
public final class JsonReader {
  /** Deeper documents are rejected; flag files are a few levels deep. */
  public static final int MAX_DEPTH = 256;

  private final String text;
  private final JsonPath path = new JsonPath();
  /**
   * One instance per distinct string in a document, so that a variant name written in targeting is
   * the same object as the variant's key and resolving it compares references, not characters.
   */
  private final Map<String, String> strings = new HashMap<>();
  private int pos;
  private int depth;

  private JsonReader(String text) {
    this.text = text;
  }

  /**
   * Reads one JSON document.
   *
   * @throws JsonSyntaxException naming line, column and JSON path of the first error
   */
  public static Object read(String text) {
    JsonReader reader = new JsonReader(text);
    reader.skipWhitespace();
    if (reader.pos >= text.length()) {
      throw reader.error("empty document");
    }
    Object value = reader.readValue();
    reader.skipWhitespace();
    if (reader.pos < text.length()) {
      throw reader.error("unexpected content after the JSON document: " + reader.peekSnippet());
    }
    return value;
  }

  private Object readValue() {
    skipWhitespace();
    if (pos >= text.length()) {
      throw error("unexpected end of input, expected a value");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return readObject();
      case '[':
        return readArray();
      case '"':
        return readString();
      case 't':
        return readLiteral("true", Boolean.TRUE);
      case 'f':
        return readLiteral("false", Boolean.FALSE);
      case 'n':
        return readLiteral("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return readNumber();
        }
        throw error("unexpected character " + describe(c) + ", expected a value");
    }
  }

  private Map<String, Object> readObject() {
    enter();
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (consume('}')) {
      depth--;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (pos >= text.length() || text.charAt(pos) != '"') {
        throw error("expected a quoted member name");
      }
      String key = readString();
      skipWhitespace();
      if (!consume(':')) {
        throw error("expected ':' after member name \"" + key + "\"");
      }
      path.pushKey(key);
      if (map.containsKey(key)) {
        throw error("duplicate member name \"" + key + "\"");
      }
      map.put(key, readValue());
      path.pop();
      skipWhitespace();
      if (consume(',')) {
        continue;
      }
      if (consume('}')) {
        depth--;
        return Collections.unmodifiableMap(map);
      }
      throw error("expected ',' or '}' in object");
    }
  }

  private List<Object> readArray() {
    enter();
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (consume(']')) {
      depth--;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      path.pushIndex(list.size());
      list.add(readValue());
      path.pop();
      skipWhitespace();
      if (consume(',')) {
        continue;
      }
      if (consume(']')) {
        depth--;
        return Collections.unmodifiableList(list);
      }
      throw error("expected ',' or ']' in array");
    }
  }

  private String readString() {
    pos++; // opening quote
    StringBuilder sb = null;
    int start = pos;
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
        pos++;
        String canonical = strings.putIfAbsent(s, s);
        return canonical == null ? s : canonical;
      }
      if (c < 0x20) {
        throw error("control character " + describe(c) + " must be escaped in a string");
      }
      if (c == '\\') {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(text, start, pos);
        pos++;
        if (pos >= text.length()) {
          throw error("unterminated escape sequence");
        }
        char e = text.charAt(pos++);
        switch (e) {
          case '"': sb.append('"'); break;
          case '\\': sb.append('\\'); break;
          case '/': sb.append('/'); break;
          case 'b': sb.append('\b'); break;
          case 'f': sb.append('\f'); break;
          case 'n': sb.append('\n'); break;
          case 'r': sb.append('\r'); break;
          case 't': sb.append('\t'); break;
          case 'u':
            if (pos + 4 > text.length()) {
              throw error("truncated \\u escape");
            }
            int code = 0;
            for (int i = 0; i < 4; i++) {
              int digit = Character.digit(text.charAt(pos + i), 16);
              if (digit < 0) {
                throw error("invalid \\u escape \"\\u" + text.substring(pos, pos + 4) + "\"");
              }
              code = code * 16 + digit;
            }
            pos += 4;
            sb.append((char) code);
            break;
          default:
            pos--;
            throw error("invalid escape character " + describe(e));
        }
        start = pos;
      } else {
        pos++;
      }
    }
  }

  private Object readNumber() {
    int start = pos;
    boolean integral = true;
    consume('-');
    if (consume('0')) {
      // a leading zero may not be followed by more digits
      if (pos < text.length() && isDigit(text.charAt(pos))) {
        throw error("leading zeros are not allowed in numbers");
      }
    } else if (!consumeDigits()) {
      throw error("expected a digit");
    }
    if (consume('.')) {
      integral = false;
      if (!consumeDigits()) {
        throw error("expected a digit after the decimal point");
      }
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (!consume('+')) {
        consume('-');
      }
      if (!consumeDigits()) {
        throw error("expected a digit in the exponent");
      }
    }
    String literal = text.substring(start, pos);
    if (integral && literal.length() <= 19) {
      try {
        return Long.parseLong(literal);
      } catch (NumberFormatException tooBig) {
        // falls through to double
      }
    }
    return Double.parseDouble(literal);
  }

  private Object readLiteral(String literal, Object value) {
    if (!text.startsWith(literal, pos)) {
      throw error("unexpected token " + peekSnippet() + ", expected a value");
    }
    pos += literal.length();
    return value;
  }

  private boolean consumeDigits() {
    int start = pos;
    while (pos < text.length() && isDigit(text.charAt(pos))) {
      pos++;
    }
    return pos > start;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private boolean consume(char c) {
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else if (c == '\uFEFF' && pos == 0) {
        pos++; // tolerate a byte-order mark at the start
      } else {
        return;
      }
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
  }

  private String peekSnippet() {
    int end = Math.min(text.length(), pos + 16);
    return "\"" + text.substring(pos, end) + (end < text.length() ? "…" : "") + "\"";
  }

  private static String describe(char c) {
    return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  private JsonSyntaxException error(String message) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < pos && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new JsonSyntaxException(message, line, column, path.toString());
  }
}
