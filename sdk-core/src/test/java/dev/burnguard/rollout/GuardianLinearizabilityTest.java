package dev.burnguard.rollout;

import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.guardian.Guardian;

import dev.burnguard.ReliabilityScale;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of a guardian's rollout state under concurrent ticks, manual decisions
 * (pause, resume, promote, rollback, reset), clock moves, failing traffic and exposure reads (the
 * gate an evaluation serves): every execution must be linearizable — each operation's result (the
 * decisions it applied, or the exception refusing it, and the exposure read) is what some
 * sequential order of the same operations gives — and every decision must be a legal transition
 * chained to the one before ({@link LegalTransitions}). The sequential specification is the
 * guardian itself, run one operation at a time.
 *
 * <p>Failing traffic and ticks share one thread: a tick reads several windows, and traffic recorded
 * between two of its reads is not a sequential order of the two (the recorder's reads are not
 * snapshots across windows, nor meant to be).
 */
public class GuardianLinearizabilityTest {
  private static final String FLAG = "checkout";
  private static final String PERSON = "person:test";
  private static final RolloutPlan PLAN = RolloutPlan.builder("old", "new")
      .stages(List.of(new Stage(10, Duration.ofMinutes(1), 0), new Stage(50, Duration.ofMinutes(1), 0),
          new Stage(100, Duration.ofMinutes(1), 0)))
      .coolDown(Duration.ofMinutes(1))
      .watch(Duration.ofMinutes(2))
      .build();

  private final ManualClock clock = new ManualClock();
  private final SliRecorder recorder = SliRecorder.builder().clock(clock).build();
  private final LegalTransitions transitions = new LegalTransitions(List.of(PLAN));
  private final Guardian guardian = new Guardian(clock, recorder, d -> { }, gates -> { });

  public GuardianLinearizabilityTest() {
    guardian.addListener(transitions);
    guardian.plans(Map.of(FLAG, PLAN));
  }

  @Operation(nonParallelGroup = "judge")
  public String tick() {
    StringBuilder out = new StringBuilder();
    for (Decision d : guardian.tick()) {
      out.append(summary(d)).append(';');
    }
    return out.toString();
  }

  /** Three failed candidate calls: enough for the fast-burn rule to roll back at the next tick. */
  @Operation(nonParallelGroup = "judge")
  public void fail() {
    for (int i = 0; i < 3; i++) {
      recorder.record(FLAG, PLAN.candidate(), 1_000_000, Outcome.ERROR);
    }
  }

  @Operation
  public void advance(@Param(gen = IntGen.class, conf = "1:2") int minutes) {
    clock.advance(Duration.ofMinutes(minutes));
  }

  @Operation
  public String pause() {
    return summary(guardian.pause(FLAG, PERSON));
  }

  @Operation
  public String resume() {
    return summary(guardian.resume(FLAG, PERSON));
  }

  @Operation
  public String promote() {
    return summary(guardian.promote(FLAG, PERSON));
  }

  @Operation
  public String rollback() {
    return summary(guardian.rollback(FLAG, PERSON));
  }

  @Operation
  public String reset() {
    return summary(guardian.reset(FLAG, PERSON));
  }

  /** What an evaluation of the flag is served: the gate's exposure and its status label. */
  @Operation
  public String exposure() {
    ExposureGate gate = guardian.gates().get(FLAG);
    return gate.exposure() + " " + gate.metadata().get(Guardian.STATUS_METADATA);
  }

  @Validate
  public void everyTransitionWasLegal() {
    // a plain AssertionError: AssertJ cannot initialize inside Lincheck's instrumented validation
    if (!transitions.violations().isEmpty()) {
      throw new AssertionError("illegal transitions: " + transitions.violations());
    }
  }

  private static String summary(Decision d) {
    RolloutState s = d.after();
    return d.action() + "->" + s.status() + "@" + s.stage() + "/" + s.exposure();
  }

  @Test
  void guardianOperationsAreLinearizableAndLegalUnderModelChecking() {
    new ModelCheckingOptions()
        .iterations(3 * ReliabilityScale.factor())
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(3)
        .loopBound(1_000) // a tick reads windows of up to 72 buckets: long loops, not livelocks
        .check(GuardianLinearizabilityTest.class);
  }

  @Test
  void guardianOperationsAreLinearizableAndLegalUnderStress() {
    new StressOptions()
        .iterations(2 * ReliabilityScale.factor())
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .minimizeFailedScenario(false) // minimizing a stress failure takes minutes
        .check(GuardianLinearizabilityTest.class);
  }
}
