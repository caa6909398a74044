package dev.burnguard.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** No package cycles among {@code dev.burnguard.*} in the published modules' main sources. */
class PackageCyclesTest {
  /** The main sources of every module whose packages are checked, relative to sdk-otel. */
  static final List<Path> SOURCE_ROOTS = List.of(
      Path.of("../sdk-core/src/main/java"),
      Path.of("src/main/java"),
      Path.of("../testing/src/main/java"));

  @Test
  void theCycleFinderFindsACycleAndOnlyTheCycle() {
    PackageGraph graph = new PackageGraph()
        .edge("a", "b").edge("b", "c").edge("c", "a") // a -> b -> c -> a
        .edge("c", "d").edge("d", "e")                // d, e hang off the cycle
        .edge("x", "y").edge("y", "x");               // a second, separate cycle

    assertThat(graph.cycles()).containsExactlyInAnyOrder(Set.of("a", "b", "c"), Set.of("x", "y"));
  }

  @Test
  void aChainHasNoCycle() {
    assertThat(new PackageGraph().edge("a", "b").edge("b", "c").edge("a", "c").cycles()).isEmpty();
  }

  @Test
  void theSourcesHaveNoPackageCycles() {
    PackageGraph graph = PackageGraph.ofSources(SOURCE_ROOTS);

    assertThat(graph.edges()).as("packages scanned").containsKeys("dev.burnguard", "dev.burnguard.rollout",
        "dev.burnguard.internal.guardian", "dev.burnguard.otel", "dev.burnguard.otel.internal", "dev.burnguard.testing");
    assertThat(graph.cycles()).as("package cycles; the edges are " + graph.edges()).isEmpty();
  }
}
