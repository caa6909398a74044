package dev.burnguard.internal.sli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/** Memory per (flag, variant) series, measured with JOL on the JVM running the tests. */
class SeriesMemoryTest {
  private static final long KIB = 1024;

  @Test
  void aSeriesWithTheDefaultThresholdTakesAtMost16KiB() {
    long bytes = GraphLayout.parseInstance(new Series(new long[] {300_000_000L}, 4)).totalSize();
    System.out.printf("Series, 1 threshold, 4 stripes: %d bytes%n", bytes);
    assertThat(bytes).isLessThanOrEqualTo(16 * KIB);
  }

  @Test
  void evenTheMostStripesAndThresholdsStayWithin16KiB() {
    long bytes = GraphLayout.parseInstance(new Series(new long[] {1, 2, 3}, 16)).totalSize();
    System.out.printf("Series, 3 thresholds, 16 stripes: %d bytes%n", bytes);
    assertThat(bytes).isLessThanOrEqualTo(16 * KIB);
  }
}
