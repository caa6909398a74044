package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.OpenFeatureAPI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAppTest {
  @TempDir Path dir;

  @Test
  void embeddedDefaultsAreAValidFlagFileAndAreNotOverwritten() throws Exception {
    Path file = SampleApp.prepareFlagFile(dir.resolve("data"));
    FlagSet flags = FlagSet.parse(Files.readString(file), file.toString());
    assertThat(flags.flags()).containsKeys("new-checkout", "pricing-engine", "banner-text");

    Files.writeString(file, "{\"flags\": {}}");
    SampleApp.prepareFlagFile(dir.resolve("data"));
    assertThat(Files.readString(file)).isEqualTo("{\"flags\": {}}");
  }

  @Test
  void embeddedDefaultsRollTheNewCheckoutOutUnderGuard() throws Exception {
    Path file = SampleApp.prepareFlagFile(dir);
    RolloutPlan plan = FlagSet.parse(Files.readString(file), file.toString()).rollouts().get("new-checkout");
    assertThat(plan.control()).isEqualTo("old");
    assertThat(plan.candidate()).isEqualTo("new");
    assertThat(plan.stages().get(0).exposurePercent()).isEqualTo(5);
    assertThat(plan.slo().latencyThreshold()).hasValue(Duration.ofMillis(300));
  }

  /**
   * carol is an internal user, so the flag's targeting gives her the new checkout; whether she gets
   * it now depends on the rollout's first stage (5 %) admitting her.
   */
  @Test
  void evaluatesEveryFlagForAUser() throws Exception {
    Path file = SampleApp.prepareFlagFile(dir);
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(Files.readString(file))).build();
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    String out = SampleApp.evaluateAll(api.getClient(), provider,
        Map.of("user", "carol", "email", "carol@example.com", "appVersion", "2.5.0"));
    boolean admitted = ProviderInternals.guardian(provider).gates().get("new-checkout").admits("carol");
    assertThat(out).contains(admitted ? "new-checkout     = true" : "new-checkout     = false")
        .contains(admitted ? "reason=TARGETING_MATCH" : "reason=ROLLOUT")
        .contains("pricing-engine   = v2").contains("banner-text      = Welcome").doesNotContain("error=");
    api.shutdown();
  }
}
