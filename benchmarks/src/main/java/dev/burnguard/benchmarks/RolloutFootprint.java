package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import org.openjdk.jol.info.GraphLayout;

/**
 * Heap retained per guarded rollout and per recorded (flag, variant) series, measured with JOL as
 * the difference between three providers over the same N flags (see {@link Fleet}): flags only;
 * flags with traffic recorded for both variants (2N series); flags under rollout with the same
 * traffic (what {@link GuardianTickBenchmark} ticks over). Prints one tab-separated line per N:
 * {@code rollouts, series, bytes per series, bytes per rollout (its two series included)}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.burnguard.benchmarks.RolloutFootprint 100 1000 10000</pre>
 */
public final class RolloutFootprint {
  private RolloutFootprint() {}

  public static void main(String[] args) throws Exception {
    System.out.println("rollouts\tseries\tbytes_per_series\tbytes_per_rollout");
    for (String arg : args) {
      int n = Integer.parseInt(arg);
      long flagsOnly = retained(Fleet.flagsOnly(n));
      long recorded = retained(Fleet.recordedOnly(n));
      long guarded = retained(Fleet.guarded(n));
      System.out.printf("%d\t%d\t%d\t%d%n", n, 2 * n, (recorded - flagsOnly) / (2L * n), (guarded - flagsOnly) / n);
    }
  }

  /** Bytes reachable from the provider, which is then shut down. */
  private static long retained(BurnguardProvider provider) {
    try {
      return GraphLayout.parseInstance(provider).totalSize();
    } finally {
      provider.shutdown();
    }
  }
}
