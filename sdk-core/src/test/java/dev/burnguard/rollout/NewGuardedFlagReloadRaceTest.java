package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Issue 11.4: a flag that arrives with a rollout plan is never served without its gate. Other
 * threads evaluate the new guarded flag while the file is reloaded, adding and removing it, and
 * never see its candidate beyond the first stage's exposure (1 %).
 *
 * <p>Two oracles that do not use the gate's own arithmetic: a context without a targeting key is
 * admitted only at 100 % exposure, so it must never get the candidate; and of 1,000 keyed contexts
 * about 1 % (10) are admitted, so the keys ever served the candidate stay few — an ungated moment
 * serves the candidate to every key evaluated in it.
 */
class NewGuardedFlagReloadRaceTest {
  private static final String WITHOUT = "{\"flags\": {"
      + "\"steady\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"}}}";
  private static final String WITH = "{\"flags\": {"
      + "\"steady\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\"},"
      + "\"new-checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\","
      + "  \"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"stages\": ["
      + "    {\"exposure\": 1, \"bake\": \"15m\", \"minSamples\": 500}, {\"exposure\": 100, \"bake\": \"1h\"}]}}}}";
  private static final int RELOADS = 400;
  private static final int EVALUATING_THREADS = 2;
  private static final int KEYS = 1_000;

  @Test
  void aNewGuardedFlagIsNeverServedBeyondItsFirstStageWhileTheFileReloads() throws Exception {
    PushedSource source = new PushedSource();
    BurnguardProvider provider = BurnguardProvider.builder().source(source).clock(new ManualClock())
        .guardianTicking(false).build();
    provider.initialize(new ImmutableContext());
    try {
      AtomicBoolean reloading = new AtomicBoolean(true);
      LongAdder evaluations = new LongAdder();
      LongAdder found = new LongAdder();
      LongAdder candidateWithoutKey = new LongAdder();
      LongAdder candidateWithKey = new LongAdder();
      Set<String> keysServedCandidate = ConcurrentHashMap.newKeySet();
      List<EvaluationContext> keyed = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        keyed.add(new ImmutableContext("user-" + i));
      }
      EvaluationContext noKey = new ImmutableContext();
      CountDownLatch started = new CountDownLatch(EVALUATING_THREADS);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int t = 0; t < EVALUATING_THREADS; t++) {
        int offset = t;
        Thread thread = new Thread(() -> {
          started.countDown();
          int i = offset;
          while (reloading.get()) {
            i++;
            boolean withKey = (i & 1) == 0;
            EvaluationContext ctx = withKey ? keyed.get(i % KEYS) : noKey;
            ProviderEvaluation<Boolean> e = provider.getBooleanEvaluation("new-checkout", false, ctx);
            evaluations.increment();
            if (e.getErrorCode() == ErrorCode.FLAG_NOT_FOUND) {
              continue;
            }
            if (e.getErrorCode() != null) {
              failures.add(new AssertionError("unexpected " + e.getErrorCode() + ": " + e.getErrorMessage()));
              continue;
            }
            found.increment();
            if ("new".equals(e.getVariant())) {
              if (withKey) {
                candidateWithKey.increment();
                keysServedCandidate.add(ctx.getTargetingKey());
              } else {
                candidateWithoutKey.increment();
              }
            }
          }
        }, "race-evaluator-" + t);
        threads.add(thread);
        thread.start();
      }
      started.await();
      for (int r = 0; r < RELOADS; r++) {
        source.push(WITH);
        source.push(WITHOUT);
      }
      reloading.set(false);
      for (Thread thread : threads) {
        thread.join();
      }

      System.out.printf("new guarded flag under reload: %d reloads, %d evaluations, %d found the flag, "
          + "%d candidate to contexts without a key, %d candidate to keyed contexts from %d of %d keys%n",
          2 * RELOADS, evaluations.sum(), found.sum(), candidateWithoutKey.sum(), candidateWithKey.sum(),
          keysServedCandidate.size(), KEYS);
      assertThat(failures).isEmpty();
      assertThat(found.sum()).as("evaluations that found the new flag: the race was run").isPositive();
      assertThat(candidateWithoutKey.sum()).as("candidate served to contexts the first stage never admits").isZero();
      // 1 % of 1,000 keys is 10; binomially 30 is more than six standard deviations above
      assertThat(keysServedCandidate.size()).isLessThanOrEqualTo(30);
    } finally {
      provider.shutdown();
    }
  }

  /** Delivers each pushed file on the caller's thread; returns once the provider has taken it. */
  private static final class PushedSource implements FlagSource {
    private volatile FlagSink sink;

    @Override
    public String describe() {
      return "race.json";
    }

    @Override
    public void start(FlagSink sink) {
      this.sink = sink;
      sink.content(WITHOUT, "race.json");
    }

    void push(String json) {
      sink.content(json, "race.json");
    }

    @Override
    public void close() {}
  }
}
