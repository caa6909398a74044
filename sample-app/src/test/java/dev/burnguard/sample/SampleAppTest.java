package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.OpenFeatureAPI;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void evaluatesEveryFlagForAUser() throws Exception {
    Path file = SampleApp.prepareFlagFile(dir);
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(Files.readString(file))).build();
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    String out = SampleApp.evaluateAll(api.getClient(), provider,
        Map.of("user", "carol", "email", "carol@example.com", "appVersion", "2.5.0"));
    assertThat(out).contains("new-checkout     = true").contains("reason=TARGETING_MATCH")
        .contains("pricing-engine   = v2").contains("banner-text      = Welcome");
    api.shutdown();
  }
}
