package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutHealth;
import dev.burnguard.testing.ManualClock;
import dev.burnguard.time.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The burn-rate gauges read sdk-core's {@link RolloutHealth} of the guardian's last tick. The
 * scenario, on a ManualClock, with {@code pricing}'s plan (availability 99 %: an error budget of 1 %;
 * one rule over 5 min and 1 h; control v1, candidate v2): 37 of the candidate's 200 calls fail and 3
 * of the control's 200, so by hand the candidate burns (37 / 200) / 0.01 = 18.5 in both windows and
 * the control (3 / 200) / 0.01 = 1.5. The rule rolls the candidate back; then 100 more control calls
 * succeed and the next tick's health gives the control (3 / 300) / 0.01 = 1.0, with no decision (and
 * no evidence) about it.
 */
class BurnRateMetersTest {
  @Test
  void theBurnRateGaugesGiveTheFiguresOfTheRolloutHealthOfTheLastTick() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BurnguardAutoConfiguration.class,
            BurnguardMetricsAutoConfiguration.class))
        .withPropertyValues("burnguard.flags.classpath=test-flags.json", "burnguard.state.in-memory=true",
            "burnguard.domain=burn-rate-meters-test", "burnguard.guardian.ticking=false")
        .withBean(Clock.class, ManualClock::new)
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          BurnguardProvider provider = ctx.getBean(BurnguardProvider.class);
          ManualClock clock = (ManualClock) ctx.getBean(Clock.class);
          MeterRegistry registry = new SimpleMeterRegistry();
          ctx.getBean(BurnguardMeters.class).bindTo(registry);

          // registered from the plan before any tick, with no figure yet
          assertThat(registry.get(BurnguardMeters.BURN_RATE).tag("flag", "pricing").gauges()).hasSize(4);
          assertThat(burnRate(registry, "PT1H", "v2")).isNaN();
          assertThat(registry.find(BurnguardMeters.BURN_RATE).tag("sli", "latency").gauges()).isEmpty();

          for (int i = 0; i < 200; i++) {
            provider.outcomes().record("pricing", "v2", 1_000_000, i < 37 ? Outcome.ERROR : Outcome.SUCCESS);
            provider.outcomes().record("pricing", "v1", 1_000_000, i < 3 ? Outcome.ERROR : Outcome.SUCCESS);
          }
          clock.advance(Duration.ofSeconds(10));
          List<Decision> decided = provider.rollouts().tick();
          assertThat(decided).extracting(Decision::action).containsExactly(DecisionAction.ROLLBACK);

          RolloutHealth health = provider.rollouts().health().get("pricing");
          assertThat(burnRate(registry, "PT1H", "v2")).isCloseTo(18.5, within(1e-9))
              .isEqualTo(figure(health, "v2", Duration.ofHours(1)));
          assertThat(burnRate(registry, "PT5M", "v2")).isCloseTo(18.5, within(1e-9))
              .isEqualTo(figure(health, "v2", Duration.ofMinutes(5)));
          assertThat(burnRate(registry, "PT5M", "v1")).isCloseTo(1.5, within(1e-9))
              .isEqualTo(figure(health, "v1", Duration.ofMinutes(5)));
          assertThat(burnRate(registry, "PT1H", "v1")).isCloseTo(1.5, within(1e-9))
              .isEqualTo(figure(health, "v1", Duration.ofHours(1)));

          for (int i = 0; i < 100; i++) {
            provider.outcomes().record("pricing", "v1", 1_000_000, Outcome.SUCCESS);
          }
          clock.advance(Duration.ofSeconds(10));
          assertThat(provider.rollouts().tick()).isEmpty();
          RolloutHealth next = provider.rollouts().health().get("pricing");
          assertThat(next.checks()).isEmpty(); // rolled back: nothing judged, the windows still counted
          assertThat(burnRate(registry, "PT5M", "v1")).isCloseTo(1.0, within(1e-9))
              .isEqualTo(figure(next, "v1", Duration.ofMinutes(5)));
          assertThat(burnRate(registry, "PT5M", "v2")).isCloseTo(18.5, within(1e-9));
        });
  }

  private static double burnRate(MeterRegistry registry, String window, String variant) {
    RequiredSearch s = registry.get(BurnguardMeters.BURN_RATE)
        .tags("flag", "pricing", "sli", "availability", "window", window, "variant", variant);
    return s.gauge().value();
  }

  private static double figure(RolloutHealth health, String variant, Duration window) {
    return health.windows().stream().filter(w -> w.variant().equals(variant) && w.window().equals(window))
        .findFirst().orElseThrow().availabilityBurn();
  }
}
