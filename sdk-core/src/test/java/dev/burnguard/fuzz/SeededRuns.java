package dev.burnguard.fuzz;

import dev.burnguard.ReliabilityScale;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * Fixed-budget runs of a randomized check in plain JUnit: try {@code i} draws its input from
 * {@link Entropy#seeded(long)} with a seed derived from the base seed and {@code i}, so that every run
 * checks the same inputs and a failure names the one seed that reproduces it.
 *
 * <p>{@code -Dburnguard.fuzz.seed=N} changes the base seed (to explore other inputs);
 * {@code -Dburnguard.fuzz.replay=S} runs only the try whose seed is {@code S}, as printed by a
 * failure. Budgets are multiplied by {@link ReliabilityScale#factor()} (10 under {@code -Plong}).
 */
final class SeededRuns {
  /** The system property that sets the base seed. */
  static final String SEED_PROPERTY = "burnguard.fuzz.seed";
  /** The system property that replays one try's seed. */
  static final String REPLAY_PROPERTY = "burnguard.fuzz.replay";
  private static final long DEFAULT_SEED = 0x6275726E67756172L; // "burnguar"

  private SeededRuns() {}

  /** Runs {@code tries} (times the scale) seeded tries of {@code check}. */
  static int run(String name, int tries, LongConsumer check) {
    int scaled = Math.multiplyExact(tries, ReliabilityScale.factor());
    return runUntil(name, scaled, done -> true, check);
  }

  /**
   * Runs at least {@code minTries} seeded tries of {@code check}, and more until {@code enough}
   * holds for the number of tries done; returns the number of tries.
   */
  static int runUntil(String name, int minTries, LongPredicate enough, LongConsumer check) {
    String replay = System.getProperty(REPLAY_PROPERTY);
    if (replay != null && !replay.isBlank()) {
      runOne(name, -1, Long.parseLong(replay.trim()), check);
      return 1;
    }
    long base = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
    int i = 0;
    for (; i < minTries || !enough.test(i); i++) {
      if (i > 100 * Math.max(minTries, 1)) {
        throw new AssertionError(name + ": " + i + " tries and the budget is still not reached");
      }
      runOne(name, i, seed(base, i), check);
    }
    return i;
  }

  /** The seed of try {@code i}: the base seed and the index mixed (SplitMix64's finalizer). */
  static long seed(long base, int i) {
    long z = base + (i + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void runOne(String name, int i, long seed, LongConsumer check) {
    try {
      check.accept(seed);
    } catch (Throwable failure) {
      String how = name + " failed at try " + i + " with seed " + seed + "; replay just this input with -D"
          + REPLAY_PROPERTY + "=" + seed;
      System.out.println(how);
      throw new AssertionError(how + ": " + failure, failure);
    }
  }
}
