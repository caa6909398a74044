package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider.ProviderHealth;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.internal.store.InMemoryRolloutStore;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.source.FileFlagSource;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: rollout state persists by default, and a rollback holds through plan edits and
 * restarts until a person resets it.
 */
class RolloutStatePersistenceTest {
  @TempDir Path dir;
  private String savedDirectory;
  private String savedInMemory;
  private final List<OpenFeatureAPI> apis = new CopyOnWriteArrayList<>();

  @BeforeEach
  void useTheRealDefault() {
    savedDirectory = System.getProperty(BurnguardProvider.STATE_DIRECTORY_PROPERTY);
    savedInMemory = System.getProperty(BurnguardProvider.IN_MEMORY_STATE_PROPERTY);
    // the build keeps other tests' state in memory; these test the default itself
    System.clearProperty(BurnguardProvider.IN_MEMORY_STATE_PROPERTY);
    System.setProperty(BurnguardProvider.STATE_DIRECTORY_PROPERTY, dir.resolve("burnguard-state").toString());
  }

  @AfterEach
  void restore() {
    apis.forEach(OpenFeatureAPI::shutdown);
    set(BurnguardProvider.STATE_DIRECTORY_PROPERTY, savedDirectory);
    set(BurnguardProvider.IN_MEMORY_STATE_PROPERTY, savedInMemory);
  }

  private static void set(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  private static String flags(String candidate, String watch) {
    return "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false, \"new\": true,"
        + " \"newer\": true}, \"defaultVariant\": \"" + candidate + "\", \"rollout\": {\"control\": \"old\", \"candidate\": \""
        + candidate + "\", \"stages\": [{\"exposure\": 50, \"bake\": \"1m\"}, {\"exposure\": 100}], \"watch\": \""
        + watch + "\"}}}}";
  }

  private BurnguardProvider start(BurnguardProvider provider) {
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    apis.add(api);
    api.setProviderAndWait(provider);
    return provider;
  }

  private static RolloutState checkout(BurnguardProvider provider) {
    return provider.rollouts().state("checkout").orElseThrow();
  }

  private static long servedCandidate(BurnguardProvider provider) {
    long n = 0;
    for (int i = 0; i < 1000; i++) {
      if (provider.getBooleanEvaluation("checkout", false, new ImmutableContext("user-" + i)).getValue()) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aRestartOfTheReadmeSetupKeepsARollback() throws Exception {
    Path file = dir.resolve("flags.json");
    Files.writeString(file, flags("new", "10m"));
    // the README's setup, twice, one after the other
    BurnguardProvider first = start(BurnguardProvider.builder().source(FlagSource.file(file)).build());
    assertThat(servedCandidate(first)).as("candidate served of 1000 at the first stage").isBetween(400L, 600L);
    first.rollouts().rollback("checkout", "person:test");
    assertThat(servedCandidate(first)).isZero();
    apis.remove(0).shutdown();

    BurnguardProvider second = start(BurnguardProvider.builder().source(FlagSource.file(file)).build());
    assertThat(checkout(second).status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(servedCandidate(second)).as("candidate served of 1000 after the restart").isZero();
    ProviderHealth health = second.health();
    assertThat(health.stateLocation()).isEqualTo(dir.resolve("burnguard-state").toString());
    assertThat(health.safe()).isTrue();
    assertThat(Files.exists(dir.resolve("burnguard-state").resolve("state.json"))).isTrue();
  }

  @Test
  void aWatchEditOnARolledBackFlagKeepsItRolledBackThroughAReloadAndARestartAndANewCandidateStartsOver()
      throws Exception {
    Path file = dir.resolve("flags.json");
    Path state = dir.resolve("state");
    Files.writeString(file, flags("new", "10m"));
    BurnguardProvider first = start(BurnguardProvider.builder()
        .source(FileFlagSource.builder(file).pollInterval(Duration.ofMillis(20)).build()).stateDirectory(state).build());
    first.rollouts().rollback("checkout", "person:test");

    Path tmp = dir.resolve("flags.tmp");
    Files.writeString(tmp, flags("new", "11m"));
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    await().until(() -> checkout(first).planFingerprint().contains("PT11M"));
    assertThat(checkout(first).status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(servedCandidate(first)).isZero();
    Decision edit = first.rolloutStore().load().recentDecisions("checkout").get(2);
    assertThat(edit.action()).isEqualTo(DecisionAction.PLAN_CHANGED);
    assertThat(edit.actor()).isEqualTo("file");
    assertThat(edit.reason()).contains("watch PT10M -> PT11M").contains("continues ROLLED_BACK");
    apis.remove(0).shutdown();

    // the plan changes again while the service is down
    Files.writeString(file, flags("new", "12m"));
    BurnguardProvider second = start(BurnguardProvider.builder().source(FlagSource.file(file)).stateDirectory(state)
        .build());
    assertThat(checkout(second).status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(checkout(second).planFingerprint()).contains("PT12M");
    assertThat(servedCandidate(second)).isZero();
    apis.remove(0).shutdown();

    // a fixed candidate starts over
    Files.writeString(file, flags("newer", "12m"));
    BurnguardProvider third = start(BurnguardProvider.builder().source(FlagSource.file(file)).stateDirectory(state)
        .build());
    assertThat(checkout(third).status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(checkout(third).exposure()).isEqualTo(0.5);
    assertThat(third.rolloutStore().load().recentDecisions("checkout")).extracting(Decision::action)
        .containsExactly(DecisionAction.START, DecisionAction.ROLLBACK, DecisionAction.PLAN_CHANGED,
            DecisionAction.PLAN_CHANGED, DecisionAction.START);
  }

  @Test
  void aStateDirectoryAndAStoreTogetherAreRefusedNamingBoth() {
    assertThatThrownBy(() -> BurnguardProvider.builder().source(FlagSource.inline("{\"flags\": {}}"))
        .stateDirectory(dir).rolloutStore(new InMemoryRolloutStore()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stateDirectory(" + dir + ")").hasMessageContaining("rolloutStore(");
    assertThatThrownBy(() -> BurnguardProvider.builder().source(FlagSource.inline("{\"flags\": {}}"))
        .rolloutStore(new InMemoryRolloutStore()).inMemoryRolloutState().build())
        .hasMessageContaining("rolloutStore(").hasMessageContaining("inMemoryRolloutState()");
  }

  @Test
  void aDefaultDirectoryThatCannotBeOpenedIsReportedAsAnEventAndInHealth() throws Exception {
    Path notADirectory = dir.resolve("plain-file");
    Files.writeString(notADirectory, "x");
    System.setProperty(BurnguardProvider.STATE_DIRECTORY_PROPERTY, notADirectory.resolve("state").toString());
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    apis.add(api);
    List<String> stale = new CopyOnWriteArrayList<>();
    api.on(ProviderEvent.PROVIDER_STALE, d -> stale.add(d.getMessage() + " " + d.getEventMetadata()
        .getBoolean(BurnguardProvider.STORE_HEALTHY_METADATA)));
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(flags("new", "10m"))).build();
    api.setProviderAndWait(provider);
    assertThat(provider.health().stateLocation()).isEqualTo("memory");
    assertThat(provider.health().safe()).isFalse();
    assertThat(provider.health().warnings()).singleElement().asString()
        .contains("cannot open the default rollout state directory " + notADirectory.resolve("state"));
    await().until(() -> !stale.isEmpty());
    assertThat(stale.get(0)).contains("kept in memory only").endsWith(" false");
    // the rollouts still run
    assertThat(checkout(provider).status()).isEqualTo(RolloutStatus.RAMPING);
  }

  @Test
  void withoutAGuardedRolloutTheDefaultDirectoryIsNotCreated() {
    BurnguardProvider provider = start(BurnguardProvider.builder()
        .source(FlagSource.inline("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1},"
            + " \"defaultVariant\": \"a\"}}}")).build());
    assertThat(provider.getIntegerEvaluation("f", 0, new ImmutableContext()).getValue()).isEqualTo(1);
    assertThat(Files.exists(dir.resolve("burnguard-state"))).isFalse();
    assertThat(provider.health().warnings()).isEmpty();
  }

  @Test
  void stateInMemoryByChoiceIsWarnedAboutInHealthOnceARolloutIsGuarded() {
    BurnguardProvider unguarded = start(BurnguardProvider.builder()
        .source(FlagSource.inline("{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1},"
            + " \"defaultVariant\": \"a\"}}}")).inMemoryRolloutState().build());
    assertThat(unguarded.health().warnings()).isEmpty();
    BurnguardProvider guarded = start(BurnguardProvider.builder().source(FlagSource.inline(flags("new", "10m")))
        .inMemoryRolloutState().build());
    assertThat(guarded.health().stateLocation()).isEqualTo("memory");
    assertThat(guarded.health().warnings()).singleElement().asString()
        .contains("kept in memory only").contains("re-expose");
    assertThat(Files.exists(dir.resolve("burnguard-state"))).isFalse();
  }
}
