package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.internal.store.FileRolloutStore;
import dev.burnguard.internal.store.InMemoryRolloutStore;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import dev.burnguard.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store SPI's compare-and-set (issue 13 item 3) with two guardians on one store, as two
 * replicas of a fleet are: one decision per version, a conflict adopts the stored state, a manual
 * decision is made again on it (never lost, never applied to a stale state), and the file and
 * in-memory stores implement the check.
 */
class SharedStoreGuardianTest {
  private static final String FLAG = "checkout";
  private final ManualClock clock = new ManualClock();
  private final SliRecorder recorder = SliRecorder.builder().clock(clock).build();

  private static RolloutPlan plan() {
    return RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(10, Duration.ofMinutes(1), 0), new Stage(50, Duration.ofMinutes(1), 0),
            new Stage(100, Duration.ofMinutes(1), 0)))
        .build();
  }

  private Guardian guardian(RolloutStore store) {
    Guardian g = new Guardian(clock, recorder, store, gates -> { }, Guardian.DEFAULT_REMOVED_RETENTION);
    g.restore(store.load().states().values());
    g.plans(Map.of(FLAG, plan()));
    return g;
  }

  @Test
  void twoGuardiansOnOneStoreRecordOneDecisionPerVersion() {
    InMemoryRolloutStore store = new InMemoryRolloutStore(1000);
    Guardian a = guardian(store);
    Guardian b = guardian(store); // its START conflicts with a's and adopts it
    assertThat(store.decisions(FLAG, 100)).extracting(Decision::action).containsExactly(DecisionAction.START);
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(30));
      a.tick();
      b.tick();
    }
    List<Decision> log = store.decisions(FLAG, 1000);
    assertThat(log).extracting(Decision::action).containsExactly(DecisionAction.START, DecisionAction.ADVANCE,
        DecisionAction.ADVANCE, DecisionAction.COMPLETE);
    for (int i = 1; i < log.size(); i++) {
      assertThat(log.get(i).before()).isEqualTo(log.get(i - 1).after());
    }
    b.refresh(FLAG);
    assertThat(a.state(FLAG)).isEqualTo(b.state(FLAG)).contains(store.load().states().get(FLAG));
  }

  @Test
  void aManualDecisionOnAStaleStateIsMadeAgainOnTheStoredOne() {
    InMemoryRolloutStore store = new InMemoryRolloutStore();
    Guardian a = guardian(store);
    Guardian b = guardian(store);
    a.pause(FLAG, "person:alice");
    // b has not seen the pause: its promote conflicts, adopts PAUSED, and is refused on it
    assertThatThrownBy(() -> b.promote(FLAG, "person:bob")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("its rollout is PAUSED");
    assertThat(b.state(FLAG).orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
    // a rollback made on b's view goes through on the stored version
    Decision rollback = b.rollback(FLAG, "person:bob");
    assertThat(rollback.before().status()).isEqualTo(RolloutStatus.PAUSED);
    assertThat(store.load().states().get(FLAG).status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    a.refresh(FLAG);
    assertThat(a.gates().get(FLAG).exposure()).isZero();
  }

  @Test
  void theFileAndInMemoryStoresCompareTheVersion(@TempDir Path dir) throws Exception {
    for (RolloutStore store : List.of(new InMemoryRolloutStore(), FileRolloutStore.open(dir))) {
      try (store) {
        Decision start = TestDecisions.decision(FLAG, 0);
        assertThat(store.compareAndAppend(start).outcome()).isEqualTo(RolloutStore.Appended.Outcome.DURABLE);
        assertThat(store.compareAndAppend(start).outcome()).isEqualTo(RolloutStore.Appended.Outcome.CONFLICT);
        Decision next = TestDecisions.next(FLAG, start.after());
        RolloutStore.Appended stale = store.compareAndAppend(TestDecisions.next(FLAG, next.after()));
        assertThat(stale.outcome()).isEqualTo(RolloutStore.Appended.Outcome.CONFLICT);
        assertThat(stale.current()).isEqualTo(start.after());
        assertThat(store.compareAndAppend(next).recorded()).isTrue();
        assertThat(store.decisions(FLAG, 10)).containsExactly(start, next);
        assertThat(store.decisions(FLAG, 1)).containsExactly(next);
      }
    }
  }

  @Test
  void aRefusedDecisionIsNotAppliedAndAManualOneSaysWhy() {
    InMemoryRolloutStore inner = new InMemoryRolloutStore();
    Map<String, Boolean> refuse = new HashMap<>(Map.of("on", false));
    RolloutStore store = new RolloutStore() {
      @Override
      public StoredRollouts load() {
        return inner.load();
      }

      @Override
      public boolean append(Decision decision) {
        return inner.append(decision);
      }

      @Override
      public Appended compareAndAppend(Decision decision) {
        return refuse.get("on") ? Appended.refused("fleet store unreachable since 12:00") : inner.compareAndAppend(decision);
      }

      @Override
      public boolean flush() {
        return true;
      }

      @Override
      public boolean forget(String flagKey) {
        return true;
      }

      @Override
      public StoreHealth health() {
        return StoreHealth.ok();
      }

      @Override
      public void close() {}
    };
    Guardian g = guardian(store);
    refuse.put("on", true);
    assertThatThrownBy(() -> g.promote(FLAG, "person:alice")).isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot promote flag \"checkout\" now: fleet store unreachable since 12:00");
    clock.advance(Duration.ofMinutes(2));
    assertThat(g.tick()).isEmpty();
    assertThat(g.state(FLAG).orElseThrow().stage()).isZero();
  }
}
