package dev.burnguard.rollout;

import dev.burnguard.internal.store.InMemoryRolloutStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.rollout.RolloutStore.StoredRollouts;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InMemoryRolloutStoreTest {
  @Test
  void aDecisionsAfterBecomesItsFlagsStateAndTheLastDecisionsAreKept() {
    InMemoryRolloutStore store = new InMemoryRolloutStore(3);
    assertThat(store.load()).isEqualTo(StoredRollouts.empty());
    for (int v = 0; v < 5; v++) {
      assertThat(store.append(TestDecisions.decision("a", v))).isTrue();
    }
    assertThat(store.append(TestDecisions.decision("b", 0))).isTrue();

    StoredRollouts loaded = store.load();
    assertThat(loaded.states()).containsOnlyKeys("a", "b");
    assertThat(loaded.state("a")).contains(TestDecisions.state("a", 4));
    assertThat(loaded.state("b")).contains(TestDecisions.state("b", 0));
    assertThat(loaded.state("c")).isEmpty();
    assertThat(loaded.recentDecisions("a")).containsExactly(TestDecisions.decision("a", 2),
        TestDecisions.decision("a", 3), TestDecisions.decision("a", 4));
    assertThat(loaded.recentDecisions("c")).isEmpty();
    assertThat(store.health()).isEqualTo(StoreHealth.ok());
    assertThat(store.flush()).isTrue();
  }

  @Test
  void keepingNoDecisionsStillKeepsStates() {
    InMemoryRolloutStore store = new InMemoryRolloutStore(0);
    store.append(TestDecisions.decision("a", 0));
    assertThat(store.load().state("a")).contains(TestDecisions.state("a", 0));
    assertThat(store.load().recentDecisions()).isEmpty();
  }

  @Test
  void aDecisionCarryingAnotherFlagsStateIsRefused() {
    InMemoryRolloutStore store = new InMemoryRolloutStore();
    Decision d = TestDecisions.decision("a", 1);
    Decision mixed = new Decision("a", d.at(), d.action(), d.actor(), d.applied(), d.reason(), d.evidence(),
        d.before(), TestDecisions.state("b", 1));
    assertThatThrownBy(() -> store.append(mixed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("decision for flag \"a\" carries the state of flag \"b\"");
    Decision mixedBefore = new Decision("a", d.at(), d.action(), d.actor(), d.applied(), d.reason(), d.evidence(),
        TestDecisions.state("c", 0), d.after());
    assertThatThrownBy(() -> store.append(mixedBefore)).hasMessage("decision for flag \"a\" carries the state of flag \"c\"");
    assertThat(store.load().states()).isEmpty();
  }

  @Test
  void appendingAfterCloseThrowsButReadingStillWorks() {
    InMemoryRolloutStore store = new InMemoryRolloutStore();
    store.append(TestDecisions.decision("a", 0));
    store.close();
    store.close();
    assertThatThrownBy(() -> store.append(TestDecisions.decision("a", 1))).isInstanceOf(IllegalStateException.class);
    assertThat(store.load().state("a")).contains(TestDecisions.state("a", 0));
  }

  @Test
  void theStoredRolloutsAreSortedAndImmutable() {
    InMemoryRolloutStore store = new InMemoryRolloutStore();
    for (String flag : List.of("zeta", "alpha", "mu")) {
      store.append(TestDecisions.decision(flag, 0));
    }
    StoredRollouts loaded = store.load();
    assertThat(loaded.states().keySet()).containsExactly("alpha", "mu", "zeta");
    assertThatThrownBy(() -> loaded.states().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> loaded.recentDecisions("mu").clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  /**
   * A dashboard reads while the guardian appends: every read sees, per flag, a state that is the
   * after of the last decision it sees, and decisions that chain without gaps.
   */
  @Test
  void readersSeeEachFlagConsistentlyWhileAWriterAppends() throws InterruptedException {
    InMemoryRolloutStore store = new InMemoryRolloutStore(8);
    int versions = 20_000;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread writer = new Thread(() -> {
      for (int v = 0; v < versions; v++) {
        store.append(TestDecisions.decision("a", v));
        store.append(TestDecisions.decision("b", v));
      }
    });
    Thread reader = new Thread(() -> {
      try {
        long lastSeen = -1;
        while (lastSeen < versions - 1) {
          StoredRollouts loaded = store.load();
          for (String flag : loaded.states().keySet()) {
            checkConsistent(loaded, flag);
          }
          lastSeen = loaded.state("a").map(RolloutState::version).orElse(-1L);
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    writer.start();
    writer.join();
    reader.join();
    assertThat(failure.get()).isNull();
  }

  static void checkConsistent(StoredRollouts loaded, String flag) {
    List<Decision> recent = loaded.recentDecisions(flag);
    assertThat(recent).isNotEmpty();
    assertThat(recent.get(recent.size() - 1).after()).isEqualTo(loaded.states().get(flag));
    for (int i = 1; i < recent.size(); i++) {
      assertThat(recent.get(i).before()).isEqualTo(recent.get(i - 1).after());
    }
  }

  @Test
  void aDecisionMayStartANewRolloutAtVersionZero() {
    InMemoryRolloutStore store = new InMemoryRolloutStore();
    store.append(TestDecisions.decision("a", 7));
    RolloutState fresh = new RolloutState("a", "another plan", RolloutStatus.RAMPING, 0, 0.01, 0, Instant.EPOCH, null,
        null, 0);
    store.append(new Decision("a", Instant.EPOCH, DecisionAction.START, Decision.GUARDIAN, true, "plan changed",
        List.of(), TestDecisions.state("a", 7), fresh));
    assertThat(store.load().state("a")).contains(fresh);
  }
}
