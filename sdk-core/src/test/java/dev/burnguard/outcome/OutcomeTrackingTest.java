package dev.burnguard.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableTrackingEventDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutcomeTrackingTest {
  /** "checkout" is guarded and splits on the "plan" attribute; "banner" is not guarded. */
  private static final String FLAGS = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\","
      + "  \"targeting\": {\"if\": [{\"==\": [{\"var\": \"plan\"}, \"pro\"]}, \"new\"]},"
      + "  \"metadata\": {\"burnguard.guarded\": true}},"
      + "\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"A\", \"b\": \"B\"}, \"defaultVariant\": \"a\"}}}";
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final EvaluationContext PRO = new ImmutableContext("u1", Map.of("plan", new Value("pro")));
  private static final EvaluationContext FREE = new ImmutableContext("u2", Map.of("plan", new Value("free")));

  private final ManualClock clock = new ManualClock();
  private OpenFeatureAPI api;
  private BurnguardProvider provider;
  private Client client;
  private FlagSink sink;

  @BeforeEach
  void setUp() {
    provider = BurnguardProvider.builder().clock(clock).latencyThresholds(Duration.ofMillis(100))
        .source(new FlagSource() {
          @Override
          public String describe() {
            return "test";
          }

          @Override
          public void start(FlagSink s) {
            sink = s;
            s.content(FLAGS, "test");
          }

          @Override
          public void close() {}
        })
        .build();
    api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    client = api.getClient();
  }

  @AfterEach
  void tearDown() {
    api.shutdown();
  }

  private WindowCounts counts(String flag, String variant) {
    return provider.outcomes().counts(flag, variant, MINUTE);
  }

  @Test
  void anOutcomeWithAFlagKeyGoesToTheVariantTheContextIsAssigned() {
    client.track(BurnguardProvider.OUTCOME_EVENT, PRO,
        new MutableTrackingEventDetails(250.5).add("outcome", "error").add("flagKey", "checkout"));
    client.track(BurnguardProvider.OUTCOME_EVENT, FREE,
        new MutableTrackingEventDetails(20).add("outcome", "success").add("flagKey", "checkout"));
    WindowCounts candidate = counts("checkout", "new");
    assertThat(candidate.calls()).isEqualTo(1);
    assertThat(candidate.errors()).isEqualTo(1);
    assertThat(candidate.slow(0)).isEqualTo(1); // 250.5 ms > 100 ms
    assertThat(counts("checkout", "old").calls()).isEqualTo(1);
    assertThat(counts("checkout", "old").slow(0)).isZero();
    assertThat(provider.outcomes().latency("checkout", "new").quantile(1).toNanos() / 1e6).isBetween(248.0, 253.0);
  }

  @Test
  void anExplicitVariantIsRecordedAsGiven() {
    client.track(BurnguardProvider.OUTCOME_EVENT, PRO,
        new MutableTrackingEventDetails(5).add("flagKey", "checkout").add("variant", "old"));
    assertThat(counts("checkout", "old").calls()).isEqualTo(1);
    assertThat(counts("checkout", "new").calls()).isZero();
  }

  @Test
  void withoutAFlagKeyEveryGuardedFlagGetsTheOutcomeForItsAssignedVariant() {
    client.track(BurnguardProvider.OUTCOME_EVENT, PRO, new MutableTrackingEventDetails(5).add("outcome", "error"));
    client.track(BurnguardProvider.OUTCOME_EVENT, FREE, new MutableTrackingEventDetails(5));
    assertThat(counts("checkout", "new").errors()).isEqualTo(1);
    assertThat(counts("checkout", "old").calls()).isEqualTo(1);
    assertThat(counts("checkout", "old").errors()).isZero();
    assertThat(ProviderInternals.recorder(provider).series()).isEqualTo(Map.of("checkout", Set.of("new", "old")));
  }

  @Test
  void unknownFlagsVariantsOutcomesAndOtherEventsAreNotRecorded() {
    client.track(BurnguardProvider.OUTCOME_EVENT, PRO, new MutableTrackingEventDetails(5).add("flagKey", "nope"));
    client.track(BurnguardProvider.OUTCOME_EVENT, PRO,
        new MutableTrackingEventDetails(5).add("flagKey", "checkout").add("variant", "typo"));
    client.track(BurnguardProvider.OUTCOME_EVENT, PRO,
        new MutableTrackingEventDetails(5).add("flagKey", "checkout").add("outcome", "meh"));
    client.track("checkout-completed", PRO, new MutableTrackingEventDetails(5).add("flagKey", "checkout"));
    assertThat(ProviderInternals.recorder(provider).series()).isEmpty();
    assertThat(ProviderInternals.recorder(provider).refusedOutcomes()).isEqualTo(2);
  }

  @Test
  void trackingNeverThrows() {
    assertThatCode(() -> provider.track(BurnguardProvider.OUTCOME_EVENT, null, null)).doesNotThrowAnyException();
    assertThatCode(() -> provider.track(BurnguardProvider.OUTCOME_EVENT, null, new MutableTrackingEventDetails(1)))
        .doesNotThrowAnyException();
    assertThatCode(() -> provider.track(null, PRO, new MutableTrackingEventDetails())).doesNotThrowAnyException();
  }

  @Test
  void manualRecordingAndReloadsKeepOnlyVariantsThatStillExist() {
    provider.outcomes().record("banner", "b", Duration.ofMillis(3), Outcome.SUCCESS);
    provider.outcomes().record("checkout", "new", Duration.ofMillis(3), Outcome.SUCCESS);
    assertThat(ProviderInternals.recorder(provider).series()).containsOnlyKeys("banner", "checkout");
    sink.content(FLAGS.replace("\"a\": \"A\", \"b\": \"B\"", "\"a\": \"A\", \"c\": \"C\""), "test");
    assertThat(provider.flagSet().orElseThrow().flags().get("banner").variants()).containsOnlyKeys("a", "c");
    assertThat(ProviderInternals.recorder(provider).series()).isEqualTo(Map.of("checkout", Set.of("new")));
  }

  @Test
  void theProvidersGuardRecordsIntoItsRecorderOnItsClock() {
    Guard guard = provider.guard().build();
    String served = guard.call("checkout", PRO, () -> {
      clock.advance(Duration.ofMillis(150));
      return "candidate";
    }, () -> "control");
    assertThat(served).isEqualTo("candidate");
    WindowCounts candidate = counts("checkout", "new");
    assertThat(candidate.calls()).isEqualTo(1);
    assertThat(candidate.slow(0)).isEqualTo(1); // 150 ms > 100 ms
    assertThat(provider.outcomes().latency("checkout", "new").quantile(1).toMillis()).isBetween(149L, 151L);
  }

  @Test
  void assignedVariantIsWhatEvaluationServes() {
    FlagSet flags = provider.flagSet().orElseThrow();
    assertThat(flags.assignedVariant("checkout", PRO)).isEqualTo(client.getBooleanDetails("checkout", false, PRO).getVariant());
    assertThat(flags.assignedVariant("checkout", FREE)).isEqualTo("old");
    assertThat(flags.assignedVariant("nope", FREE)).isNull();
    assertThat(flags.guardedFlags()).containsExactly("checkout");
  }
}
