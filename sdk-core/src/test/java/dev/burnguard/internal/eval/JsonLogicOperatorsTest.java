package dev.burnguard.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.json.JsonReader;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The JsonLogic operators, against results worked out by hand from json-logic-js's definitions
 * (the semantics flagd follows): JavaScript's {@code ==}, {@code <}, {@code Number()},
 * {@code parseFloat} (which {@code +} and {@code *} use), {@code String()}, {@code substr} and
 * {@code indexOf}. A NaN or infinite result is written {@code null}, as JSON has no such numbers.
 *
 * <p>Each row is {@code rule | expected result as JSON}, evaluated against {@link #DATA} with
 * targeting key "user-1".
 */
class JsonLogicOperatorsTest {
  static final String DATA = "{"
      + "\"a\": 1, \"b\": \"2\", \"s\": \"Springfield\", \"empty\": \"\", \"zero\": 0, \"t\": true, \"f\": false,"
      + "\"user\": {\"name\": \"Ada\", \"age\": 36, \"address\": {\"city\": \"Paris\"}},"
      + "\"tags\": [\"x\", \"y\", \"z\"],"
      + "\"matrix\": [[1, 2], [3, 4]],"
      + "\"nums\": [1, 2, 3, 4, 5],"
      + "\"pies\": [{\"filling\": \"pumpkin\", \"temp\": 110}, {\"filling\": \"apple\", \"temp\": 350}]"
      + "}";

  private static final EvaluationContext CONTEXT = context();

  private static EvaluationContext context() {
    Map<String, Value> attributes = new LinkedHashMap<>();
    ((Map<?, ?>) JsonReader.read(DATA)).forEach((k, v) -> attributes.put((String) k, value(v)));
    return new ImmutableContext("user-1", attributes);
  }

  static Value value(Object json) {
    if (json == null) {
      return new Value();
    }
    if (json instanceof Map) {
      Map<String, Value> members = new LinkedHashMap<>();
      ((Map<?, ?>) json).forEach((k, v) -> members.put((String) k, value(v)));
      return new Value(new ImmutableStructure(members));
    }
    if (json instanceof List) {
      return new Value(((List<?>) json).stream().map(JsonLogicOperatorsTest::value).collect(Collectors.toList()));
    }
    if (json instanceof Long || json instanceof Integer) {
      return new Value(Math.toIntExact(((Number) json).longValue()));
    }
    if (json instanceof Double) {
      return new Value((Double) json);
    }
    if (json instanceof Boolean) {
      return new Value((Boolean) json);
    }
    return new Value((String) json);
  }

  private static void check(String rule, String expected) {
    assertThat(Logic.json(Logic.eval(rule, CONTEXT))).as(rule).isEqualTo(Logic.expected(expected));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"var": "a"}                              | 1
      {"var": ["a"]}                            | 1
      {"var": ["a", 99]}                        | 1
      {"var": ["nope", 99]}                     | 99
      {"var": "nope"}                           | null
      {"var": "b"}                              | "2"
      # present but falsy values are returned, not the default
      {"var": ["empty", "d"]}                   | ""
      {"var": ["zero", 5]}                      | 0
      {"var": ["f", true]}                      | false
      # dotted paths through objects and arrays
      {"var": "user.name"}                      | "Ada"
      {"var": "user.address.city"}              | "Paris"
      {"var": "user.address.zip"}               | null
      {"var": ["user.address.zip", "00000"]}    | "00000"
      {"var": "user.name.first"}                | null
      {"var": "tags.1"}                         | "y"
      {"var": "tags.3"}                         | null
      {"var": ["tags.3", "none"]}               | "none"
      {"var": "matrix.1.0"}                     | 3
      {"var": "pies.1.filling"}                 | "apple"
      {"var": {"cat": ["user", ".", "age"]}}    | 36
      {"var": "targetingKey"}                   | "user-1"
      """)
  void var(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"missing": ["a", "nope", "user.name", "user.nope"]}   | ["nope", "user.nope"]
      # only null and "" count as missing
      {"missing": ["empty", "zero", "f"]}                    | ["empty"]
      {"missing": {"merge": ["a", ["nope"]]}}                | ["nope"]
      {"missing": []}                                        | []
      {"missing": "nope"}                                    | ["nope"]
      {"missing_some": [1, ["a", "nope", "nada"]]}           | []
      {"missing_some": [2, ["a", "nope", "nada"]]}           | ["nope", "nada"]
      {"missing_some": [2, ["a", "user.name", "nope"]]}      | []
      {"missing_some": [0, ["nope"]]}                        | []
      """)
  void missingAndMissingSome(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # in a string: String.prototype.indexOf, which converts the needle to a string
      {"in": ["Spring", {"var": "s"}]}          | true
      {"in": ["spring", {"var": "s"}]}          | false
      {"in": ["Spring", "Springfield"]}         | true
      {"in": ["", "abc"]}                       | true
      {"in": [1, "a1b"]}                        | true
      {"in": [null, "is null here"]}            | true
      {"in": [{"var": "nope"}, "abc"]}          | false
      # an empty string is falsy: json-logic-js answers false before searching
      {"in": ["", ""]}                          | false
      {"in": ["", {"var": "empty"}]}            | false
      # in an array: indexOf with strict equality
      {"in": ["y", {"var": "tags"}]}            | true
      {"in": ["q", {"var": "tags"}]}            | false
      {"in": ["b", ["a", "b"]]}                 | true
      {"in": [1, ["1", 2]]}                     | false
      {"in": [2, ["1", 2]]}                     | true
      {"in": [{"var": "a"}, ["1", "2"]]}        | false
      {"in": [{"var": "b"}, ["1", "2"]]}        | true
      {"in": [null, [1, null]]}                 | true
      # neither: false
      {"in": ["a", {"var": "nope"}]}            | false
      {"in": ["a", 42]}                         | false
      """)
  void in(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"cat": ["I love", " pie"]}               | "I love pie"
      {"cat": ["a", 1, 2.5, true, null]}        | "a12.5true"
      {"cat": [1.0, "x"]}                       | "1x"
      {"cat": [0.1, "x"]}                       | "0.1x"
      {"cat": [{"var": "tags"}, "!"]}           | "x,y,z!"
      {"cat": [{"var": "user.age"}, "y"]}       | "36y"
      {"cat": "solo"}                           | "solo"
      {"cat": []}                               | ""
      """)
  void cat(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"substr": ["jsonlogic", 4]}              | "logic"
      {"substr": ["jsonlogic", -5]}             | "logic"
      {"substr": ["jsonlogic", 1, 3]}           | "son"
      # a negative length stops that many characters before the end
      {"substr": ["jsonlogic", 4, -2]}          | "log"
      {"substr": ["jsonlogic", -5, -2]}         | "log"
      {"substr": ["jsonlogic", 0, 0]}           | ""
      {"substr": ["abc", 10]}                   | ""
      {"substr": ["abc", -10]}                  | "abc"
      {"substr": ["abc", 1, 10]}                | "bc"
      {"substr": ["abc", 1, -10]}               | ""
      {"substr": ["abc", 1.7]}                  | "bc"
      {"substr": ["abc", "1"]}                  | "bc"
      {"substr": [12345, 1, 2]}                 | "23"
      # no start: String.prototype.substr(undefined) is the whole string
      {"substr": ["abc"]}                       | "abc"
      {"substr": "abc"}                         | "abc"
      {"substr": [{"var": "user.name"}]}        | "Ada"
      """)
  void substr(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"merge": [[1, 2], [3], 4]}               | [1, 2, 3, 4]
      {"merge": [[1, [2]], 3]}                  | [1, [2], 3]
      {"merge": [{"var": "tags"}, "w"]}         | ["x", "y", "z", "w"]
      {"merge": "a"}                            | ["a"]
      {"merge": [null]}                         | [null]
      {"merge": []}                             | []
      """)
  void merge(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"+": [1, 2, 3]}                          | 6
      {"+": ["3", 4]}                           | 7
      {"+": "3.14"}                             | 3.14
      {"+": []}                                 | 0
      {"+": [0.1, 0.2]}                         | 0.30000000000000004
      {"+": [{"var": "a"}, {"var": "b"}]}       | 3
      {"+": [" 2 ", 1]}                         | 3
      # + and * read their operands with parseFloat: a numeric prefix counts, null/true/"" are NaN
      {"+": ["12px", 3]}                        | 15
      {"+": [1, null]}                          | null
      {"+": [1, {"var": "nope"}]}               | null
      {"+": [true, 1]}                          | null
      {"+": [1, ""]}                            | null
      {"+": ["1e"]}                             | 1
      {"+": ["1e+"]}                            | 1
      {"+": ["1.5e3x"]}                         | 1500
      {"+": ["2.e1"]}                           | 20
      {"+": [".5"]}                             | 0.5
      {"+": ["-.5"]}                            | -0.5
      {"+": ["."]}                              | null
      {"+": ["-"]}                              | null
      {"+": ["\\t -3 "]}                      | -3
      {"+": ["0x10"]}                           | 0
      {"+": ["1_000"]}                          | 1
      {"+": [["7", 8]]}                         | 7
      {"+": [{"var": "tags"}]}                  | null
      {"+": ["Infinityx"]}                      | null
      {"+": [2, "-Infinity"]}                   | null
      {"*": [2, 3, 4]}                          | 24
      {"*": [2, "1.5"]}                         | 3
      {"*": [2, "3x"]}                          | 6
      {"*": [2, ""]}                            | null
      {"*": [2, null]}                          | null
      {"*": []}                                 | null
      # -, / and % use Number(): null and "" are 0, true is 1
      {"-": [10, 4]}                            | 6
      {"-": [5, null]}                          | 5
      {"-": ["", 1]}                            | -1
      {"-": [true, 1]}                          | 0
      {"-": ["x", 1]}                           | null
      {"-": ["3px", 1]}                         | null
      # unary minus
      {"-": 2}                                  | -2
      {"-": [{"var": "a"}]}                     | -1
      {"-": "-3"}                               | 3
      {"/": [7, 2]}                             | 3.5
      {"/": ["9", 3]}                           | 3
      {"/": [1, 0]}                             | null
      {"%": [7, 3]}                             | 1
      {"%": [-7, 3]}                            | -1
      {"%": [7.5, 2]}                           | 1.5
      {"%": [7, 0]}                             | null
      """)
  void arithmetic(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"max": [1, 2, 3]}                            | 3
      {"min": [1, 2, 3]}                            | 1
      {"max": ["5", 3]}                             | 5
      {"min": [-1, "-2"]}                           | -2
      {"min": [null, 1]}                            | 0
      {"max": [{"var": "a"}, {"var": "user.age"}]}  | 36
      {"min": [1, "x"]}                             | null
      {"max": []}                                   | null
      {"min": []}                                   | null
      """)
  void minMax(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"all": [[1, 2, 3], {">": [{"var": ""}, 0]}]}                    | true
      {"all": [[1, -2, 3], {">": [{"var": ""}, 0]}]}                   | false
      {"all": [[], true]}                                              | false
      {"all": [{"var": "pies"}, {">": [{"var": "temp"}, 100]}]}        | true
      {"some": [[-1, 0, 1], {">": [{"var": ""}, 0]}]}                  | true
      {"some": [[-1, 0], {">": [{"var": ""}, 0]}]}                     | false
      {"some": [[], true]}                                             | false
      {"some": [{"var": "nope"}, true]}                                | false
      {"some": [{"var": "pies"}, {"==": [{"var": "filling"}, "apple"]}]} | true
      {"none": [[-1, 0], {">": [{"var": ""}, 0]}]}                     | true
      {"none": [[-1, 3], {">": [{"var": ""}, 0]}]}                     | false
      {"none": [[], true]}                                             | true
      {"none": [{"var": "nope"}, true]}                                | true
      {"map": [[1, 2, 3], {"*": [{"var": ""}, 2]}]}                    | [2, 4, 6]
      {"map": [{"var": "pies"}, {"var": "temp"}]}                      | [110, 350]
      {"map": [{"var": "matrix"}, {"var": 1}]}                         | [2, 4]
      {"map": [{"var": "nope"}, 1]}                                    | []
      # inside an array operator var reads the item, even a null one, never the context
      {"map": [[1, null], {"var": ""}]}                                | [1, null]
      {"map": [{"merge": [{"var": "pies"}, [null]]}, {"var": "temp"}]} | [110, 350, null]
      {"filter": [[0, null, "", "a"], {"var": ""}]}                    | ["a"]
      {"some": [[null], {"var": ""}]}                                  | false
      {"all": [[null], {"!": {"var": ""}}]}                            | true
      {"map": [[null], {"missing": ["a"]}]}                            | [["a"]]
      {"filter": [{"var": "nums"}, {"%": [{"var": ""}, 2]}]}           | [1, 3, 5]
      {"filter": [{"var": "nums"}, {">=": [{"var": ""}, 4]}]}          | [4, 5]
      {"filter": [{"var": "nope"}, true]}                              | []
      {"reduce": [{"var": "nums"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]} | 15
      {"reduce": [{"var": "nums"}, {"*": [{"var": "current"}, {"var": "accumulator"}]}, 1]} | 120
      {"reduce": [{"var": "pies"}, {"max": [{"var": "current.temp"}, {"var": "accumulator"}]}, 0]} | 350
      {"reduce": [{"var": "nope"}, {"+": [1, 2]}, 7]}                  | 7
      {"reduce": [[], {"+": [1, 2]}, 7]}                               | 7
      # no initial value: the accumulator starts as null, and parseFloat(null) is NaN
      {"reduce": [[1, 2], {"+": [{"var": "current"}, {"var": "accumulator"}]}]} | null
      # nested scopes
      {"map": [{"var": "matrix"}, {"reduce": [{"var": ""}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}]} | [3, 7]
      {"map": [{"var": "matrix"}, {"map": [{"var": ""}, {"+": [{"var": ""}, 1]}]}]} | [[2, 3], [4, 5]]
      """)
  void arrayOperators(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"==": [1, "1"]}                          | true
      {"===": [1, "1"]}                         | false
      {"==": [1, 1.0]}                          | true
      {"===": [1, 1.0]}                         | true
      {"==": [0, false]}                        | true
      {"===": [0, false]}                       | false
      {"==": ["", 0]}                           | true
      {"==": [null, false]}                     | false
      {"==": [null, 0]}                         | false
      {"==": [null, null]}                      | true
      {"==": [{"var": "nope"}, null]}           | true
      {"==": [true, "1"]}                       | true
      {"==": ["true", true]}                    | false
      {"===": [true, true]}                     | true
      {"==": [[1], 1]}                          | true
      {"==": [{"var": "tags"}, "x,y,z"]}        | true
      {"==": ["abc", "abc"]}                    | true
      {"==": [{"var": "b"}, 2]}                 | true
      {"===": [{"var": "b"}, 2]}                | false
      {"===": [{"var": "b"}, "2"]}              | true
      {"!=": [1, 2]}                            | true
      {"!=": [1, "1"]}                          | false
      {"!==": [1, "1"]}                         | true
      {"!==": [1, 1]}                           | false
      """)
  void equality(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"<": [1, 2]}                             | true
      {"<": [2, 1]}                             | false
      {"<": [1, 2, 3]}                          | true
      {"<": [1, 1, 3]}                          | false
      {"<": [1, 3, 3]}                          | false
      {"<": [1, 4, 3]}                          | false
      {"<=": [1, 1, 3]}                         | true
      {"<=": [1, 3, 3]}                         | true
      {"<=": [1, 4, 3]}                         | false
      {"<=": [2, 1, 3]}                         | false
      {">": [2, 1]}                             | true
      {">": [1, 1]}                             | false
      {">=": [1, 1]}                            | true
      {">": [true, false]}                      | true
      # two strings compare as strings, otherwise as numbers
      {">": ["b", "a"]}                         | true
      {"<": ["10", "9"]}                        | true
      {"<": ["10", 9]}                          | false
      {">": [{"var": "user.age"}, "35"]}        | true
      {"<": [null, 1]}                          | true
      {"<": [{"var": "nope"}, 1]}               | true
      {"<": ["abc", 1]}                         | false
      {">=": ["abc", 1]}                        | false
      {"<=": ["abc", 1]}                        | false
      {"<=": ["abc", "abc"]}                    | true
      """)
  void relations(String rule, String expected) {
    check(rule, expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"!": [true]}                             | false
      {"!": true}                               | false
      {"!": [[]]}                               | true
      {"!": ""}                                 | true
      {"!": ["0"]}                              | false
      {"!": [{"var": "nope"}]}                  | true
      {"!!": [[]]}                              | false
      {"!!": [["a"]]}                           | true
      {"!!": ["0"]}                             | true
      {"!!": [0]}                               | false
      {"!!": [{"var": "user"}]}                 | true
      {"!!": [{"var": "nope"}]}                 | false
      # and / or return the deciding operand, not a boolean
      {"and": [true, "a", 3]}                   | 3
      {"and": [true, "", 3]}                    | ""
      {"and": [{"var": "t"}, {"var": "user.name"}]} | "Ada"
      {"and": []}                               | null
      {"or": [false, 0, "a"]}                   | "a"
      {"or": [false, 0]}                        | 0
      {"or": [null, []]}                        | []
      {"or": [{"var": "nope"}, {"var": "b"}]}   | "2"
      {"if": [false, 1, true, 2, 3]}            | 2
      {"if": [false, 1, false, 2, 3]}           | 3
      {"if": [false, 1]}                        | null
      {"if": [true, 1]}                         | 1
      {"if": []}                                | null
      {"if": ["", "yes", "no"]}                 | "no"
      {"if": [[], "yes", "no"]}                 | "no"
      {"if": [[0], "yes", "no"]}                | "yes"
      {"?:": [true, "y", "n"]}                  | "y"
      """)
  void logic(String rule, String expected) {
    check(rule, expected);
  }
}
