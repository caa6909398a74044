package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The line {@link Decision#describe()} documents, for an applied and a dry-run decision. */
class DecisionDescribeTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static RolloutState state(RolloutStatus status, int stage, double exposure, long version) {
    return new RolloutState("new-checkout", "fp", status, stage, exposure, 0, T, null, null, version);
  }

  @Test
  void aManualRollbackIsTheDocumentedExample() {
    Decision d = new Decision("new-checkout", T, DecisionAction.ROLLBACK, "person:alice", true,
        "rollback requested by person:alice", List.of(), state(RolloutStatus.RAMPING, 1, 0.25, 3),
        state(RolloutStatus.ROLLED_BACK, 1, 0, 4));
    assertThat(d.describe()).isEqualTo("new-checkout: ROLLBACK by person:alice at exposure 0.00% (ROLLED_BACK, "
        + "stage 1): rollback requested by person:alice");
  }

  @Test
  void aDryRunDecisionSaysWould() {
    Decision d = new Decision("new-checkout", T, DecisionAction.ADVANCE, Decision.GUARDIAN, false, "stage baked",
        List.of(), state(RolloutStatus.RAMPING, 0, 0.05, 1), state(RolloutStatus.RAMPING, 1, 0.125, 2));
    assertThat(d.describe()).isEqualTo("new-checkout: would ADVANCE by guardian at exposure 12.50% (RAMPING, stage 1): "
        + "stage baked").doesNotContain("\n");
  }
}
