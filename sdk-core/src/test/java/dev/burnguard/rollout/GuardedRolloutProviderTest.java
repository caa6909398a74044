package dev.burnguard.rollout;

import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.guardian.Guardian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.RolloutMode;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The provider serving a guarded rollout: the exposure gate, its metadata and reasons, events and manual control. */
class GuardedRolloutProviderTest {
  private static final String FLAGS = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"},"
      + "\"split\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\","
      + "  \"targeting\": {\"fractional\": [[\"new\", 50], [\"old\", 50]]}}}}";
  private static final int USERS = 20_000;

  private final ManualClock clock = new ManualClock();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private OpenFeatureAPI api;
  private BurnguardProvider provider;
  private Client client;

  private void start(RolloutPlan checkoutPlan, RolloutPlan splitPlan) {
    BurnguardProvider.Builder b = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock)
        .guardianTicking(false).rollout("checkout", checkoutPlan);
    if (splitPlan != null) {
      b.rollout("split", splitPlan);
    }
    provider = b.build();
    api = OpenFeatureAPI.createIsolated();
    api.on(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, d -> events.add(String.valueOf(d.getFlagsChanged())));
    api.setProviderAndWait(provider);
    client = api.getClient();
  }

  @AfterEach
  void tearDown() {
    if (api != null) {
      api.shutdown();
    }
  }

  private static EvaluationContext user(int i) {
    return new ImmutableContext("user-" + i);
  }

  private Set<Integer> served(String flag, boolean value) {
    Set<Integer> out = new HashSet<>();
    for (int i = 0; i < USERS; i++) {
      if (client.getBooleanValue(flag, !value, user(i)) == value) {
        out.add(i);
      }
    }
    return out;
  }

  private static RolloutPlan plan(double... exposures) {
    List<Stage> stages = new ArrayList<>();
    for (double e : exposures) {
      stages.add(new Stage(e, Duration.ofMinutes(10), 0));
    }
    return RolloutPlan.builder("old", "new").stages(stages).build();
  }

  @Test
  void theGateAdmitsTheExposureShareMonotonicallyAndLabelsEveryEvaluation() {
    start(plan(5, 25, 100), null);
    Set<Integer> at5 = served("checkout", true);
    assertThat(at5.size()).isBetween(USERS * 4 / 100, USERS * 6 / 100);

    FlagEvaluationDetails<Boolean> heldBack = client.getBooleanDetails("checkout", true, user(first(USERS, at5, false)));
    assertThat(heldBack.getValue()).isFalse();
    assertThat(heldBack.getVariant()).isEqualTo("old");
    assertThat(heldBack.getReason()).isEqualTo(Guardian.ROLLOUT_REASON);
    assertThat(heldBack.getFlagMetadata().getString(Guardian.STATUS_METADATA)).isEqualTo("RAMPING");
    assertThat(heldBack.getFlagMetadata().getDouble(Guardian.EXPOSURE_METADATA)).isEqualTo(0.05);
    FlagEvaluationDetails<Boolean> admitted = client.getBooleanDetails("checkout", false, user(first(USERS, at5, true)));
    assertThat(admitted.getVariant()).isEqualTo("new");
    assertThat(admitted.getReason()).isEqualTo("STATIC");
    assertThat(admitted.getFlagMetadata().getInteger(Guardian.STAGE_METADATA)).isZero();

    provider.rollouts().promote("checkout", "person:test");
    Set<Integer> at25 = served("checkout", true);
    assertThat(at25).containsAll(at5);
    assertThat(at25.size()).isBetween(USERS * 23 / 100, USERS * 27 / 100);
    assertThat(events).contains("[checkout]");
  }

  @Test
  void aRollbackServesTheControlToEveryoneWithItsOwnReasonAndSurvivesAPlanReload() {
    start(plan(5, 100), null);
    provider.rollouts().promote("checkout", "person:test");
    assertThat(served("checkout", true)).hasSize(USERS);
    Decision d = provider.rollouts().rollback("checkout", "person:alice");
    assertThat(d.actor()).isEqualTo("person:alice");
    assertThat(served("checkout", true)).isEmpty();
    FlagEvaluationDetails<Boolean> details = client.getBooleanDetails("checkout", true, user(1));
    assertThat(details.getReason()).isEqualTo(Guardian.ROLLED_BACK_REASON);
    assertThat(details.getFlagMetadata().getString(Guardian.STATUS_METADATA)).isEqualTo("ROLLED_BACK");
    assertThatThrownBy(() -> provider.rollouts().rollback("checkout", "person:alice")).hasMessageContaining("ROLLED_BACK");

    ProviderInternals.guardian(provider).plans(provider.rollouts().plans()); // the same plan again: the rollback stands
    assertThat(provider.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);

    provider.rollouts().reset("checkout", "person:alice");
    assertThat(provider.rollouts().state("checkout").orElseThrow().exposure()).isEqualTo(0.05);
  }

  @Test
  void pauseHoldsAndResumeContinuesWhereItWas() {
    start(plan(5, 25, 100), null);
    provider.rollouts().pause("checkout", "person:bob");
    clock.advance(Duration.ofHours(1));
    provider.rollouts().tick();
    assertThat(provider.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
    assertThat(provider.rollouts().state("checkout").orElseThrow().stage()).isZero();
    provider.rollouts().resume("checkout", "person:bob");
    assertThat(provider.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThatThrownBy(() -> provider.rollouts().resume("checkout", "person:bob")).hasMessageContaining("RAMPING");
    assertThatThrownBy(() -> provider.rollouts().pause("nope", "person:bob")).hasMessageContaining("no rollout");
  }

  @Test
  void theGateIsIndependentOfFractionalSplits() {
    // half of the users are assigned "new" by a 50/50 fractional split; the gate admits half of those
    start(plan(100), plan(50, 100));
    Set<Integer> split = served("split", true);
    assertThat(split.size()).isBetween(USERS * 23 / 100, USERS * 27 / 100);
  }

  @Test
  void dryRunDecidesButServesTheFlagAsItIs() {
    start(RolloutPlan.builder("old", "new").mode(RolloutMode.DRY_RUN).build(), null);
    assertThat(served("checkout", true)).hasSize(USERS);
    Decision d = provider.rollouts().rollback("checkout", "person:test");
    assertThat(d.applied()).isFalse();
    assertThat(served("checkout", true)).hasSize(USERS);
  }

  @Test
  void trackedOutcomesGoToTheVariantTheGateServes() {
    start(plan(5, 100), null);
    Set<Integer> admitted = served("checkout", true);
    int heldBack = first(USERS, admitted, false);
    assertThat(provider.flagSet().orElseThrow().assignedVariant("checkout", user(heldBack))).isEqualTo("old");
    assertThat(provider.flagSet().orElseThrow().assignedVariant("checkout", user(first(USERS, admitted, true))))
        .isEqualTo("new");
  }

  @Test
  void aRestartRestoresEveryRolloutAndARolledBackFlagStaysRolledBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    RolloutPlan plan = plan(5, 25, 100);
    BurnguardProvider first = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock)
        .guardianTicking(false).rollout("checkout", plan).rollout("split", plan).stateDirectory(dir).build();
    first.initialize(new ImmutableContext());
    first.rollouts().promote("split", "person:test");
    first.rollouts().rollback("checkout", "person:test");
    RolloutState split = first.rollouts().state("split").orElseThrow();
    first.shutdown();

    BurnguardProvider second = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock)
        .guardianTicking(false).rollout("checkout", plan).rollout("split", plan).stateDirectory(dir).build();
    second.initialize(new ImmutableContext());
    assertThat(second.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(second.rollouts().state("split")).contains(split);
    for (int i = 0; i < 1000; i++) {
      assertThat(second.getBooleanEvaluation("checkout", true, user(i)).getVariant()).isEqualTo("old");
    }
    assertThat(second.rolloutStore().health().healthy()).isTrue();
    assertThat(second.rolloutStore().load().recentDecisions("checkout"))
        .extracting(Decision::action).contains(DecisionAction.START, DecisionAction.ROLLBACK);

    // a plan edited in place keeps the rollback; the unchanged one keeps its state
    RolloutPlan changed = RolloutPlan.builder("old", "new").stages(List.of(new Stage(10, Duration.ofMinutes(1), 0),
        new Stage(100, Duration.ofMinutes(1), 0))).build();
    ProviderInternals.guardian(second).plans(java.util.Map.of("checkout", changed, "split", plan));
    assertThat(second.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(second.rollouts().state("checkout").orElseThrow().exposure()).isZero();
    assertThat(second.rollouts().state("split")).contains(split);
    // a changed candidate starts a new rollout
    ProviderInternals.guardian(second).plans(java.util.Map.of("checkout", RolloutPlan.builder("new", "old").stages(changed.stages())
        .build(), "split", plan));
    assertThat(second.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(second.rollouts().state("checkout").orElseThrow().exposure()).isEqualTo(0.1);
    second.shutdown();
  }

  private static int first(int users, Set<Integer> set, boolean member) {
    for (int i = 0; i < users; i++) {
      if (set.contains(i) == member) {
        return i;
      }
    }
    throw new AssertionError("no user " + (member ? "in" : "outside") + " the set");
  }
}
