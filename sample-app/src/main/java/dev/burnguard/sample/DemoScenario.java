package dev.burnguard.sample;

import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.RolloutPlan.Slo;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --demo}: rolls {@value Checkout#FLAG} out on an accelerated plan and, ten seconds into the
 * 25 % stage, breaks the new checkout, so that the guardian rolls it back within about a minute of
 * starting.
 *
 * <p>The numbers. Stages of seconds instead of minutes: 5 % for 10 s, then 25 % for 40 s (the
 * fault comes 10 s in, the rollback well before the stage could end), 50 % and 100 % for 20 s. The
 * SLO is 99 % availability (error budget 1 %) and 99 % of calls within 300 ms. The one rule uses
 * the shortest windows the recorder allows, long 60 s and short 10 s, instead of the SRE
 * Workbook's 1 h / 5 min; at factor 10 it rolls back when more than 10 % of the candidate's calls
 * fail over both windows (burn rate = 0.10 / 0.01). At 100 requests a second from 1,000 users,
 * the long window holds about 300 healthy candidate calls when the fault starts (10 s at 5 %, 10 s
 * at 25 %) and gains 25 calls a second, 30 % of them failing: its error ratio passes 10 % after
 * 300 × 0.10 / (25 × (0.30 − 0.10)) ≈ 6 s. The short window passes it as soon as it holds mostly
 * faulty calls, and the sequential test needs only a few errors (each adds ln 10 = 2.3 to the
 * statistic, which must reach ln(1 / 0.01) = 4.6). So the rollback comes about 10 s after the
 * fault, some 30 s after the start. Without a fault the rollout completes in about 90 s, then is
 * watched for 30 s.
 *
 * <p><b>The error budget.</b> Every checkout counts for the journey {@value Checkout#JOURNEY}, whose
 * SLO the flag file declares (99.9 % available over the current UTC hour) with a policy holding
 * {@value Checkout#FLAG}'s advances from 75 % of the budget spent. Before the fault some 3,000 healthy
 * checkouts allow 3 failed ones; the fault fails about 7 a second, so the budget is spent many times
 * over by the rollback. When a person then resets the rolled-back rollout (the dashboard's reset: "the
 * fix is in"), the demo clears the fault and the second rollout starts at 5 %, but the policy holds
 * its advance — a HOLD whose reason gives the budget's numbers — until enough healthy checkouts
 * bring the share spent under 75 % or the hour ends. On a manual clock ({@code BudgetDemoTest}): 76
 * of 3,000 checkouts failed by the rollback (2,533 % spent); the second rollout's advance held at
 * 4,000 checkouts (1,900 %); under 75 % needs 76 / 0.00075 ≈ 101,000 checkouts, some 17 minutes at
 * 100 a second.
 *
 * <p>Concurrency: {@link #check()} is called from one thread (the service's one-second scheduler);
 * the guardian and the fault holder are thread-safe.
 */
final class DemoScenario {
  private static final Logger LOG = LoggerFactory.getLogger(DemoScenario.class);
  static final int FAULT_STAGE = 1;
  static final Duration FAULT_AFTER = Duration.ofSeconds(10);
  static final Faults.Fault FAULT = new Faults.Fault(0.3, Duration.ZERO);

  private final Rollouts rollouts;
  private final Faults faults;
  private final Clock clock;
  private boolean injected; // checking thread only
  private boolean fixed; // checking thread only

  DemoScenario(Rollouts rollouts, Faults faults, Clock clock) {
    this.rollouts = rollouts;
    this.faults = faults;
    this.clock = clock;
  }

  /** The accelerated plan; see the class comment for its numbers. */
  static RolloutPlan plan() {
    return RolloutPlan.builder("old", "new")
        .stages(List.of(new Stage(5, Duration.ofSeconds(10), 30), new Stage(25, Duration.ofSeconds(40), 100),
            new Stage(50, Duration.ofSeconds(20), 200), new Stage(100, Duration.ofSeconds(20), 400)))
        .slo(Slo.availability(0.99).withLatency(Duration.ofMillis(300), 0.99))
        .rules(List.of(new BurnRateRule(Duration.ofSeconds(60), Duration.ofSeconds(10), 10, RuleAction.ROLLBACK)))
        .watch(Duration.ofSeconds(30))
        .build();
  }

  /**
   * Starts the demo from the first stage: a rollout restored from an earlier run (rolled back,
   * say) is reset, as a decision by {@code person:demo}, and no fault is injected yet.
   */
  void start() {
    faults.set(Faults.Fault.NONE);
    try {
      rollouts.state(Checkout.FLAG).filter(s -> s.version() > 0 || s.status() != RolloutStatus.RAMPING)
          .ifPresent(s -> rollouts.reset(Checkout.FLAG, "person:demo"));
    } catch (IllegalStateException e) {
      // e.g. a fleet replica that has not reached Redis yet: the rollout goes on from the fleet's state
      LOG.warn("Demo: the rollout was not reset ({})", e.getMessage());
    }
    LOG.info("Demo: rolling out {} on an accelerated plan; {} will be injected {} s into the 25 % stage",
        Checkout.FLAG, FAULT, FAULT_AFTER.toSeconds());
  }

  /**
   * Injects the fault once the rollout has spent {@link #FAULT_AFTER} at the 25 % stage; clears it
   * once a person reset the rolled-back rollout (the fix is in: the second rollout).
   */
  void check() {
    if (injected) {
      if (!fixed && rollouts.state(Checkout.FLAG).filter(s -> s.status() == RolloutStatus.RAMPING && s.stage() == 0)
          .isPresent()) {
        fixed = true;
        faults.set(Faults.Fault.NONE);
        LOG.warn("Demo: the rollout was reset after its rollback: the fix is in, the fault is cleared; the "
            + "error-budget policy holds the second rollout's advance while the checkout budget stays spent");
      }
      return;
    }
    rollouts.state(Checkout.FLAG).ifPresent(s -> {
      Instant now = Instant.ofEpochMilli(clock.wallMillis());
      if (s.status() == RolloutStatus.RAMPING && s.stage() == FAULT_STAGE
          && !now.isBefore(s.stageStartedAt().plus(FAULT_AFTER))) {
        injected = true;
        faults.set(FAULT);
        LOG.warn("Demo: injecting a fault into the new checkout at the 25 % stage: {}", FAULT);
      }
    });
  }
}
