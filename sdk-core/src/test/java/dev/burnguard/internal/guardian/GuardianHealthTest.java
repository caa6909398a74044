package dev.burnguard.internal.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guardian's health read model is built from what the last tick read, when first asked for: it
 * shows the tick's numbers, not the recorder's at the time of the read, one snapshot per tick.
 */
class GuardianHealthTest {
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

  private static long candidateCalls(RolloutHealth h) {
    return h.windows().stream().filter(w -> w.variant().equals("new") && w.window().equals(FIVE_MINUTES))
        .findFirst().orElseThrow().calls();
  }

  @Test
  void healthShowsWhatTheLastTickReadUntilTheNextTick() {
    RolloutPlan plan = RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(10, Duration.ofHours(1), 0), new Stage(100, Duration.ofHours(1), 0))).build();
    ManualClock clock = new ManualClock();
    SliRecorder recorder = SliRecorder.builder().clock(clock).build();
    Guardian guardian = new Guardian(clock, recorder, d -> { }, gates -> { });
    guardian.plans(Map.of("checkout", plan, "search", plan));
    assertThat(guardian.health()).isEmpty(); // before the first tick

    for (int i = 0; i < 10; i++) {
      recorder.record("checkout", "new", 1_000_000, Outcome.SUCCESS);
    }
    clock.advance(Duration.ofSeconds(1));
    guardian.tick();
    RolloutHealth first = guardian.health("checkout").orElseThrow();
    assertThat(candidateCalls(first)).isEqualTo(10);
    assertThat(first.checks()).hasSize(2); // the default plan's two rules, availability only
    assertThat(guardian.health()).containsOnlyKeys("checkout", "search");
    assertThat(guardian.health()).isSameAs(guardian.health()); // one snapshot per tick

    // recorded after the tick: not in the health until the next tick reads it
    for (int i = 0; i < 20; i++) {
      recorder.record("checkout", "new", 1_000_000, Outcome.SUCCESS);
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(candidateCalls(guardian.health("checkout").orElseThrow())).isEqualTo(10);
    assertThat(guardian.health("checkout").orElseThrow()).isEqualTo(first);

    guardian.tick();
    RolloutHealth second = guardian.health("checkout").orElseThrow();
    assertThat(candidateCalls(second)).isEqualTo(30);
    assertThat(second.at()).isAfter(first.at());

    // a rollout whose plan is gone leaves the health at the next tick
    guardian.plans(Map.of("checkout", plan));
    guardian.tick();
    assertThat(guardian.health()).containsOnlyKeys("checkout");
  }
}
