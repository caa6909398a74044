package dev.burnguard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.ReliabilityScale;
import dev.openfeature.sdk.EvaluationContext;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, item 1: whatever the flag file and whatever the context, evaluating a flag never throws.
 * Random flag files (see {@link FlagFiles}) are loaded into one provider as reloads of its source,
 * and every flag in them, plus flags that do not exist, is evaluated as each of the six OpenFeature
 * types against random contexts (see {@link Contexts}), on the provider directly and through an
 * OpenFeature client; {@link EvaluationHarness} says what each result must be.
 *
 * <p>Seeded generators in plain JUnit (see {@link SeededRuns}: a failure prints the seed that
 * replays it), with a fixed budget times {@code -Dburnguard.reliability.scale} (10 under
 * {@code -Plong}): at least 10^5 evaluations in CI, 10^6 under {@code -Plong}, which the last test
 * of the class checks. {@link EvaluationFuzzTest} fuzzes the same checks under Jazzer.
 */
class NeverThrowsPropertiesTest {
  /** The evaluations the default build makes at least; -Plong ten times as many. */
  static final long EVALUATION_BUDGET = 100_000;

  @BeforeAll
  static void startProvider() {
    EvaluationHarness.start();
  }

  @AfterAll
  static void report() {
    EvaluationHarness.stop();
    long evaluations = EvaluationHarness.EVALUATIONS.sum();
    System.out.printf("%s: %,d flag files (%,d rejected), %,d evaluations, none threw%n",
        NeverThrowsPropertiesTest.class.getSimpleName(), EvaluationHarness.FILES.sum(),
        EvaluationHarness.REJECTED.sum(), evaluations);
  }

  /** Until the budget of evaluations is spent: 400 flag files at least (times the scale). */
  @Test
  void evaluatingAnyFlagInAnyContextGivesAResultAndNeverThrows() {
    long before = EvaluationHarness.EVALUATIONS.sum();
    long budget = EVALUATION_BUDGET * ReliabilityScale.factor();
    int tries = SeededRuns.runUntil("evaluation", 400 * ReliabilityScale.factor(),
        done -> EvaluationHarness.EVALUATIONS.sum() - before >= budget,
        seed -> {
          Entropy e = Entropy.seeded(seed);
          String json = FlagFiles.json(e);
          List<EvaluationContext> contexts = e.list(3, 8, () -> Contexts.context(e));
          EvaluationHarness.evaluateEverything(json, contexts);
        });
    assertThat(EvaluationHarness.EVALUATIONS.sum() - before).as("evaluations in %d tries", tries)
        .isGreaterThanOrEqualTo(budget);
  }

  @Test
  void aFlagFileIsLoadedOrRefusedWithTheJsonPathOfEachProblem() {
    SeededRuns.run("parse", 300, seed -> EvaluationHarness.parseEitherWay(FlagFiles.json(Entropy.seeded(seed))));
  }

  /** Flag files, and the same cut short or with a character changed: mostly malformed JSON. */
  @Test
  void damagedFlagFilesAreRefusedWithTheJsonPathOfEachProblem() {
    SeededRuns.run("damaged", 300, seed -> {
      Entropy e = Entropy.seeded(seed);
      String json = damage(e, FlagFiles.json(e));
      EvaluationHarness.parseEitherWay(json);
      EvaluationHarness.load(json);
    });
  }

  /** {@code json} cut short, with a character inserted, or with one replaced. */
  static String damage(Entropy e, String json) {
    int i = e.between(0, json.length());
    char c = e.pick('{', '}', '[', ']', '"', ',', ':', '\\', '0', 'e', '-', '\u0000');
    switch (e.between(0, 2)) {
      case 0: return json.substring(0, i);
      case 1: return json.substring(0, i) + c + json.substring(i);
      default: return i < json.length() ? json.substring(0, i) + c + json.substring(i + 1) : json;
    }
  }
}
