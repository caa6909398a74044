package dev.burnguard.benchmarks;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.eval.Murmur3;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ProviderEvaluation;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a provider-direct 50/50 {@code fractional} evaluation spends its time on, piece by piece, in
 * one run (issue 18: what bounds it against a static flag): the static flag (the lookup and result
 * every evaluation pays), the targeting key's read from the SDK's context alone (for an {@code
 * ImmutableContext} a map lookup and a {@code Value} clone), the MurmurHash3 of flag key + targeting
 * key alone over the same keys already read, and the whole evaluation. Same users as {@link
 * PeerComparisonBenchmark} (1,024 distinct keys by default), the same per-thread cursor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FractionalBreakdownBenchmark {
  private static final String FLAGS = "{\"flags\": {"
      + "\"static-boolean\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"},"
      + "\"fractional-50-50\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
      + " \"targeting\": {\"fractional\": [[\"on\", 50], [\"off\", 50]]}}}}";

  @Param({"ImmutableContext", "MutableContext"})
  public String contextType;

  @Param({"1024"})
  public int users;

  private EvaluationContext[] contexts;
  private String[] keys;
  private byte[][] keyBytes;
  private Murmur3.Prefix flagKeyPrefix;
  private BurnguardProvider provider;
  private int mask;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    contexts = Users.openFeature(contextType, users);
    keys = new String[users];
    for (int i = 0; i < users; i++) {
      keys[i] = contexts[i].getTargetingKey();
    }
    keyBytes = new byte[users][];
    for (int i = 0; i < users; i++) {
      keyBytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
    }
    mask = users - 1;
    flagKeyPrefix = Murmur3.prefix("fractional-50-50");
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).build();
    provider.initialize(contexts[0]);
    int on = 0;
    for (EvaluationContext c : contexts) {
      on += provider.getBooleanEvaluation("fractional-50-50", false, c).getValue() ? 1 : 0;
    }
    if (on < users / 3 || on > users * 2 / 3) {
      throw new IllegalStateException("not a 50/50 split: " + on + " of " + users + " on");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    provider.shutdown();
  }

  /** The floor the goal is stated against: a static flag, which never reads the context. */
  @Benchmark
  public ProviderEvaluation<Boolean> staticFlag() {
    return provider.getBooleanEvaluation("static-boolean", false, contexts[next++ & mask]);
  }

  /** Only the read of the targeting key from the SDK's context (and its length, so the string is touched). */
  @Benchmark
  public int targetingKeyRead() {
    return contexts[next++ & mask].getTargetingKey().length();
  }

  /** Only the hash: MurmurHash3 continued from the flag key's state over a targeting key already read. */
  @Benchmark
  public int hashOnly() {
    return Murmur3.hash(flagKeyPrefix, keys[next++ & mask]);
  }

  /**
   * The hash's floor: the same MurmurHash3 work (the targeting key's 36 bytes after a flag key that
   * leaves no byte pending, as "fractional-50-50" does) over bytes encoded in advance, the plainest
   * block loop over an array. What no implementation that hashes these bytes can beat by much: each
   * block's mix depends on the previous one.
   */
  @Benchmark
  public int hashFloorOverBytes() {
    byte[] data = keyBytes[next++ & mask];
    int h = 0x5bd1e995; // any state: the work does not depend on it
    int blocks = data.length & ~3;
    for (int i = 0; i < blocks; i += 4) {
      int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
      k *= 0xcc9e2d51;
      k = Integer.rotateLeft(k, 15);
      k *= 0x1b873593;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    for (int i = data.length - 1; i >= blocks; i--) {
      k = k << 8 | (data[i] & 0xff);
    }
    if (k != 0) {
      k *= 0xcc9e2d51;
      k = Integer.rotateLeft(k, 15);
      h ^= k * 0x1b873593;
    }
    h ^= data.length + 16;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  /** The whole evaluation. */
  @Benchmark
  public ProviderEvaluation<Boolean> fractional() {
    return provider.getBooleanEvaluation("fractional-50-50", false, contexts[next++ & mask]);
  }
}
