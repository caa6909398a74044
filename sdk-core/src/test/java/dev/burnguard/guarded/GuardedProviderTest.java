package dev.burnguard.guarded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.GuardedProvider;
import dev.burnguard.internal.gate.ExposureGate;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.source.FileFlagSource;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.MutableTrackingEventDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.multiprovider.MultiProvider;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rest of {@link GuardedProvider}'s contract: events, tracking, metadata, hooks, a throwing or
 * slow delegate, value-only delegates with declared values, the hot-reloaded plans file, and
 * composition with Burnguard's own provider and OpenFeature's multi-provider.
 */
class GuardedProviderTest {
  private static final String GUARDED = GuardedDelegateContract.GUARDED;

  @TempDir
  Path tmp;

  private final ManualClock clock = new ManualClock();
  private final List<GuardedProvider> started = new ArrayList<>();
  private OpenFeatureAPI api;

  @AfterEach
  void tearDown() {
    if (api != null) {
      api.shutdown();
    }
    started.forEach(GuardedProvider::shutdown);
  }

  private GuardedProvider.Builder guard(FeatureProvider delegate) {
    return GuardedProvider.builder(delegate).clock(clock).guardianTicking(false).inMemoryRolloutState();
  }

  private GuardedProvider start(GuardedProvider provider) throws Exception {
    provider.initialize(new ImmutableContext());
    started.add(provider);
    return provider;
  }

  private static RolloutPlan plan(double... exposures) {
    return GuardedDelegateContract.plan(exposures);
  }

  /** A context the gate holds back at {@code exposure}, and one it admits. */
  private static EvaluationContext context(boolean admitted, double exposure) {
    for (int i = 0; ; i++) {
      if (ExposureGate.position(GUARDED, "user-" + i) < exposure == admitted) {
        return new ImmutableContext("user-" + i);
      }
    }
  }

  @Test
  void anUnguardedFlagIsTheDelegatesResultObjectItself() throws Exception {
    ProviderEvaluation<Boolean> fixed = new ProviderEvaluation<>(true, "v", "STATIC", null, null,
        ImmutableMetadata.EMPTY);
    FeatureProvider delegate = new FixedProvider(fixed);
    GuardedProvider guarded = start(guard(delegate).rollout(GUARDED, plan(5, 100)).build());
    assertThat(guarded.getBooleanEvaluation("other", false, new ImmutableContext("u"))).isSameAs(fixed);
    assertThat(guarded.getBooleanEvaluation(null, false, null)).isSameAs(fixed);
    assertThat(guarded.getMetadata()).isSameAs(delegate.getMetadata());
    assertThat(guarded.getProviderHooks()).isEqualTo(delegate.getProviderHooks());
  }

  @Test
  void aGuardedResultKeepsTheDelegatesMetadataAndAddsTheRollouts() throws Exception {
    InMemoryProvider delegate = new InMemoryProvider(Map.of(GUARDED, Flag.<Boolean>builder().variant("on", true)
        .variant("off", false).defaultVariant("on")
        .flagMetadata(ImmutableMetadata.builder().addString("owner", "team-a").addInteger("version", 3).build())
        .build()));
    GuardedProvider guarded = start(guard(delegate).rollout(GUARDED, plan(5, 100)).build());
    ProviderEvaluation<Boolean> held = guarded.getBooleanEvaluation(GUARDED, true, context(false, 0.05));
    ProviderEvaluation<Boolean> admitted = guarded.getBooleanEvaluation(GUARDED, false, context(true, 0.05));
    for (ProviderEvaluation<Boolean> r : List.of(held, admitted)) {
      assertThat(r.getFlagMetadata().getString("owner")).isEqualTo("team-a");
      assertThat(r.getFlagMetadata().getInteger("version")).isEqualTo(3);
      assertThat(r.getFlagMetadata().getString(Guardian.STATUS_METADATA)).isEqualTo("RAMPING");
      assertThat(r.getFlagMetadata().getLong(Guardian.STAGE_METADATA)).isZero();
      assertThat(r.getFlagMetadata().getDouble(Guardian.EXPOSURE_METADATA)).isEqualTo(0.05);
      assertThat(r.getFlagMetadata().getString(Guardian.MODE_METADATA)).isEqualTo("ENFORCE");
    }
    assertThat(held.getValue()).isFalse();
    assertThat(held.getVariant()).isEqualTo("off");
    assertThat(held.getReason()).isEqualTo(Guardian.ROLLOUT_REASON);
    assertThat(admitted.getValue()).isTrue();
    assertThat(admitted.getVariant()).isEqualTo("on");
    assertThat(admitted.getReason()).isEqualTo(Reason.STATIC.name());
  }

  @Test
  void theDelegatesEventsAndTheGuardiansDecisionsAreThisProvidersEvents() throws Exception {
    InMemoryProvider delegate = new InMemoryProvider(GuardedInMemoryProviderTest.flags());
    GuardedProvider guarded = guard(delegate).rollout(GUARDED, plan(5, 100)).build();
    List<String> events = new CopyOnWriteArrayList<>();
    api = OpenFeatureAPI.createIsolated();
    api.on(ProviderEvent.PROVIDER_READY, d -> events.add("READY"));
    api.on(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, d -> events.add("CHANGED " + d.getFlagsChanged()));
    api.on(ProviderEvent.PROVIDER_STALE, d -> events.add("STALE " + d.getMessage()));
    api.setProviderAndWait(guarded);
    Client client = api.getClient();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("READY"));

    delegate.updateFlag("plain-int", Flag.<Integer>builder().variant("three", 3).defaultVariant("three").build());
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("CHANGED [plain-int]"));
    assertThat(client.getIntegerValue("plain-int", 0)).isEqualTo(3);

    guarded.rollouts().promote(GUARDED, "person:test");
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("CHANGED [" + GUARDED + "]"));
    delegate.emitProviderStale(dev.openfeature.sdk.ProviderEventDetails.builder().message("upstream lost").build());
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("STALE upstream lost"));
    assertThat(events.stream().filter("READY"::equals).count()).as("one READY, from initialize").isEqualTo(1);
    delegate.emitProviderReady(dev.openfeature.sdk.ProviderEventDetails.builder().message("upstream back").build());
    await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().filter("READY"::equals).count() == 2);
    assertThat(guarded.relaysDelegateEvents()).isTrue();
  }

  @Test
  void aDelegateRegisteredWithAnotherApiIsGuardedWithoutRelayingItsEvents() throws Exception {
    InMemoryProvider delegate = new InMemoryProvider(GuardedInMemoryProviderTest.flags());
    OpenFeatureAPI other = OpenFeatureAPI.createIsolated();
    List<String> otherEvents = new CopyOnWriteArrayList<>();
    other.on(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, d -> otherEvents.add("CHANGED " + d.getFlagsChanged()));
    other.setProviderAndWait(delegate);
    try {
      GuardedProvider guarded = guard(delegate).rollout(GUARDED, plan(5, 100)).build();
      List<String> events = new CopyOnWriteArrayList<>();
      api = OpenFeatureAPI.createIsolated();
      api.on(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, d -> events.add("CHANGED " + d.getFlagsChanged()));
      api.setProviderAndWait(guarded); // the SDK refuses the delegate's second registration: no crash

      assertThat(guarded.relaysDelegateEvents()).isFalse();
      assertThat(api.getClient().getBooleanValue(GUARDED, true, context(false, 0.05))).isFalse();
      assertThat(api.getClient().getBooleanValue(GUARDED, false, context(true, 0.05))).isTrue();
      delegate.updateFlag("plain-int", Flag.<Integer>builder().variant("three", 3).defaultVariant("three").build());
      await().atMost(Duration.ofSeconds(10)).until(() -> otherEvents.contains("CHANGED [plain-int]"));
      guarded.rollouts().promote(GUARDED, "person:test");
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("CHANGED [" + GUARDED + "]"));
      assertThat(events).as("the guard's own decisions only (start, promote)").isNotEmpty()
          .allMatch(("CHANGED [" + GUARDED + "]")::equals);
    } finally {
      other.shutdown();
    }
  }

  @Test
  void aDelegateWhoseInitializationFailsFailsThisProvidersWithItsOwnException() throws Exception {
    IllegalStateException boom = new IllegalStateException("cannot reach the flag service");
    List<String> calls = new CopyOnWriteArrayList<>();
    InMemoryProvider failing = new InMemoryProvider(GuardedInMemoryProviderTest.flags()) {
      @Override
      public void initialize(EvaluationContext evaluationContext) throws Exception {
        calls.add("initialize " + evaluationContext.getValue("region").asString());
        throw boom;
      }

      @Override
      public void shutdown() {
        calls.add("shutdown");
        super.shutdown();
      }
    };
    GuardedProvider guarded = guard(failing).rollout(GUARDED, plan(5, 100)).build();
    assertThatThrownBy(() -> guarded.initialize(new ImmutableContext(Map.of("region", new Value("eu")))))
        .isSameAs(boom);
    guarded.shutdown();
    assertThat(calls).containsExactly("initialize eu", "shutdown");
  }

  @Test
  void trackingReachesTheDelegateAndOutcomeEventsFeedTheGuard() throws Exception {
    ValueOnlyProvider delegate = new ValueOnlyProvider();
    GuardedProvider guarded = start(guard(delegate).rollout(GUARDED, plan(5, 100)).build());
    EvaluationContext admitted = context(true, 0.05);
    EvaluationContext held = context(false, 0.05);
    guarded.getBooleanEvaluation(GUARDED, false, admitted);

    guarded.track(BurnguardProvider.OUTCOME_EVENT, admitted, new MutableTrackingEventDetails(12).add("outcome", "error"));
    guarded.track(BurnguardProvider.OUTCOME_EVENT, held, new MutableTrackingEventDetails(3));
    guarded.track(BurnguardProvider.OUTCOME_EVENT, held, new MutableTrackingEventDetails(3).add("flagKey", GUARDED)
        .add("variant", "on"));
    guarded.track("checkout-completed", admitted, new MutableTrackingEventDetails(1));

    assertThat(delegate.tracked).containsExactly(BurnguardProvider.OUTCOME_EVENT + " " + admitted.getTargetingKey(),
        BurnguardProvider.OUTCOME_EVENT + " " + held.getTargetingKey(),
        BurnguardProvider.OUTCOME_EVENT + " " + held.getTargetingKey(), "checkout-completed " + admitted.getTargetingKey());
    var candidate = guarded.outcomes().counts(GUARDED, "on", Duration.ofMinutes(5));
    var control = guarded.outcomes().counts(GUARDED, "off", Duration.ofMinutes(5));
    assertThat(candidate.calls()).isEqualTo(2);
    assertThat(candidate.errors()).isEqualTo(1);
    assertThat(control.calls()).isEqualTo(1);
    assertThat(control.errors()).isZero();
  }

  @Test
  void theGuardApiRecordsAgainstTheVariantsTheGuardNamesForAValueOnlyDelegate() throws Exception {
    GuardedProvider guarded = start(guard(new ValueOnlyProvider()).rollout(GUARDED, plan(5, 100)).build());
    var guard = guarded.guard().build();
    String served = guard.call(GUARDED, context(false, 0.05), () -> "new", () -> "old");
    assertThat(served).isEqualTo("old");
    assertThatThrownBy(() -> guard.call(GUARDED, context(true, 0.05), () -> {
      throw new IllegalStateException("boom");
    }, () -> "old")).hasMessage("boom");
    assertThat(guarded.outcomes().counts(GUARDED, "off", Duration.ofMinutes(5)).calls()).isEqualTo(1);
    assertThat(guarded.outcomes().counts(GUARDED, "on", Duration.ofMinutes(5)).errors()).isEqualTo(1);
  }

  @Test
  void aThrowingDelegatesExceptionIsThrownAsItIsAndTheClientSeesTheDelegatesError() throws Exception {
    IllegalStateException boom = new IllegalStateException("backend down");
    FeatureProvider throwing = new FixedProvider(null) {
      @Override
      public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
        throw boom;
      }
    };
    GuardedProvider guarded = guard(throwing).rollout(GUARDED, plan(5, 100)).build();
    assertThatThrownBy(() -> guarded.getBooleanEvaluation(GUARDED, false, new ImmutableContext("u"))).isSameAs(boom);
    assertThatThrownBy(() -> guarded.getBooleanEvaluation("other", false, new ImmutableContext("u"))).isSameAs(boom);
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(guarded);
    FlagEvaluationDetails<Boolean> details = api.getClient().getBooleanDetails(GUARDED, true, new ImmutableContext("u"));
    assertThat(details.getErrorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(details.getErrorMessage()).isEqualTo("backend down");
    assertThat(details.getValue()).isTrue();
  }

  @Test
  void aSlowDelegateIsWaitedForWithoutHoldingALockTheGuardianOrOtherFlagsNeed() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ProviderEvaluation<Boolean> answer = new ProviderEvaluation<>(true, "on", "STATIC", null, null,
        ImmutableMetadata.EMPTY);
    FeatureProvider slow = new FixedProvider(answer) {
      @Override
      public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
        if ("slow".equals(key)) {
          entered.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return super.getBooleanEvaluation(key, defaultValue, ctx);
      }
    };
    GuardedProvider guarded = start(guard(slow).rollout("slow", RolloutPlan.builder("off", "on")
        .stages(List.of(new Stage(100, Duration.ofMinutes(10), 0))).build()).build());
    CompletableFuture<ProviderEvaluation<Boolean>> pending = CompletableFuture.supplyAsync(
        () -> guarded.getBooleanEvaluation("slow", false, new ImmutableContext("u")));
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    // meanwhile: the guardian decides, and other flags resolve
    guarded.rollouts().rollback("slow", "person:test");
    assertThat(guarded.getBooleanEvaluation(GUARDED, false, new ImmutableContext("u"))).isSameAs(answer);
    release.countDown();
    ProviderEvaluation<Boolean> r = pending.get(30, TimeUnit.SECONDS);
    assertThat(r.getErrorCode()).isNull();
    assertThat(r.getValue()).isFalse(); // rolled back while the delegate resolved
    assertThat(r.getReason()).isEqualTo(Guardian.ROLLED_BACK_REASON);
  }

  @Test
  void aValueOnlyIntegerFlagIsMatchedAndServedByTheValuesThePlansFileDeclares() throws Exception {
    Path plans = tmp.resolve("plans.json");
    Files.writeString(plans, """
        {"flags": {"price": {"state": "ENABLED", "variants": {"old": 999, "new": 1299},
          "rollout": {"control": "old", "candidate": "new",
                      "stages": [{"exposure": 5, "bake": "10m", "minSamples": 0}, {"exposure": 100, "bake": "10m", "minSamples": 0}]}}}}
        """);
    GuardedProvider guarded = guard(new ValueOnlyProvider())
        .plans(FileFlagSource.builder(plans).pollInterval(Duration.ofMillis(50)).build()).build();
    List<String> stale = new CopyOnWriteArrayList<>();
    api = OpenFeatureAPI.createIsolated();
    api.on(ProviderEvent.PROVIDER_STALE, d -> stale.add(d.getMessage()));
    api.setProviderAndWait(guarded);
    assertThat(guarded.plans()).containsKey("price");
    int admitted = 0;
    for (int i = 0; i < 2_000; i++) {
      String key = "user-" + i;
      ProviderEvaluation<Integer> r = guarded.getIntegerEvaluation("price", 0, new ImmutableContext(key));
      boolean in = ExposureGate.position("price", key) < 0.05;
      assertThat(r.getValue()).isEqualTo(in ? 1299 : 999);
      assertThat(r.getVariant()).isEqualTo(in ? "new" : "old");
      admitted += in ? 1 : 0;
    }
    assertThat(admitted).isBetween(60, 140);

    // hot reload: the plan's first stage becomes 50 %, applied in place
    replace(plans, Files.readString(plans).replace("\"exposure\": 5,", "\"exposure\": 50,"));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        guarded.rollouts().state("price").orElseThrow().exposure() == 0.5);
    assertThat(guarded.rollouts().state("price").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);

    // an invalid plan is refused whole, naming the file and the JSON path; the last good plan stays
    replace(plans, Files.readString(plans).replace("\"candidate\": \"new\"", "\"candidate\": \"newer\""));
    await().atMost(Duration.ofSeconds(10)).until(() -> !stale.isEmpty());
    assertThat(stale.get(0)).contains(plans.toString()).contains("$.flags.price.rollout.candidate").contains("newer");
    assertThat(guarded.plans().get("price").candidate()).isEqualTo("new");
    assertThat(guarded.getIntegerEvaluation("price", 0, new ImmutableContext("user-1")).getVariant()).isNotNull();
  }

  /**
   * Replaces {@code file}'s content in one atomic move: written in place, a 50 ms poll could read it
   * empty or half written and report that instead of the change under test.
   */
  private static void replace(Path file, String content) throws java.io.IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aPlansFileThatDoesNotLoadFailsInitializationWithItsProblems() throws Exception {
    Path plans = tmp.resolve("plans.json");
    Files.writeString(plans, "{\"flags\": {\"price\": {\"state\": \"ENABLED\", \"variants\": {\"old\": 1},"
        + " \"rollout\": {\"control\": \"old\", \"candidate\": \"new\"}}}}");
    GuardedProvider guarded = guard(new ValueOnlyProvider()).plans(plans).build();
    started.add(guarded);
    assertThatThrownBy(() -> guarded.initialize(new ImmutableContext()))
        .hasMessageContaining(plans.toString()).hasMessageContaining("$.flags.price.rollout.candidate");
  }

  @Test
  void overBurnguardsOwnProviderAFlagItGuardsIsNotGatedTwice() throws Exception {
    String flags = "{\"flags\": {\"" + GUARDED + "\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
        + " \"defaultVariant\": \"on\"}, \"other\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
        + " \"defaultVariant\": \"on\"}}}";
    BurnguardProvider burnguard = BurnguardProvider.builder().source(FlagSource.inline(flags)).clock(clock)
        .guardianTicking(false).inMemoryRolloutState().rollout(GUARDED, plan(50, 100)).build();
    GuardedProvider guarded = start(guard(burnguard).rollout(GUARDED, plan(5, 100)).rollout("other", plan(5, 100))
        .build());
    int both = 0;
    int other = 0;
    for (int i = 0; i < 2_000; i++) {
      EvaluationContext ctx = new ImmutableContext("user-" + i);
      ProviderEvaluation<Boolean> direct = burnguard.getBooleanEvaluation(GUARDED, false, ctx);
      ProviderEvaluation<Boolean> wrapped = guarded.getBooleanEvaluation(GUARDED, false, ctx);
      assertThat(wrapped).isSameAs(direct); // the delegate's own gate decided; passed through
      both += wrapped.getValue() ? 1 : 0;
      other += guarded.getBooleanEvaluation("other", false, ctx).getValue() ? 1 : 0;
    }
    assertThat(both).as("the delegate's 50 %%, not 50 %% x 5 %%").isBetween(900, 1100);
    assertThat(other).as("a flag only the wrapper guards: its 5 %%").isBetween(60, 140);
  }

  @Test
  void underOpenFeaturesMultiProviderTheGuardedChildGatesItsFlag() throws Exception {
    InMemoryProvider first = new InMemoryProvider(GuardedInMemoryProviderTest.flags());
    GuardedProvider guarded = guard(first).rollout(GUARDED, plan(5, 100)).build();
    InMemoryProvider second = new InMemoryProvider(Map.of("only-second", Flag.<String>builder().variant("x", "x")
        .defaultVariant("x").build()));
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(new MultiProvider(List.of(guarded, second)));
    Client client = api.getClient();
    int candidates = 0;
    for (int i = 0; i < 2_000; i++) {
      EvaluationContext ctx = new ImmutableContext("user-" + i);
      boolean value = client.getBooleanValue(GUARDED, false, ctx);
      assertThat(value).isEqualTo(ExposureGate.position(GUARDED, "user-" + i) < 0.05);
      candidates += value ? 1 : 0;
    }
    assertThat(candidates).isBetween(60, 140);
    assertThat(client.getStringValue("only-second", "none")).isEqualTo("x");
    assertThat(client.getStringValue("plain-string", "none")).isEqualTo("blue");

    // and the other way round: a guard around a multi-provider
    GuardedProvider around = start(guard(new MultiProvider(List.of(new InMemoryProvider(
        GuardedInMemoryProviderTest.flags())))).rollout(GUARDED, plan(5, 100)).build());
    assertThat(around.getBooleanEvaluation(GUARDED, true, context(false, 0.05)).getValue()).isFalse();
    assertThat(around.getBooleanEvaluation(GUARDED, false, context(true, 0.05)).getValue()).isTrue();
  }

  /** A provider that answers every boolean flag with one result object. */
  static class FixedProvider implements FeatureProvider {
    private final ProviderEvaluation<Boolean> answer;
    private final Metadata metadata = () -> "fixed";

    FixedProvider(ProviderEvaluation<Boolean> answer) {
      this.answer = answer;
    }

    @Override
    public Metadata getMetadata() {
      return metadata;
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
      return answer;
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
      return new ProviderEvaluation<>(defaultValue, null, "ERROR", ErrorCode.TYPE_MISMATCH, "boolean only",
          ImmutableMetadata.EMPTY);
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
      return new ProviderEvaluation<>(defaultValue, null, "ERROR", ErrorCode.TYPE_MISMATCH, "boolean only",
          ImmutableMetadata.EMPTY);
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
      return new ProviderEvaluation<>(defaultValue, null, "ERROR", ErrorCode.TYPE_MISMATCH, "boolean only",
          ImmutableMetadata.EMPTY);
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
      return new ProviderEvaluation<>(defaultValue, null, "ERROR", ErrorCode.TYPE_MISMATCH, "boolean only",
          ImmutableMetadata.EMPTY);
    }
  }
}
