package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import dev.burnguard.internal.store.InMemoryRolloutStore;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.NoOpProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builder hygiene (issue 13 item 5): conflicting settings refused with a message naming both, tuning
 * values given twice taking the last, and the optional executor for the guardian's timer.
 */
class ProviderBuilderHygieneTest {
  private static final String FLAGS = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";
  private static final String ONE_PLACE = ", set before: rollout state is kept in one place (a fleet keeps it in its"
      + " shared store); leave all unset for the default directory burnguard-state";

  @TempDir Path dir;

  private static BurnguardProvider.Builder builder() {
    return BurnguardProvider.builder().source(FlagSource.inline(FLAGS));
  }

  /** A fleet that is never joined here: only its name matters to the builder. */
  private static final Fleet FLEET = new Fleet() {
    @Override
    public Member join(Clock clock, Local local) {
      throw new UnsupportedOperationException("not joined in this test");
    }

    @Override
    public String toString() {
      return "TestFleet";
    }
  };

  // ------------------------------------------------------------------ where rollout state is kept

  @Test
  void aSecondPlaceForRolloutStateIsRefusedAtItsSetterNamingBoth() {
    Path state = dir.resolve("state");
    assertThatIllegalStateException().isThrownBy(() -> builder().stateDirectory(state).inMemoryRolloutState())
        .withMessage("inMemoryRolloutState() conflicts with stateDirectory(" + state + ")" + ONE_PLACE);
    RolloutStore store = new InMemoryRolloutStore();
    assertThatIllegalStateException().isThrownBy(() -> builder().inMemoryRolloutState().rolloutStore(store))
        .withMessage("rolloutStore(" + store + ") conflicts with inMemoryRolloutState()" + ONE_PLACE);
    assertThatIllegalStateException().isThrownBy(() -> builder().rolloutStore(store).stateDirectory(state))
        .withMessage("stateDirectory(" + state + ") conflicts with rolloutStore(" + store + ")" + ONE_PLACE);
  }

  @Test
  void aFleetKeepsTheRolloutStateSoNoOtherPlaceGoesWithIt() {
    RolloutStore store = new InMemoryRolloutStore();
    assertThatIllegalStateException().isThrownBy(() -> builder().fleet(FLEET).rolloutStore(store))
        .withMessage("rolloutStore(" + store + ") conflicts with fleet(TestFleet)" + ONE_PLACE);
    assertThatIllegalStateException().isThrownBy(() -> builder().inMemoryRolloutState().fleet(FLEET))
        .withMessage("fleet(TestFleet) conflicts with inMemoryRolloutState()" + ONE_PLACE);
    assertThatIllegalStateException().isThrownBy(() -> builder().fleet(FLEET).stateDirectory(dir))
        .withMessage("stateDirectory(" + dir + ") conflicts with fleet(TestFleet)" + ONE_PLACE);
  }

  @Test
  void theSamePlaceGivenTwiceIsRefusedWithBothValuesButInMemoryTwiceIsOne() {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    assertThatIllegalStateException().isThrownBy(() -> builder().stateDirectory(a).stateDirectory(b))
        .withMessage("stateDirectory was already set to " + a + "; got " + b);
    RolloutStore first = new InMemoryRolloutStore();
    RolloutStore second = new InMemoryRolloutStore();
    assertThatIllegalStateException().isThrownBy(() -> builder().rolloutStore(first).rolloutStore(second))
        .withMessage("rolloutStore was already set to " + first + "; got " + second);
    assertThatIllegalStateException().isThrownBy(() -> builder().fleet(FLEET).fleet(FLEET))
        .withMessage("fleet was already set to TestFleet; got TestFleet");
    BurnguardProvider provider = builder().inMemoryRolloutState().inMemoryRolloutState().build();
    assertThat(provider.health().stateLocation()).isEqualTo("memory");
  }

  @Test
  void theGuardedProvidersBuilderSharesTheChecks() {
    assertThatIllegalStateException()
        .isThrownBy(() -> GuardedProvider.builder(new NoOpProvider()).inMemoryRolloutState().stateDirectory(dir))
        .withMessage("stateDirectory(" + dir + ") conflicts with inMemoryRolloutState()" + ONE_PLACE);
    assertThatIllegalStateException()
        .isThrownBy(() -> GuardedProvider.builder(new NoOpProvider()).plans(dir.resolve("a.json"))
            .plans(dir.resolve("b.json")))
        .withMessage("plans was already set to " + dir.resolve("a.json") + "; got " + dir.resolve("b.json"));
  }

  // ------------------------------------------------------------------ other settings given twice

  @Test
  void aSecondSourceOrASecondPlanForTheSameFlagIsRefused() {
    assertThatIllegalStateException()
        .isThrownBy(() -> builder().source(FlagSource.file(dir.resolve("flags.json"))))
        .withMessage("source was already set to inline; got " + dir.resolve("flags.json"));
    assertThatIllegalStateException()
        .isThrownBy(() -> builder().rollout("checkout", RolloutPlan.builder("old", "new").build())
            .rollout("checkout", RolloutPlan.builder("new", "old").build()))
        .withMessage("rollout(\"checkout\", ...) was already set to new against old; got old against new");
  }

  @Test
  void tuningValuesGivenTwiceTakeTheLastOne() {
    BurnguardProvider provider = builder().inMemoryRolloutState()
        .latencyThresholds(Duration.ofMillis(100)).latencyThresholds(Duration.ofMillis(200), Duration.ofSeconds(1))
        .guardianTick(Duration.ofSeconds(5)).guardianTick(Duration.ofSeconds(2)).build();
    assertThat(provider.outcomes().latencyThresholds()).containsExactly(Duration.ofMillis(200), Duration.ofSeconds(1));
  }

  @Test
  void theSameLatencyThresholdTwiceIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder().latencyThresholds(Duration.ofMillis(300), Duration.ofMillis(300)))
        .withMessage("latency thresholds must differ, got [PT0.3S, PT0.3S]");
  }

  // ------------------------------------------------------------------ the guardian's timer

  @Test
  void aTickIntervalWithoutTheTimerIsRefusedAtBuildInEitherOrder() {
    String expected = "guardianTick(PT5S) conflicts with guardianTicking(false): without its timer the guardian"
        + " ticks only when Rollouts.tick() is called; remove one";
    assertThatIllegalStateException()
        .isThrownBy(() -> builder().guardianTick(Duration.ofSeconds(5)).guardianTicking(false).build())
        .withMessage(expected);
    assertThatIllegalStateException()
        .isThrownBy(() -> builder().guardianTicking(false).guardianTick(Duration.ofSeconds(5)).build())
        .withMessage(expected);
    // turned back on, the interval is used
    assertThat(builder().inMemoryRolloutState().guardianTicking(false).guardianTick(Duration.ofSeconds(5))
        .guardianTicking(true).build()).isNotNull();
  }

  @Test
  void anExecutorWithoutTheTimerIsRefusedAtBuild() {
    assertThatIllegalStateException()
        .isThrownBy(() -> builder().executor(new DrivenScheduler()).guardianTicking(false).build())
        .withMessage("executor(DrivenScheduler) conflicts with guardianTicking(false): the executor runs the"
            + " guardian's timer, which guardianTicking(false) turns off; remove one");
    assertThatIllegalStateException()
        .isThrownBy(() -> builder().executor(new DrivenScheduler()).executor(new DrivenScheduler()))
        .withMessage("executor was already set to DrivenScheduler; got DrivenScheduler");
  }

  /** A plan that advances on the first tick after a healthy candidate call: no bake time, one sample. */
  private static RolloutPlan advancesOnFirstTick() {
    return RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(50, Duration.ZERO, 1), new Stage(100, Duration.ZERO, 1))).minCandidateCalls(1).build();
  }

  private static void oneHealthyCandidateCall(BurnguardProvider provider, ManualClock clock) {
    provider.outcomes().record("checkout", "new", Duration.ofMillis(5).toNanos(), Outcome.SUCCESS);
    clock.advance(Duration.ofSeconds(10));
  }

  @Test
  void anExecutorGivenRunsTheGuardiansTickAndIsNotShutDownWithTheProvider() throws Exception {
    ManualClock clock = new ManualClock();
    DrivenScheduler executor = new DrivenScheduler();
    BurnguardProvider provider = builder().clock(clock).inMemoryRolloutState().executor(executor)
        .guardianTick(Duration.ofMillis(250)).rollout("checkout", advancesOnFirstTick()).build();
    provider.initialize(new ImmutableContext());
    assertThat(executor.scheduled).hasSize(1);
    DrivenScheduler.Periodic tick = executor.scheduled.get(0);
    assertThat(List.of(tick.initialDelay, tick.delay)).containsExactly(250L, 250L);
    assertThat(tick.unit).isEqualTo(java.util.concurrent.TimeUnit.MILLISECONDS);
    assertThat(provider.rollouts().state("checkout").orElseThrow().stage()).isZero();

    oneHealthyCandidateCall(provider, clock);
    assertThat(executor.runPeriodicTasks()).isEqualTo(1);
    assertThat(provider.rollouts().state("checkout").orElseThrow().stage()).isEqualTo(1);

    provider.shutdown();
    assertThat(tick.isCancelled()).isTrue();
    assertThat(executor.isShutdown()).isFalse();
    assertThat(executor.runPeriodicTasks()).isZero();
  }

  @Test
  void withoutAnExecutorTheProviderTicksOnADaemonThreadOfItsOwn() throws Exception {
    ManualClock clock = new ManualClock();
    BurnguardProvider provider = builder().clock(clock).inMemoryRolloutState().guardianTick(Duration.ofMillis(10))
        .rollout("checkout", advancesOnFirstTick()).build();
    provider.initialize(new ImmutableContext());
    try {
      oneHealthyCandidateCall(provider, clock);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> provider.rollouts().state("checkout").orElseThrow().stage() == 1);
      assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().equals("burnguard-guardian"))
          .isNotEmpty().allMatch(Thread::isDaemon);
    } finally {
      provider.shutdown();
    }
  }
}
