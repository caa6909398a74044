package dev.burnguard.redis;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * N replicas of one service in one JVM, each a real {@link BurnguardProvider} joined to one Redis
 * fleet, all on one {@link ManualClock}: the simulation kit's loop for a fleet. Each simulated
 * second, every request goes to the next replica in turn (so each gets 1/N of the traffic), is
 * evaluated there and its outcome recorded there; then the clock advances a second and every
 * replica's guardian ticks (its fleet syncs first).
 */
final class FleetHarness implements AutoCloseable {
  static final String FLAG = "checkout";
  static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";

  final ManualClock clock = new ManualClock(Instant.parse("2026-12-05T12:00:00Z"));
  final Instant start = clock.now();
  final List<BurnguardProvider> replicas = new ArrayList<>();
  final List<FleetMember> members = new ArrayList<>();
  /** Each replica's fleet, for {@link RedisFleet#status()}. */
  final List<RedisFleet> fleets = new ArrayList<>();
  /** Decisions each replica's guardian published (its own and, on followers, those it took from the fleet). */
  final List<List<Decision>> published = new ArrayList<>();
  private final Random random = new Random(7);
  private final EvaluationContext[] users = new EvaluationContext[10_000];
  private final Map<String, Double> errorRate = new HashMap<>();
  /** Per replica, error rates that differ from the fleet's (a regression only one replica sees). */
  private final Map<Integer, Map<String, Double>> localErrorRate = new HashMap<>();
  private double owed;
  private int next;
  long requests;
  final long[] recordedCalls;

  /** The flag file every replica serves. */
  private final String flags;

  FleetHarness(String redisUri, int n, RolloutPlan plan, UnaryOperator<RedisFleet.Builder> configure) {
    this(redisUri, n, plan, configure, FLAGS);
  }

  /** As above, every replica serving the flag file {@code flags} (it must define {@link #FLAG}). */
  FleetHarness(String redisUri, int n, RolloutPlan plan, UnaryOperator<RedisFleet.Builder> configure, String flags) {
    this.flags = flags;
    recordedCalls = new long[n];
    for (int i = 0; i < users.length; i++) {
      users[i] = new ImmutableContext("user-" + i);
    }
    errorRate.put("new", 0.0);
    errorRate.put("old", 0.0);
    for (int i = 0; i < n; i++) {
      add(redisUri, plan, configure.apply(RedisFleet.builder(redisUri).service("checkout-service")
          .instanceId("replica-" + i)));
    }
  }

  /** Starts one more replica (a new pod) joined to the fleet. */
  BurnguardProvider add(String redisUri, RolloutPlan plan, RedisFleet.Builder fleet) {
    RedisFleet f = fleet.build();
    FleetMember[] joined = new FleetMember[1];
    BurnguardProvider p = BurnguardProvider.builder()
        .source(FlagSource.inline(flags))
        .clock(clock)
        .rollout(FLAG, plan)
        .guardianTicking(false)
        .fleet((clock, local) -> {
          joined[0] = (FleetMember) f.join(clock, local);
          return joined[0];
        })
        .build();
    List<Decision> decisions = new CopyOnWriteArrayList<>();
    p.rollouts().onDecision(decisions::add);
    try {
      p.initialize(new ImmutableContext());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    replicas.add(p);
    members.add(joined[0]);
    fleets.add(f);
    published.add(decisions);
    return p;
  }

  /** From now on, calls served by {@code variant} fail with probability {@code rate}. */
  FleetHarness errors(String variant, double rate) {
    errorRate.put(variant, rate);
    return this;
  }

  /** From now on, calls served by {@code variant} on replica {@code replica} only fail with probability {@code rate}. */
  FleetHarness errors(int replica, String variant, double rate) {
    localErrorRate.computeIfAbsent(replica, k -> new HashMap<>()).put(variant, rate);
    return this;
  }

  /** Runs {@code seconds} of simulated time at {@code rate} requests per second over the whole fleet. */
  void run(Duration duration, double rate) {
    for (long s = 0; s < duration.toSeconds(); s++) {
      second(rate);
    }
  }

  /** One simulated second: traffic spread over the live replicas, then the clock, then every tick. */
  void second(double rate) {
    if (replicas.stream().allMatch(java.util.Objects::isNull)) {
      return;
    }
    owed += rate;
    int now = (int) owed;
    owed -= now;
    long end = clock.monotonicNanos();
    for (int r = 0; r < now; r++) {
      int i = next++ % replicas.size();
      BurnguardProvider p = replicas.get(i);
      while (p == null) {
        i = next++ % replicas.size();
        p = replicas.get(i);
      }
      FlagSet flags = p.flagSet().orElseThrow();
      String variant = flags.assignedVariant(FLAG, users[random.nextInt(users.length)]);
      Double errors = variant == null ? null
          : localErrorRate.getOrDefault(i, Map.of()).getOrDefault(variant, errorRate.get(variant));
      if (errors == null) {
        continue;
      }
      boolean failed = random.nextDouble() < errors;
      long latency = 20_000_000L;
      p.outcomes().recordCall(FLAG, variant, end - latency, end, failed ? Outcome.ERROR : Outcome.SUCCESS);
      requests++;
      if (i < recordedCalls.length) {
        recordedCalls[i]++;
      }
    }
    clock.advance(Duration.ofSeconds(1));
    tickAll();
  }

  void tickAll() {
    for (BurnguardProvider p : replicas) {
      if (p != null) {
        p.rollouts().tick();
      }
    }
  }

  /** The fleet-wide counts (calls, errors, slow) of {@code variant} over the last 6 hours, read afresh by {@code reader}. */
  long[] fleetCounts(int reader, String variant) {
    FleetSli sli = members.get(reader).sliPush();
    sli.readAllNext();
    sli.refresh();
    long[] out = new long[3];
    sli.mirror().windows(FLAG).counts(variant, Duration.ofHours(6), out);
    return out;
  }

  RolloutState state(int replica) {
    return replicas.get(replica).rollouts().state(FLAG).orElseThrow();
  }

  double exposure(int replica) {
    return ProviderInternals.guardian(replicas.get(replica)).gates().get(FLAG).exposure();
  }

  /** The fleet's decision log in Redis, oldest first. */
  List<Decision> fleetLog() {
    return members.get(0).rolloutStore().decisions(FLAG, 1000);
  }

  Duration sinceStart(Decision d) {
    return Duration.between(start, d.at());
  }

  @Override
  public void close() {
    for (BurnguardProvider p : replicas) {
      if (p != null) {
        p.shutdown();
      }
    }
  }
}
