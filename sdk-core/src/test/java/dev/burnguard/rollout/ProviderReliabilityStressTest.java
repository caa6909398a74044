package dev.burnguard.rollout;

import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.guardian.Guardian;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.ReliabilityScale;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.outcome.Guard;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Everything a guarded service does at once, for a bounded number of operations: evaluations through
 * the provider, outcomes recorded by a Guard and by {@code recordCall} from several threads, the
 * guardian ticking on a moving ManualClock, a person pausing, resuming, promoting, rolling back and
 * resetting, and flag reloads that change the rollout plan, remove it and change another flag's
 * variants. Afterwards: every outcome is counted exactly once (the sum over the series equals what was
 * recorded, nothing refused), every decision was a legal transition chained to the one before
 * ({@link LegalTransitions}), the final state is the one the last decision left, and no evaluation
 * served the candidate through a rolled-back gate.
 *
 * <p>Operation counts scale with {@code burnguard.reliability.scale} (the {@code long} profile).
 */
class ProviderReliabilityStressTest {
  private static final String FLAG = "checkout";
  private static final String OTHER = "search";
  private static final int SCALE = ReliabilityScale.factor();
  /**
   * The threads meet at a barrier after each round, so that every kind of work overlaps every other
   * through the whole run however fast each kind is. A round moves the clock 200 s (40 ticks of 5 s),
   * so the rollout ages at the same pace against the manual decisions and reloads at any scale; at
   * most 900 rounds (50 hours) keep every outcome inside the 72-hour window its exact count is read
   * from, and larger scales put more traffic into each round.
   */
  private static final int ROUNDS = 300 * Math.min(SCALE, 3);
  private static final int TRAFFIC = Math.max(1, SCALE / 3);
  private static final int EVALUATORS = 2;
  private static final int GUARDED_CALLERS = 2;
  private static final int EVALUATIONS_PER_ROUND = 400 * TRAFFIC;
  private static final int GUARDED_CALLS_PER_ROUND = 400 * TRAFFIC;
  private static final int DIRECT_RECORDS_PER_ROUND = 2_000 * TRAFFIC;
  private static final int TICKS_PER_ROUND = 40;
  private static final Duration TICK = Duration.ofSeconds(5);
  private static final int MANUAL_DECISIONS_PER_ROUND = 10;
  private static final int RELOADS_PER_ROUND = 2;

  private static final String[] DOCUMENTS = {
      flags("\"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"stages\": [{\"exposure\": 10, \"bake\": \"30s\"},"
          + " {\"exposure\": 50, \"bake\": \"30s\"}, {\"exposure\": 100, \"bake\": \"30s\"}], \"coolDown\": \"1m\","
          + " \"watch\": \"2m\"}", "\"a\": \"a\", \"b\": \"b\""),
      flags("\"rollout\": {\"control\": \"old\", \"candidate\": \"new\", \"stages\": [{\"exposure\": 20, \"bake\": \"1m\"},"
          + " {\"exposure\": 100, \"bake\": \"1m\"}], \"maxShrinks\": 1, \"coolDown\": \"30s\", \"watch\": \"1m\"}",
          "\"a\": \"a\", \"b\": \"b\", \"c\": \"c\""),
      flags(null, "\"a\": \"a\", \"b\": \"b\""),
  };

  private static String flags(String rollout, String otherVariants) {
    return "{\"flags\": {\"" + FLAG + "\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false},"
        + " \"defaultVariant\": \"new\"" + (rollout == null ? "" : ", " + rollout) + "},"
        + " \"" + OTHER + "\": {\"state\": \"ENABLED\", \"variants\": {" + otherVariants + "}, \"defaultVariant\": \"a\"}}}";
  }

  /** One thread's work in one round. */
  private interface Round {
    void run(int round) throws Exception;
  }

  /** A source whose reloads the test delivers, on the reloading thread. */
  private static final class Reloads implements FlagSource {
    private volatile FlagSink sink;

    @Override
    public String describe() {
      return "reloads";
    }

    @Override
    public void start(FlagSink sink) {
      this.sink = sink;
      sink.content(DOCUMENTS[0], "reload-0");
    }

    void load(int n) {
      sink.content(DOCUMENTS[n % DOCUMENTS.length], "reload-" + n);
    }

    @Override
    public void close() {}
  }

  @Test
  void everythingAtOnceKeepsExactCountsAndLegalTransitions() throws Exception {
    List<RolloutPlan> plans = new ArrayList<>();
    for (String doc : DOCUMENTS) {
      plans.addAll(FlagSet.parse(doc, "plans").rollouts().values());
    }
    LegalTransitions transitions = new LegalTransitions(plans);
    ManualClock clock = new ManualClock();
    Reloads source = new Reloads();
    BurnguardProvider provider = BurnguardProvider.builder().source(source).clock(clock).guardianTicking(false).build();
    provider.rollouts().onDecision(transitions);
    provider.initialize(new ImmutableContext());
    Guardian guardian = ProviderInternals.guardian(provider);
    SliRecorder recorder = ProviderInternals.recorder(provider);
    Guard guard = provider.guard().fallbackToControl(true).build();

    AtomicLong evaluations = new AtomicLong();
    AtomicLong candidateThroughRolledBackGate = new AtomicLong();
    AtomicLong guardedCalls = new AtomicLong();
    AtomicLong recordedA = new AtomicLong();
    AtomicLong recordedB = new AtomicLong();
    AtomicLong ticks = new AtomicLong();
    AtomicLong manualDecisions = new AtomicLong();
    AtomicLong refusedManualDecisions = new AtomicLong();
    AtomicInteger reloads = new AtomicInteger();

    List<Round> work = new ArrayList<>();
    for (int t = 0; t < EVALUATORS; t++) {
      work.add(round -> {
        for (int i = 0; i < EVALUATIONS_PER_ROUND; i++) {
          ProviderEvaluation<Boolean> e = provider.getBooleanEvaluation(FLAG, false, new ImmutableContext("user-" + i));
          if ("ROLLED_BACK".equals(e.getFlagMetadata().getString(Guardian.STATUS_METADATA))
              && Boolean.TRUE.equals(e.getValue())) {
            candidateThroughRolledBackGate.incrementAndGet();
          }
          assertThat(e.getVariant()).isIn("new", "old");
          evaluations.incrementAndGet();
        }
      });
    }
    for (int t = 0; t < GUARDED_CALLERS; t++) {
      Random random = new Random(t);
      work.add(round -> {
        // the candidate fails in every third round, so that the guardian shrinks and rolls back now and then
        boolean failing = round % 3 == 2;
        for (int i = 0; i < GUARDED_CALLS_PER_ROUND; i++) {
          guard.run(FLAG, new ImmutableContext("user-" + random.nextInt(10_000)), () -> {
            if (failing && random.nextInt(10) == 0) {
              throw new IllegalStateException("candidate failed");
            }
          }, () -> { });
          guardedCalls.incrementAndGet();
        }
      });
    }
    work.add(round -> {
      for (int i = 0; i < DIRECT_RECORDS_PER_ROUND; i++) {
        long end = clock.monotonicNanos();
        boolean a = i % 3 != 0;
        recorder.recordCall(OTHER, a ? "a" : "b", end - 1_000_000, end, i % 11 == 0 ? Outcome.ERROR : Outcome.SUCCESS);
        (a ? recordedA : recordedB).incrementAndGet();
      }
    });
    work.add(round -> {
      for (int i = 0; i < TICKS_PER_ROUND; i++) {
        clock.advance(TICK);
        guardian.tick();
        ticks.incrementAndGet();
      }
    });
    Random person = new Random(42);
    work.add(round -> {
      for (int i = 0; i < MANUAL_DECISIONS_PER_ROUND; i++) {
        try {
          switch (person.nextInt(10)) {
            case 0 -> guardian.rollback(FLAG, "person:stress");
            case 1 -> guardian.reset(FLAG, "person:stress");
            case 2, 3 -> guardian.pause(FLAG, "person:stress");
            case 4, 5, 6 -> guardian.resume(FLAG, "person:stress");
            default -> guardian.promote(FLAG, "person:stress");
          }
        } catch (IllegalStateException | IllegalArgumentException refused) {
          // not allowed in the rollout's current status, or no rollout in the flags just loaded
          refusedManualDecisions.incrementAndGet();
        }
        manualDecisions.incrementAndGet();
      }
    });
    work.add(round -> {
      for (int i = 0; i < RELOADS_PER_ROUND; i++) {
        source.load(reloads.incrementAndGet());
      }
    });

    CyclicBarrier roundEnd = new CyclicBarrier(work.size());
    ExecutorService pool = Executors.newFixedThreadPool(work.size());
    long began = System.nanoTime();
    List<Future<Void>> done = new ArrayList<>();
    for (Round w : work) {
      done.add(pool.submit(() -> {
        for (int round = 0; round < ROUNDS; round++) {
          roundEnd.await();
          w.run(round);
        }
        return null;
      }));
    }
    for (Future<Void> f : done) {
      f.get(); // rethrows a thread's failure
    }
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    pool.shutdown();

    Duration all = SliRecorder.MAX_WINDOW;
    long checkoutCalls = recorder.counts(FLAG, "new", all).calls() + recorder.counts(FLAG, "old", all).calls();
    assertThat(recorder.refusedOutcomes()).isZero();
    assertThat(checkoutCalls).isEqualTo(guardedCalls.get())
        .isEqualTo((long) GUARDED_CALLERS * GUARDED_CALLS_PER_ROUND * ROUNDS);
    assertThat(recorder.counts(OTHER, "a", all).calls()).isEqualTo(recordedA.get());
    assertThat(recorder.counts(OTHER, "b", all).calls()).isEqualTo(recordedB.get());
    assertThat(evaluations.get()).isEqualTo((long) EVALUATORS * EVALUATIONS_PER_ROUND * ROUNDS);
    assertThat(candidateThroughRolledBackGate.get()).isZero();

    assertThat(transitions.violations()).isEmpty();
    assertThat(transitions.checked()).isPositive();
    assertThat(guardian.state(FLAG).orElse(null)).isEqualTo(
        guardian.plans().containsKey(FLAG) ? transitions.last(FLAG) : null);

    System.out.printf("reliability stress (scale %d): %d threads, %d rounds, %,d evaluations, %,d outcomes recorded"
            + " (%,d guarded calls, %,d direct), %,d ticks, %,d manual decisions (%,d refused), %,d reloads,"
            + " %,d decisions checked %s, %d ms%n", SCALE, work.size(), ROUNDS, evaluations.get(),
        checkoutCalls + recordedA.get() + recordedB.get(), guardedCalls.get(), recordedA.get() + recordedB.get(),
        ticks.get(), manualDecisions.get(), refusedManualDecisions.get(), reloads.get(), transitions.checked(),
        transitions.actions(), elapsedMillis);
    provider.shutdown();
  }
}
