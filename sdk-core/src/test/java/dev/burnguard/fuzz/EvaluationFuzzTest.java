package dev.burnguard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.openfeature.sdk.EvaluationContext;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The checks of {@link NeverThrowsPropertiesTest} under Jazzer's coverage-guided, structured
 * fuzzing: the fuzzer's input drives every choice of the flag-file and context generators (through
 * {@link Entropy#fuzzed}), so it steers towards the rules and contexts that reach new code, and the
 * same input may also be damaged as the seeded test damages files.
 *
 * <p>The default build replays the committed inputs in {@code EvaluationFuzzTestInputs/evaluation/};
 * {@code mvn -B -pl sdk-core -am test -Pfuzz -Dtest=EvaluationFuzzTest} fuzzes for the
 * {@code maxDuration} below.
 */
class EvaluationFuzzTest {
  @BeforeAll
  static void startProvider() {
    EvaluationHarness.start();
  }

  @AfterAll
  static void stopProvider() {
    EvaluationHarness.stop();
  }

  @Timeout(30)
  @FuzzTest(maxDuration = "5m")
  void evaluation(FuzzedDataProvider data) {
    Entropy e = Entropy.fuzzed(data);
    String json = FlagFiles.json(e);
    if (e.chance(8)) {
      json = NeverThrowsPropertiesTest.damage(e, json);
    }
    List<EvaluationContext> contexts = e.list(1, 4, () -> Contexts.context(e));
    EvaluationHarness.parseEitherWay(json);
    EvaluationHarness.evaluateEverything(json, contexts);
  }
}
