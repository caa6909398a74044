package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FlagSource;
import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscription;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.WebFilterChain;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The WebFlux filter's subscriber, which is also the exchange's holder, driven without a server:
 * each way an exchange can end (completion with the response's status, an error, an error response,
 * a chain that throws, cancellation) records what it should against the flag the exchange was
 * served, and each subscription of the filter's {@code Mono} is an exchange with a holder of its own;
 * each test twice, with the holder carried in the exchange's Reactor {@code Context} (shared from the
 * start, as with Micrometer's context-propagation on the classpath) and without (owned by the
 * subscribing thread).
 */
class ReactiveExchangeEndingTest {
  private static final Duration WINDOW = Duration.ofMinutes(5);

  private final ManualClock clock = new ManualClock();
  private BurnguardProvider provider;
  private Client client;
  private RequestSliRecorder recorder;
  private ReactiveRequestSliFilter filter;
  private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/checkout"));

  /** Records what it receives; requests everything. */
  private static class Received implements CoreSubscriber<Void> {
    Subscription subscription;
    boolean completed;
    Throwable error;

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void v) {}

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onComplete() {
      completed = true;
    }
  }

  @BeforeEach
  void buildAsTheAutoConfigurationDoes() {
    provider = BurnguardProvider.builder().source(FlagSource.classpath("test-flags.json")).inMemoryRolloutState()
        .clock(clock).build();
    BurnguardCore core = new BurnguardCore(provider);
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    api.addHooks(new RequestFlagHook(core));
    client = api.getClient();
    recorder = new RequestSliRecorder(core, clock, RequestOutcomeClassifier.DEFAULT);
  }

  /** The filter as the auto-configuration builds it with (true) and without (false) context-propagation. */
  private void filterCarryingTheHolderInContext(boolean carried) {
    filter = new ReactiveRequestSliFilter(recorder, BurnguardWebAutoConfiguration.FILTER_ORDER, carried);
  }

  @AfterEach
  void shutDown() {
    provider.shutdown();
  }

  private String checkout(String user) {
    return client.getStringValue("checkout", "none", new ImmutableContext(Map.of("user", new Value(user))));
  }

  /** A chain that evaluates checkout for {@code user} when subscribed, then ends with {@code end}. */
  private WebFilterChain evaluatingThen(String user, Mono<Void> end) {
    return ex -> Mono.defer(() -> {
      checkout(user);
      return end;
    });
  }

  private long[] counts(String variant) {
    var c = provider.outcomes().counts("checkout", variant, WINDOW);
    return new long[] {c.calls(), c.errors()};
  }

  private Received run(WebFilterChain chain) {
    Received received = new Received();
    filter.filter(exchange, chain).subscribe(received);
    return received;
  }

  @ParameterizedTest(name = "holder in the Context: {0}")
  @ValueSource(booleans = {false, true})
  void completionIsClassifiedWithTheResponsesStatus(boolean carried) {
    filterCarryingTheHolderInContext(carried);
    Received ok = run(evaluatingThen("bob", Mono.empty()));
    assertThat(ok.completed).isTrue();
    assertThat(counts("old")).containsExactly(1, 0);
    Received unavailable = run(evaluatingThen("bob", Mono.fromRunnable(
        () -> exchange.getResponse().setStatusCode(HttpStatus.SERVICE_UNAVAILABLE))));
    assertThat(unavailable.completed).isTrue();
    assertThat(counts("old")).containsExactly(2, 1);
  }

  @ParameterizedTest(name = "holder in the Context: {0}")
  @ValueSource(booleans = {false, true})
  void anErrorIsAnErrorAndAnErrorResponseIsItsStatus(boolean carried) {
    filterCarryingTheHolderInContext(carried);
    IllegalStateException boom = new IllegalStateException("boom");
    Received failed = run(evaluatingThen("alice", Mono.error(boom)));
    assertThat(failed.error).isSameAs(boom);
    assertThat(counts("new")).containsExactly(1, 1);
    Received missing = run(evaluatingThen("alice", Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND))));
    assertThat(missing.error).isInstanceOf(ResponseStatusException.class);
    assertThat(counts("new")).containsExactly(2, 1);
  }

  @ParameterizedTest(name = "holder in the Context: {0}")
  @ValueSource(booleans = {false, true})
  void aChainThatThrowsIsTheExchangesError(boolean carried) {
    filterCarryingTheHolderInContext(carried);
    IllegalStateException boom = new IllegalStateException("boom");
    Received received = run(ex -> {
      checkout("alice");
      throw boom;
    });
    assertThat(received.error).isSameAs(boom);
    assertThat(counts("new")).containsExactly(1, 1);
  }

  @ParameterizedTest(name = "holder in the Context: {0}")
  @ValueSource(booleans = {false, true})
  void aCancelledExchangeRecordsNothingEvenIfItsChainEndsLater(boolean carried) {
    filterCarryingTheHolderInContext(carried);
    Sinks.Empty<Void> end = Sinks.empty();
    Received received = run(evaluatingThen("alice", end.asMono()));
    received.subscription.cancel();
    end.tryEmitEmpty();
    assertThat(received.completed).isFalse();
    assertThat(counts("new")).containsExactly(0, 0);
    // the next exchange is recorded as usual: the cancelled one left nothing bound to the thread
    assertThat(RequestFlags.current()).isNull();
    run(evaluatingThen("alice", Mono.empty()));
    assertThat(counts("new")).containsExactly(1, 0);
  }

  @ParameterizedTest(name = "holder in the Context: {0}")
  @ValueSource(booleans = {false, true})
  void eachSubscriptionOfTheFiltersMonoIsAnExchangeWithItsOwnHolder(boolean carried) {
    filterCarryingTheHolderInContext(carried);
    List<String> users = new ArrayList<>(List.of("alice", "bob"));
    Mono<Void> once = filter.filter(exchange, ex -> Mono.defer(() -> {
      checkout(users.remove(0));
      return Mono.empty();
    }));
    once.subscribe(new Received());
    once.subscribe(new Received());
    assertThat(users).isEmpty();
    // one holder per subscription: each records the one variant it was served, not both
    assertThat(counts("new")).containsExactly(1, 0);
    assertThat(counts("old")).containsExactly(1, 0);
  }

  @ParameterizedTest(name = "holder in the Context: {0}")
  @ValueSource(booleans = {false, true})
  void theHolderIsInTheChainsContextOnlyWhenCarriedAndTheServersEntriesStay(boolean carried) {
    filterCarryingTheHolderInContext(carried);
    List<Object> seen = new ArrayList<>();
    Received received = new Received() {
      @Override
      public reactor.util.context.Context currentContext() {
        return reactor.util.context.Context.of("server", "netty");
      }
    };
    filter.filter(exchange, ex -> Mono.deferContextual(ctx -> {
      seen.add(ctx.getOrDefault(RequestFlagsAccessor.KEY, "absent"));
      seen.add(RequestFlags.current());
      seen.add(ctx.getOrDefault("server", "absent"));
      return Mono.<Void>empty();
    })).subscribe(received);
    assertThat(received.completed).isTrue();
    assertThat(seen.get(1)).as("the holder bound while the chain subscribes").isInstanceOf(RequestFlags.class);
    assertThat(seen.get(0)).isEqualTo(carried ? seen.get(1) : "absent");
    assertThat(seen.get(2)).isEqualTo("netty");
  }

  /**
   * The exchange notes two pairs on the subscribing thread and ends on another thread: the closer
   * there, which takes no lock, sees both (with an owned holder, the owner's unlocked notes).
   */
  @ParameterizedTest(name = "holder in the Context: {0}")
  @ValueSource(booleans = {false, true})
  void anExchangeThatEndsOnAnotherThreadRecordsWhatTheSubscribingThreadNoted(boolean carried) throws Exception {
    filterCarryingTheHolderInContext(carried);
    Sinks.Empty<Void> end = Sinks.empty();
    Received received = run(ex -> Mono.defer(() -> {
      checkout("alice");
      checkout("bob");
      return end.asMono();
    }));
    assertThat(counts("new")).containsExactly(0, 0);
    Thread ender = new Thread(() -> {
      exchange.getResponse().setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
      end.tryEmitEmpty();
    });
    ender.start();
    ender.join();
    assertThat(received.completed).isTrue();
    assertThat(counts("new")).containsExactly(1, 1);
    assertThat(counts("old")).containsExactly(1, 1);
  }
}
