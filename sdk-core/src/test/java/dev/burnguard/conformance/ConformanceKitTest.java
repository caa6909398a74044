package dev.burnguard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceKitTest {
  @TempDir Path root;

  private Path kit() throws Exception {
    Path kit = root.resolve("shared/conformance");
    Files.createDirectories(kit.resolve(ConformanceKit.MARKER));
    return kit;
  }

  @Test
  void propertyWinsWhenItNamesTheKit() throws Exception {
    Path kit = kit();
    Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
    assertThat(ConformanceKit.locate(kit.toString(), elsewhere)).isEqualTo(kit.toAbsolutePath().normalize());
  }

  @Test
  void walksUpFromAModuleToTheSharedDirectoryNextToTheRepository() throws Exception {
    Path kit = kit();
    Path module = Files.createDirectories(root.resolve("repo/sdk-core"));
    assertThat(ConformanceKit.locate(null, module)).isEqualTo(kit.toAbsolutePath().normalize());
    assertThat(ConformanceKit.locate(root.resolve("wrong").toString(), module)).isEqualTo(kit.toAbsolutePath().normalize());
  }

  @Test
  void failsNamingWhereItLookedWhenTheKitIsMissing() throws Exception {
    Path module = Files.createDirectories(root.resolve("repo/sdk-core"));
    String property = root.resolve("nowhere").toString();
    assertThatThrownBy(() -> ConformanceKit.locate(property, module))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conformance data not found")
        .hasMessageContaining(property)
        .hasMessageContaining(root.resolve("shared/conformance").toString());
  }

  @Test
  void theRealKitIsFound() {
    ConformanceKit.assumePresent();
    assertThat(ConformanceKit.directory().resolve(ConformanceKit.MARKER)).isDirectory();
  }
}
