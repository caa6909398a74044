package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider.LoadFailure;
import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BurnguardProviderTest {
  /** Reloads run on background threads; a busy CI machine may take longer than Awaitility's default 10 s. */
  @org.junit.jupiter.api.BeforeAll
  static void allowForABusyMachine() {
    org.awaitility.Awaitility.setDefaultTimeout(java.time.Duration.ofSeconds(30));
  }

  private static final String V1 = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\"},"
      + "\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"hello\", \"b\": \"hi\"}, \"defaultVariant\": \"a\"}}}";
  private static final String V2 = V1.replace("\"defaultVariant\": \"old\"", "\"defaultVariant\": \"new\"");
  private static final String BAD_DEFAULT = V1.replace("\"defaultVariant\": \"a\"", "\"defaultVariant\": \"c\"");

  @TempDir Path dir;
  private WatchedFlagFile flags;
  private Path file;
  private OpenFeatureAPI api;
  private List<String> events;

  @BeforeEach
  void setUp() {
    flags = new WatchedFlagFile(dir);
    file = flags.file;
    api = flags.api;
    events = flags.events;
  }

  @AfterEach
  void tearDown() {
    flags.close();
  }

  @Test
  void readyAfterFirstLoadThenConfigurationChangedWithExactlyTheChangedKeys() throws IOException {
    flags.write(V1);
    api.setProviderAndWait(flags.provider());
    Client client = api.getClient();
    assertThat(client.getBooleanValue("checkout", true)).isFalse();

    flags.write(V2);
    await().until(() -> events.size() == 2);
    assertThat(client.getBooleanValue("checkout", false)).isTrue();
    assertThat(events).containsExactlyInAnyOrder("PROVIDER_READY", "PROVIDER_CONFIGURATION_CHANGED [checkout]");
  }

  @Test
  void underRejectFileABadReloadKeepsTheLastGoodFlagsGoesStaleNamesFileAndPathAndRecovers() throws IOException {
    flags.write(V1);
    BurnguardProvider provider = flags.provider(InvalidFlagPolicy.REJECT_FILE); // the default keeps the other flag's change
    api.setProviderAndWait(provider);
    Client client = api.getClient();

    flags.write(BAD_DEFAULT);
    await().until(() -> events.contains("PROVIDER_STALE"));
    assertThat(client.getStringValue("banner", "x")).isEqualTo("hello");
    assertThat(client.getBooleanValue("checkout", true)).isFalse();
    LoadFailure failure = provider.lastLoadFailure().orElseThrow();
    assertThat(failure.problems()).extracting(FlagProblem::toString)
        .containsExactly(file + ": $.flags.banner.defaultVariant: defaultVariant names a variant the flag does not "
            + "define (variants: a, b) (value: \"c\")");
    assertThat(api.getClient().getProviderState()).isEqualTo(ProviderState.STALE);

    flags.write("{\"flags\": ");
    flags.write(V2);
    await().until(() -> events.size() == 4);
    assertThat(events.subList(0, 2)).containsExactly("PROVIDER_READY", "PROVIDER_STALE");
    // the SDK runs event handlers on a pool: events emitted together may arrive in either order
    assertThat(events.subList(2, 4)).containsExactlyInAnyOrder("PROVIDER_READY",
        "PROVIDER_CONFIGURATION_CHANGED [checkout]");
    assertThat(provider.lastLoadFailure()).isEmpty();
    assertThat(client.getBooleanValue("checkout", false)).isTrue();
  }

  @Test
  void underRejectFileAnInvalidFirstLoadIsAnErrorAndAFixedFileMakesTheProviderReady() throws IOException {
    flags.write("{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1, \"y\": \"2\"}}}}");
    BurnguardProvider provider = flags.provider(InvalidFlagPolicy.REJECT_FILE); // the default serves "a" as PARSE_ERROR
    assertThatThrownBy(() -> api.setProviderAndWait(provider))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("$.flags.a.variants.y");
    assertThat(api.getClient().getProviderState()).isEqualTo(ProviderState.ERROR);
    assertThat(api.getClient().getBooleanDetails("a", true).getErrorCode()).isEqualTo(ErrorCode.PROVIDER_NOT_READY);

    flags.write(V1);
    await().until(() -> api.getClient().getProviderState() == ProviderState.READY);
    assertThat(events).containsExactly("PROVIDER_ERROR", "PROVIDER_READY");
    assertThat(api.getClient().getBooleanValue("checkout", true)).isFalse();
  }

  @Test
  void missingFileAtStartIsAnErrorNamingTheFile() {
    assertThatThrownBy(() -> api.setProviderAndWait(flags.provider()))
        .hasMessageContaining(file + ": file not found");
  }

  @Test
  void evaluationBeforeInitializeIsProviderNotReady() {
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(V1)).build();
    var result = provider.getBooleanEvaluation("checkout", true, new ImmutableContext());
    assertThat(result.getErrorCode()).isEqualTo(ErrorCode.PROVIDER_NOT_READY);
    assertThat(result.getValue()).isTrue();
    assertThat(result.getErrorMessage()).contains("inline");
  }

  @Test
  void classpathSourceLoadsAResourceAndNamesAMissingOne() throws Exception {
    BurnguardProvider provider = BurnguardProvider.builder()
        .source(FlagSource.classpath("burnguard-test-flags.json")).build();
    provider.initialize(new ImmutableContext());
    assertThat(provider.getStringEvaluation("greeting", "x", null).getValue()).isEqualTo("hello");

    BurnguardProvider missing = BurnguardProvider.builder().source(FlagSource.classpath("nope.json")).build();
    assertThatThrownBy(() -> missing.initialize(new ImmutableContext()))
        .hasMessageContaining("classpath:nope.json: resource not found on the classpath");
  }

  @Test
  void builderRequiresASourceAndAPositiveTimeout() {
    assertThatThrownBy(() -> BurnguardProvider.builder().build()).hasMessageContaining("source");
    assertThatThrownBy(() -> BurnguardProvider.builder().initTimeout(Duration.ZERO)).hasMessageContaining("PT0S");
  }
}
