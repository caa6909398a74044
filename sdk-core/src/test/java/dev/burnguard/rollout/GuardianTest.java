package dev.burnguard.rollout;

import dev.burnguard.internal.store.InMemoryRolloutStore;

import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.guardian.Guardian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guardian's transitions on a manual clock with a real recorder: starting and restarting
 * rollouts, ticks, manual decisions, what it journals, publishes and serves. SLO 99.9 % and the
 * default rules (1 h / 5 min × 14.4 → rollback, 6 h / 30 min × 6 → shrink).
 */
class GuardianTest {
  private static final String FLAG = "checkout";
  private static final Duration FAST = Duration.ofMillis(20);
  private static final Duration SLOW = Duration.ofMillis(400);

  private final ManualClock clock = new ManualClock();
  private final SliRecorder recorder = SliRecorder.builder().clock(clock)
      .latencyThresholds(Duration.ofMillis(100), Duration.ofMillis(300)).build();
  private final List<Decision> journal = new ArrayList<>();
  private final List<Map<String, ExposureGate>> published = new ArrayList<>();
  private final Guardian guardian = new Guardian(clock, recorder, journal::add, published::add);

  /** 10 % then 100 %, each baking a minute without a sample minimum; 30 minutes of watching. */
  private static RolloutPlan.Builder plan() {
    return RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(10, Duration.ofMinutes(1), 0), new Stage(100, Duration.ofMinutes(1), 0)))
        .watch(Duration.ofMinutes(30));
  }

  private void calls(String variant, int n, Outcome outcome, Duration latency) {
    for (int i = 0; i < n; i++) {
      recorder.record(FLAG, variant, latency.toNanos(), outcome);
    }
  }

  private RolloutState state() {
    return guardian.state(FLAG).orElseThrow();
  }

  private ExposureGate gate() {
    return guardian.gates().get(FLAG);
  }

  private static List<DecisionAction> actions(List<Decision> decisions) {
    return decisions.stream().map(Decision::action).toList();
  }

  @Test
  void aNewPlanStartsARolloutAndServesItsFirstStage() {
    guardian.plans(Map.of(FLAG, plan().build()));

    assertThat(journal).singleElement().satisfies(d -> {
      assertThat(d.action()).isEqualTo(DecisionAction.START);
      assertThat(d.before()).isNull();
      assertThat(d.applied()).isTrue();
      assertThat(d.reason()).isEqualTo("new rollout of new");
    });
    assertThat(state().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(guardian.states()).containsOnlyKeys(FLAG);
    assertThat(published).hasSize(1);
    ExposureGate gate = gate();
    assertThat(gate.exposure()).isEqualTo(0.10);
    assertThat(gate.candidate()).isEqualTo("new");
    assertThat(gate.control()).isEqualTo("old");
    assertThat(gate.enforce()).isTrue();
    assertThat(gate.heldBackReason()).isEqualTo(Guardian.ROLLOUT_REASON);
    assertThat(gate.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of(Guardian.STATUS_METADATA, "RAMPING",
        Guardian.STAGE_METADATA, 0L, Guardian.EXPOSURE_METADATA, 0.10, Guardian.MODE_METADATA, "ENFORCE"));
  }

  @Test
  void theSamePlanAgainChangesNothingAnEditAppliesInPlaceAChangedCandidateStartsOver() {
    RolloutPlan plan = plan().build();
    guardian.plans(Map.of(FLAG, plan));
    guardian.promote(FLAG, "person:test");
    RolloutState promoted = state();

    guardian.plans(Map.of(FLAG, plan().build()));
    assertThat(state()).isEqualTo(promoted);
    assertThat(journal).hasSize(2);
    assertThat(published).hasSize(2);

    // a watch edit: applied in place, journaled with what changed and who changed it
    guardian.plans(Map.of(FLAG, plan().watch(Duration.ofMinutes(31)).build()));
    Decision edit = journal.get(2);
    assertThat(edit.action()).isEqualTo(DecisionAction.PLAN_CHANGED);
    assertThat(edit.actor()).isEqualTo(Guardian.FILE);
    assertThat(edit.reason()).startsWith("the plan changed: watch PT30M -> PT31M; the rollout continues RAMPING at stage 1");
    assertThat(edit.before()).isEqualTo(promoted);
    assertThat(state().stage()).isEqualTo(1);
    assertThat(state().exposure()).isEqualTo(1.0);
    assertThat(state().planFingerprint()).isEqualTo(plan().watch(Duration.ofMinutes(31)).build().fingerprint());

    // a plan given in code is changed by "code"; a ramping rollout takes its stage's new exposure
    guardian.plans(Map.of(FLAG, plan().watch(Duration.ofMinutes(31)).stages(List.of(new Stage(20, Duration.ofMinutes(1), 0),
        new Stage(50, Duration.ofMinutes(1), 0), new Stage(100, Duration.ofMinutes(1), 0))).build()), java.util.Set.of(FLAG));
    assertThat(journal.get(3).actor()).isEqualTo(Guardian.CODE);
    assertThat(state().stage()).isEqualTo(1);
    assertThat(gate().exposure()).isEqualTo(0.5);

    // another candidate starts over, judged on evidence from now on
    clock.advance(Duration.ofMinutes(1));
    guardian.plans(Map.of(FLAG, RolloutPlan.builder("old", "newer").stages(plan().build().stages()).build()));
    Decision restart = journal.get(4);
    assertThat(restart.action()).isEqualTo(DecisionAction.START);
    assertThat(restart.reason()).startsWith("the candidate changed (now newer against old); starting over from stage 0");
    assertThat(state().stage()).isZero();
    assertThat(state().exposure()).isEqualTo(0.10);
    assertThat(state().evidenceSince()).isEqualTo(clock.now());
    assertThat(gate().candidate()).isEqualTo("newer");
  }

  @Test
  void aRolledBackRolloutStaysRolledBackWhateverElseOfItsPlanChanges() {
    guardian.plans(Map.of(FLAG, plan().build()));
    RolloutState rolledBack = guardian.rollback(FLAG, "person:alice").after();
    for (RolloutPlan edited : List.of(plan().watch(Duration.ofMinutes(11)).build(),
        plan().stages(List.of(new Stage(50, Duration.ofSeconds(10), 0), new Stage(100, Duration.ofSeconds(10), 0))).build(),
        plan().slo(Slo.availability(0.99)).build(),
        plan().rules(List.of(BurnRateRule.fastBurn(RuleAction.ROLLBACK))).build(),
        plan().mode(RolloutMode.DRY_RUN).build(), plan().build())) {
      guardian.plans(Map.of(FLAG, edited));
      assertThat(state().status()).as("after %s", edited.fingerprint()).isEqualTo(RolloutStatus.ROLLED_BACK);
      assertThat(state().exposure()).isZero();
      assertThat(journal).last().extracting(Decision::action).isEqualTo(DecisionAction.PLAN_CHANGED);
      clock.advance(Duration.ofHours(1));
      assertThat(guardian.tick()).isEmpty();
    }
    assertThat(state().version()).isEqualTo(rolledBack.version() + 6);
    assertThat(gate().exposure()).isZero();
  }

  @Test
  void aRemovedPlanIsNoLongerServedItsStateReturnsWithinTheRetentionAndIsForgottenAfterIt() {
    InMemoryRolloutStore store = new InMemoryRolloutStore();
    Guardian withStore = new Guardian(clock, recorder, store, published::add, Duration.ofDays(30));
    withStore.plans(Map.of(FLAG, plan().build()));
    withStore.rollback(FLAG, "person:alice");

    withStore.plans(Map.of());
    assertThat(withStore.states()).isEmpty();
    assertThat(withStore.gates()).isEmpty();
    assertThat(published).last().isEqualTo(Map.of());
    RolloutState kept = withStore.retainedStates().get(FLAG);
    assertThat(kept.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(kept.planRemovedAt()).isEqualTo(clock.now());
    assertThat(store.load().state(FLAG)).contains(kept);

    // back after 29 days: still rolled back
    clock.advance(Duration.ofDays(29));
    withStore.tick();
    withStore.plans(Map.of(FLAG, plan().build()));
    assertThat(withStore.state(FLAG).orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(withStore.state(FLAG).orElseThrow().planRemovedAt()).isNull();
    assertThat(withStore.gates().get(FLAG).exposure()).isZero();

    // removed again: the retention counts from the second removal
    withStore.plans(Map.of());
    clock.advance(Duration.ofDays(30).minusSeconds(1));
    withStore.tick();
    assertThat(withStore.retainedStates()).containsKey(FLAG);
    assertThat(store.load().state(FLAG)).isPresent();
    clock.advance(Duration.ofSeconds(1));
    withStore.tick();
    assertThat(withStore.retainedStates()).isEmpty();
    assertThat(store.load().state(FLAG)).isEmpty();

    // after the retention the flag is new again
    withStore.plans(Map.of(FLAG, plan().build()));
    assertThat(withStore.state(FLAG).orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(withStore.state(FLAG).orElseThrow().version()).isZero();
  }

  @Test
  void aRestoredStateWithoutAPlanOrARecordedRemovalCountsItsRetentionFromTheFirstLoad() {
    InMemoryRolloutStore store = new InMemoryRolloutStore();
    Guardian withStore = new Guardian(clock, recorder, store, published::add, Duration.ofDays(30));
    RolloutState rolledBack = RolloutState.start(FLAG, plan().build(), clock.now()).with(RolloutStatus.ROLLED_BACK, 0,
        0, 0, clock.now(), null, null);
    store.append(new Decision(FLAG, clock.now(), DecisionAction.ROLLBACK, "person:a", true, "r", List.of(), null,
        rolledBack));
    withStore.restore(store.load().states().values());
    clock.advance(Duration.ofDays(100));
    withStore.plans(Map.of());
    assertThat(withStore.retainedStates().get(FLAG).planRemovedAt()).isEqualTo(clock.now());
    assertThat(store.load().recentDecisions(FLAG)).hasSize(1); // nothing journaled
    clock.advance(Duration.ofDays(30).minusSeconds(1));
    withStore.tick();
    assertThat(store.load().state(FLAG)).contains(rolledBack);
    clock.advance(Duration.ofSeconds(1));
    withStore.tick();
    assertThat(store.load().state(FLAG)).isEmpty();
  }

  @Test
  void aResetAfterARollbackIsJudgedOnlyOnWhatFollowsIt() {
    guardian.plans(Map.of(FLAG, plan().build()));
    clock.advance(Duration.ofSeconds(5));
    calls("old", 100, Outcome.SUCCESS, FAST);
    calls("new", 30, Outcome.SUCCESS, FAST);
    calls("new", 10, Outcome.ERROR, FAST);
    clock.advance(Duration.ofSeconds(5)); // the sequential tests read whole 10-second buckets
    assertThat(actions(guardian.tick())).containsExactly(DecisionAction.ROLLBACK);

    // the fault is gone; a person resets 30 s later: healthy traffic only, 100 calls a second
    clock.advance(Duration.ofSeconds(30));
    Decision reset = guardian.reset(FLAG, "person:alice");
    assertThat(reset.reason()).contains("judging only evidence recorded from " + clock.now() + " on");
    assertThat(reset.after().evidenceSince()).isEqualTo(clock.now());
    List<Decision> after = new ArrayList<>();
    for (int s = 0; s < 600; s++) {
      clock.advance(Duration.ofSeconds(1));
      calls("old", 90, Outcome.SUCCESS, FAST);
      calls("new", 10, Outcome.SUCCESS, FAST);
      after.addAll(guardian.tick());
    }
    assertThat(actions(after)).doesNotContain(DecisionAction.ROLLBACK, DecisionAction.SHRINK);
    assertThat(state().status()).isIn(RolloutStatus.RAMPING, RolloutStatus.WATCHING);

    // a fault after the reset still rolls it back
    guardian.reset(FLAG, "person:alice");
    List<Decision> again = new ArrayList<>();
    int seconds = 0;
    while (again.stream().noneMatch(d -> d.action() == DecisionAction.ROLLBACK) && seconds < 120) {
      clock.advance(Duration.ofSeconds(1));
      seconds++;
      calls("old", 90, Outcome.SUCCESS, FAST);
      calls("new", 9, Outcome.SUCCESS, FAST);
      calls("new", 1, Outcome.ERROR, FAST);
      again.addAll(guardian.tick());
    }
    assertThat(actions(again)).contains(DecisionAction.ROLLBACK);
    assertThat(seconds).as("seconds from the second reset to the rollback").isLessThanOrEqualTo(30);
    System.out.println("GuardianTest: a 10 % error ratio after a reset rolled back after " + seconds + " s");
  }

  @Test
  void aListenerThatBlocksStallsNeitherAManualDecisionNorATickAndDecisionsArriveInOrder() throws Exception {
    guardian.plans(Map.of(FLAG, plan().build()));
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    List<DecisionAction> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    guardian.addListener(d -> {
      heard.add(d.action());
      if (d.action() == DecisionAction.PAUSE) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    Thread pausing = new Thread(() -> guardian.pause(FLAG, "person:a"));
    pausing.start();
    entered.await();
    // the pausing thread is stuck in the listener; this thread decides and ticks unhindered
    assertThat(guardian.resume(FLAG, "person:b").action()).isEqualTo(DecisionAction.RESUME);
    assertThat(guardian.rollback(FLAG, "person:b").after().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    guardian.tick();
    assertThat(gate().exposure()).isZero();
    assertThat(heard).containsExactly(DecisionAction.PAUSE);
    release.countDown();
    pausing.join();
    assertThat(heard).containsExactly(DecisionAction.PAUSE, DecisionAction.RESUME, DecisionAction.ROLLBACK);
    assertThat(actions(journal)).containsExactly(DecisionAction.START, DecisionAction.PAUSE, DecisionAction.RESUME,
        DecisionAction.ROLLBACK);
  }

  @Test
  void aRestoredStateOfTheSamePlanContinuesWhereItWas() {
    RolloutPlan plan = plan().build();
    RolloutState rolledBack = RolloutState.start(FLAG, plan, clock.now()).with(RolloutStatus.ROLLED_BACK, 1, 0, 2,
        clock.now(), null, null);
    guardian.restore(List.of(rolledBack));
    guardian.plans(Map.of(FLAG, plan));
    assertThat(journal).isEmpty();
    assertThat(state()).isEqualTo(rolledBack);
    assertThat(gate().exposure()).isZero();
    assertThat(gate().heldBackReason()).isEqualTo(Guardian.ROLLED_BACK_REASON);
    assertThat(guardian.plans()).containsEntry(FLAG, plan);
  }

  @Test
  void ticksAdvanceBakedStagesThenCompleteAndFinish() {
    guardian.plans(Map.of(FLAG, plan().build()));
    assertThat(guardian.tick()).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    List<Decision> advanced = guardian.tick();
    assertThat(actions(advanced)).containsExactly(DecisionAction.ADVANCE);
    assertThat(journal).last().isEqualTo(advanced.get(0));
    assertThat(gate().exposure()).isEqualTo(1.0);
    assertThat(published).hasSize(2);

    clock.advance(Duration.ofMinutes(1));
    assertThat(actions(guardian.tick())).containsExactly(DecisionAction.COMPLETE);
    clock.advance(Duration.ofMinutes(29));
    assertThat(guardian.tick()).isEmpty();
    assertThat(published).as("nothing changed, nothing published").hasSize(3);
    clock.advance(Duration.ofMinutes(1));
    assertThat(actions(guardian.tick())).containsExactly(DecisionAction.FINISH);
    assertThat(state().status()).isEqualTo(RolloutStatus.COMPLETED);
    clock.advance(Duration.ofDays(1));
    assertThat(guardian.tick()).as("a finished rollout is no longer judged").isEmpty();
  }

  @Test
  void aFailingCandidateIsRolledBackJournaledFirstAndServedTheControl() {
    guardian.plans(Map.of(FLAG, plan().build()));
    List<String> seen = new ArrayList<>();
    guardian.addListener(d -> {
      throw new IllegalStateException("a broken listener");
    });
    guardian.addListener(d -> seen.add(d.action() + " journaled=" + journal.contains(d)));
    calls("new", 200, Outcome.ERROR, FAST);
    clock.advance(Duration.ofSeconds(10)); // the sequential test reads whole 10-second buckets

    List<Decision> decisions = guardian.tick();
    assertThat(actions(decisions)).containsExactly(DecisionAction.ROLLBACK);
    assertThat(seen).containsExactly("ROLLBACK journaled=true");
    assertThat(state().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(gate().exposure()).isZero();
    assertThat(gate().heldBackReason()).isEqualTo(Guardian.ROLLED_BACK_REASON);
    assertThat(gate().metadata()).containsEntry(Guardian.STATUS_METADATA, "ROLLED_BACK");
  }

  @Test
  void aSharedRegressionIsPublishedOnceWhenItStartsAndAgainAfterItEnded() {
    // a 10-day first stage, so that a calm tick changes nothing
    guardian.plans(Map.of(FLAG, plan().stages(List.of(new Stage(50, Duration.ofDays(10), 0),
        new Stage(100, Duration.ofMinutes(1), 0))).build()));
    List<Decision> heard = new ArrayList<>();
    guardian.addListener(heard::add);

    calls("new", 200, Outcome.ERROR, FAST);
    calls("old", 200, Outcome.ERROR, FAST);
    clock.advance(Duration.ofSeconds(10)); // the sequential tests read whole 10-second buckets
    List<Decision> first = guardian.tick();
    assertThat(actions(first)).containsExactly(DecisionAction.HOLD);
    assertThat(first.get(0).reason()).startsWith("shared regression");
    assertThat(heard).containsExactlyElementsOf(first);
    assertThat(journal).as("a hold changes nothing, so it is not journaled").hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(guardian.tick()).isEmpty();

    clock.advance(Duration.ofMinutes(31)); // both rules' short windows (5 and 30 minutes) are calm again
    assertThat(guardian.tick()).isEmpty();
    calls("new", 200, Outcome.ERROR, FAST);
    calls("old", 200, Outcome.ERROR, FAST);
    assertThat(actions(guardian.tick())).containsExactly(DecisionAction.HOLD);
    assertThat(heard).hasSize(2);
    assertThat(state().exposure()).isEqualTo(0.5);
  }

  @Test
  void latencyIsJudgedAgainstTheRecordersCountForThePlansThreshold() {
    Slo slo300 = Slo.availability(0.999).withLatency(Duration.ofMillis(300), 0.99);
    guardian.plans(Map.of(FLAG, plan().slo(slo300).build()));
    calls("new", 200, Outcome.SUCCESS, Duration.ofMillis(200)); // slow against 100 ms, fast against 300 ms
    assertThat(guardian.tick()).isEmpty();
    calls("new", 200, Outcome.SUCCESS, SLOW);
    clock.advance(Duration.ofSeconds(10)); // the sequential test reads whole 10-second buckets
    Decision rollback = guardian.tick().get(0);
    assertThat(rollback.action()).isEqualTo(DecisionAction.ROLLBACK);
    assertThat(rollback.evidence()).anyMatch(c -> c.sli().equals("latency") && c.fires());
  }

  @Test
  void aLatencyThresholdTheRecorderDoesNotCountIsNotJudged() {
    Slo slo200 = Slo.availability(0.999).withLatency(Duration.ofMillis(200), 0.99);
    guardian.plans(Map.of(FLAG, plan().slo(slo200).build()));
    calls("new", 200, Outcome.SUCCESS, SLOW);
    clock.advance(Duration.ofMinutes(1));
    Decision d = guardian.tick().get(0);
    assertThat(d.action()).isEqualTo(DecisionAction.ADVANCE);
    assertThat(d.evidence()).noneMatch(c -> c.sli().equals("latency"));
  }

  @Test
  void pauseKeepsTheExposureAndResumeReturnsToTheStatusItPaused() {
    guardian.plans(Map.of(FLAG, plan().build()));
    Decision pause = guardian.pause(FLAG, "person:bob");
    assertThat(pause.action()).isEqualTo(DecisionAction.PAUSE);
    assertThat(pause.actor()).isEqualTo("person:bob");
    assertThat(pause.applied()).isTrue();
    assertThat(pause.reason()).isEqualTo("pause requested by person:bob");
    assertThat(pause.after().status()).isEqualTo(RolloutStatus.PAUSED);
    assertThat(pause.after().pausedStatus()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(pause.after().exposure()).isEqualTo(0.10);
    assertThat(journal).last().isEqualTo(pause);
    assertThat(gate().metadata()).containsEntry(Guardian.STATUS_METADATA, "PAUSED");
    assertThatThrownBy(() -> guardian.pause(FLAG, "person:bob")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PAUSED");

    clock.advance(Duration.ofHours(1));
    assertThat(guardian.tick()).isEmpty();
    Decision resume = guardian.resume(FLAG, "person:bob");
    assertThat(resume.after().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(resume.after().pausedStatus()).isNull();
    assertThat(resume.after().stageStartedAt()).isEqualTo(clock.now());
    assertThat(resume.after().version()).isEqualTo(pause.after().version() + 1);
  }

  @Test
  void promoteMovesToTheNextStageOrReprobesOrStartsWatching() {
    RolloutPlan plan = plan().stages(List.of(new Stage(10, Duration.ofMinutes(1), 0),
        new Stage(50, Duration.ofMinutes(1), 0), new Stage(100, Duration.ofMinutes(1), 0))).build();
    Instant now = clock.now();
    RolloutState coolingDown = RolloutState.start(FLAG, plan, now).with(RolloutStatus.COOLING_DOWN, 1, 0.05, 1, now,
        now.plus(Duration.ofMinutes(10)), null);
    guardian.restore(List.of(coolingDown));
    guardian.plans(Map.of(FLAG, plan));

    RolloutState reprobing = guardian.promote(FLAG, "person:test").after();
    assertThat(reprobing.status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(reprobing.stage()).as("the stage it stepped back from").isEqualTo(1);
    assertThat(reprobing.exposure()).isEqualTo(0.5);
    assertThat(reprobing.until()).isNull();
    assertThat(gate().exposure()).isEqualTo(0.5);

    RolloutState last = guardian.promote(FLAG, "person:test").after();
    assertThat(last.status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(last.stage()).isEqualTo(2);
    assertThat(last.exposure()).isEqualTo(1.0);

    clock.advance(Duration.ofSeconds(5));
    RolloutState watching = guardian.promote(FLAG, "person:test").after();
    assertThat(watching.status()).isEqualTo(RolloutStatus.WATCHING);
    assertThat(watching.stage()).isEqualTo(2);
    assertThat(watching.stageStartedAt()).isEqualTo(clock.now());
    assertThat(watching.until()).isEqualTo(clock.now().plus(Duration.ofMinutes(30)));
    assertThatThrownBy(() -> guardian.promote(FLAG, "person:test")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WATCHING");
  }

  @Test
  void rollbackAndResetAreManualDecisionsInEveryStatus() {
    guardian.plans(Map.of(FLAG, plan().build()));
    guardian.pause(FLAG, "person:alice");
    Decision rollback = guardian.rollback(FLAG, "person:alice");
    assertThat(rollback.after().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(rollback.after().exposure()).isZero();
    assertThat(gate().exposure()).isZero();
    assertThatThrownBy(() -> guardian.rollback(FLAG, "person:alice")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> guardian.pause(FLAG, "person:alice")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> guardian.resume(FLAG, "person:alice")).isInstanceOf(IllegalStateException.class);

    clock.advance(Duration.ofMinutes(3));
    Decision reset = guardian.reset(FLAG, "person:alice");
    RolloutState fresh = reset.after();
    assertThat(fresh.status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(fresh.stage()).isZero();
    assertThat(fresh.exposure()).isEqualTo(0.10);
    assertThat(fresh.shrinks()).isZero();
    assertThat(fresh.stageStartedAt()).isEqualTo(clock.now());
    assertThat(fresh.version()).isEqualTo(rollback.after().version() + 1);
    assertThat(gate().exposure()).isEqualTo(0.10);
    assertThat(actions(journal)).containsExactly(DecisionAction.START, DecisionAction.PAUSE, DecisionAction.ROLLBACK,
        DecisionAction.RESET);
  }

  @Test
  void aDecisionTheJournalRefusesDoesNotTakeEffect() {
    List<Decision> kept = new ArrayList<>();
    Guardian refusing = new Guardian(clock, recorder, d -> {
      if (d.action() == DecisionAction.ROLLBACK) {
        throw new IllegalStateException("disk full");
      }
      kept.add(d);
    }, published::add);
    refusing.plans(Map.of(FLAG, plan().build()));
    assertThatThrownBy(() -> refusing.rollback(FLAG, "person:alice")).hasMessage("disk full");
    assertThat(refusing.state(FLAG).orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(refusing.gates().get(FLAG).exposure()).isEqualTo(0.10);
    assertThat(kept).hasSize(1);
  }

  @Test
  void aDryRunIsJudgedAndJournaledButItsGateAdmitsEveryone() {
    guardian.plans(Map.of(FLAG, plan().mode(RolloutMode.DRY_RUN).build()));
    assertThat(journal.get(0).applied()).isFalse();
    assertThat(guardian.pause(FLAG, "person:x").applied()).isFalse();
    guardian.resume(FLAG, "person:x");
    calls("new", 200, Outcome.ERROR, FAST);
    clock.advance(Duration.ofSeconds(10)); // the sequential test reads whole 10-second buckets
    Decision wouldRollBack = guardian.tick().get(0);
    assertThat(wouldRollBack.action()).isEqualTo(DecisionAction.ROLLBACK);
    assertThat(wouldRollBack.applied()).isFalse();
    assertThat(journal).contains(wouldRollBack);
    // a full shadow: it stays where it was and keeps being judged
    assertThat(state().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(state().stage()).isZero();
    assertThat(gate().enforce()).isFalse();
    assertThat(gate().admits("user-1")).isTrue();
    assertThat(gate().metadata()).containsEntry(Guardian.MODE_METADATA, "DRY_RUN");

    // while the rule keeps firing, nothing more is said
    List<Decision> later = new ArrayList<>();
    for (int s = 0; s < 30; s++) {
      clock.advance(Duration.ofSeconds(1));
      calls("new", 10, Outcome.ERROR, FAST);
      later.addAll(guardian.tick());
    }
    assertThat(later).isEmpty();
    // the fault is gone: once the rule's short window is calm the shadow says so and what it would do next
    for (int s = 0; s < 600 && later.isEmpty(); s++) {
      clock.advance(Duration.ofSeconds(1));
      calls("new", 100, Outcome.SUCCESS, FAST);
      later.addAll(guardian.tick());
    }
    assertThat(later.get(0).action()).isEqualTo(DecisionAction.HOLD);
    assertThat(later.get(0).reason()).startsWith("dry run: the rule that would have rolled back stopped firing;");
    assertThat(later.get(0).applied()).isFalse();
    // and the shadow goes on: the slow-burn rule, still burning over its 6 hours, would now shrink
    assertThat(later.get(0).reason()).contains("the shadow would now shrink");
    assertThat(actions(later)).containsExactly(DecisionAction.HOLD, DecisionAction.SHRINK);
    assertThat(later.get(1).applied()).isFalse();
    assertThat(gate().admits("user-1")).isTrue();
  }

  @Test
  void aManualDecisionOnAFlagWithoutARolloutIsRefused() {
    guardian.plans(Map.of(FLAG, plan().build()));
    assertThatThrownBy(() -> guardian.promote("nope", "person:x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no rollout").hasMessageContaining(FLAG);
  }
}
