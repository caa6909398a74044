package dev.burnguard.spring.boot.internal;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FlagSource;
import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;
import org.reactivestreams.Subscription;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The Spring Boot starter's WebFlux filter (issue 17): what it adds to one exchange, with no guarded
 * flag evaluated and with one, next to {@link RequestFilterBenchmark} for the servlet filter. Built as
 * the auto-configuration builds it (recorder, filter, hook; no Spring context, no automatic context
 * propagation), on Spring's mock exchange, reused; each operation subscribes the exchange's Mono
 * with one reused subscriber, as the server would.
 *
 * <p>Compare {@code filterNoFlag − noFilterNoFlag} (the holder-subscriber and the publisher) and
 * {@code filterOneGuardedFlag − noFilterOneGuardedFlag} (the same plus noting the flag in the hook
 * and recording the exchange's outcome). Micrometer's context-propagation is not on this classpath,
 * so those two measure the filter as such an application has it (no Context entry, the holder owned
 * by the subscribing thread); the {@code ...HolderInContext} pair measures it as an application with
 * the library has it (a Context entry per exchange, the holder shared from the start, a lock per note).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReactiveRequestFilterBenchmark {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\","
      + " \"metadata\": {\"burnguard.guarded\": true}}}}";

  /** Requests everything and ignores it; reusable because every subscription calls onSubscribe anew. */
  private static final class Drain implements CoreSubscriber<Void> {
    int completed;

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void v) {}

    @Override
    public void onError(Throwable t) {
      throw new IllegalStateException(t);
    }

    @Override
    public void onComplete() {
      completed++;
    }
  }

  private final Clock clock = Clock.system();
  private BurnguardProvider provider;
  private Client client;
  private ReactiveRequestSliFilter filter;
  private ReactiveRequestSliFilter filterCarryingHolder;
  private final EvaluationContext context = new MutableContext("user-42");
  private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/checkout"));
  private final Drain drain = new Drain();
  private WebFilterChain emptyChain;
  private WebFilterChain evaluatingChain;

  @Setup
  public void setUp(Blackhole bh) {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).inMemoryRolloutState().build();
    BurnguardCore core = new BurnguardCore(provider);
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    api.addHooks(new RequestFlagHook(core));
    client = api.getClient();
    RequestSliRecorder recorder = new RequestSliRecorder(core, clock, RequestOutcomeClassifier.DEFAULT);
    filter = new ReactiveRequestSliFilter(recorder, BurnguardWebAutoConfiguration.FILTER_ORDER,
        ReactiveRequestSliFilter.contextPropagationPresent(Mono.class.getClassLoader()));
    if (filter.carriesHolderInContext()) {
      throw new IllegalStateException("context-propagation is on the benchmarks' classpath: filterNoFlag and "
          + "filterOneGuardedFlag would measure the Context entry too");
    }
    filterCarryingHolder = new ReactiveRequestSliFilter(recorder, BurnguardWebAutoConfiguration.FILTER_ORDER, true);
    emptyChain = ex -> Mono.empty();
    evaluatingChain = ex -> {
      bh.consume(client.getBooleanValue("checkout", false, context));
      return Mono.empty();
    };
  }

  @TearDown
  public void tearDown(BenchmarkParams params) {
    provider.shutdown();
    if (drain.completed == 0 && !params.getBenchmark().endsWith(".twoClockReads")) {
      throw new IllegalStateException("no exchange completed");
    }
  }

  @Benchmark
  public void noFilterNoFlag() {
    emptyChain.filter(exchange).subscribe(drain);
  }

  @Benchmark
  public void filterNoFlag() {
    filter.filter(exchange, emptyChain).subscribe(drain);
  }

  @Benchmark
  public void noFilterOneGuardedFlag() {
    evaluatingChain.filter(exchange).subscribe(drain);
  }

  @Benchmark
  public void filterOneGuardedFlag() {
    filter.filter(exchange, evaluatingChain).subscribe(drain);
  }

  /**
   * The two reads of the filter's clock (the provider's, {@code System.nanoTime()}) that an exchange
   * which noted a guarded flag makes, start and end: the part of {@code filterOneGuardedFlag −
   * noFilterOneGuardedFlag} that depends on the machine's clock source rather than on the filter.
   */
  @Benchmark
  public long twoClockReads() {
    return clock.monotonicNanos() + clock.monotonicNanos();
  }

  /** As an application with Micrometer's context-propagation has it: the holder in the Context, shared. */
  @Benchmark
  public void filterNoFlagHolderInContext() {
    filterCarryingHolder.filter(exchange, emptyChain).subscribe(drain);
  }

  /** As an application with Micrometer's context-propagation has it: the holder in the Context, shared. */
  @Benchmark
  public void filterOneGuardedFlagHolderInContext() {
    filterCarryingHolder.filter(exchange, evaluatingChain).subscribe(drain);
  }
}
