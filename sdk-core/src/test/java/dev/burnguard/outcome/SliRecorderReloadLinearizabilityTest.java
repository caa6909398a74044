package dev.burnguard.outcome;

import dev.burnguard.internal.recorder.SliRecorder;

import dev.burnguard.ReliabilityScale;
import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of series creation racing a reload, as in the provider: a reload swaps
 * the known variants and then {@link SliRecorder#retain drops} the series of the variants that are
 * gone, while outcomes are recorded. Every execution must be linearizable, the recorder itself run
 * one operation at a time being the specification. With a cap of one series, a series lost to the
 * race (created in a flag's map that the reload was removing) shows: the cap stays used, and the
 * variant's outcomes are refused after it is known again.
 */
public class SliRecorderReloadLinearizabilityTest {
  private static final String FLAG = "flag";
  private static final List<Set<String>> VARIANT_SETS = List.of(Set.of("a"), Set.of());

  private volatile Set<String> known = VARIANT_SETS.get(0);
  private final SliRecorder recorder = SliRecorder.builder().clock(new ManualClock()).maxSeries(1)
      .knownVariants((flag, variant) -> FLAG.equals(flag) && known.contains(variant)).build();

  @Operation
  public void record() {
    recorder.record(FLAG, "a", 1_000_000, Outcome.SUCCESS);
  }

  /** Loads the flag with variant a (0) or without any (1): the new variants first, then the series dropped. */
  @Operation(nonParallelGroup = "reload")
  public void reload(@Param(gen = IntGen.class, conf = "0:1") int variants) {
    known = VARIANT_SETS.get(variants);
    recorder.retain((flag, variant) -> FLAG.equals(flag) && known.contains(variant));
  }

  @Operation
  public long calls() {
    return recorder.counts(FLAG, "a", Duration.ofSeconds(10)).calls();
  }

  @Test
  void seriesCreationRacingAReloadIsLinearizable() {
    new ModelCheckingOptions()
        .iterations(4 * ReliabilityScale.factor())
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(2)
        .actorsBefore(1)
        .actorsAfter(3)
        .check(SliRecorderReloadLinearizabilityTest.class);
  }
}
