package dev.burnguard.spring.boot.internal;

import org.reactivestreams.Subscription;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Internal, not for public use. The WebFlux counterpart of {@link RequestSliFilter}: records each
 * HTTP exchange's outcome and latency against every guarded flag it evaluated, with the variant it
 * was served, through the same {@link RequestSliRecorder} and classifier.
 *
 * <p>How an evaluation finds its request's holder (the rule, and its limits). Reactive code may run
 * a request on several threads, so the holder travels with the request, not with a thread:
 *
 * <ol>
 *   <li>While the filter subscribes the rest of the chain, the holder is bound to the subscribing
 *       thread. Everything that runs synchronously inside that subscription sees it: an annotated
 *       controller method or a functional handler invoked without waiting for I/O (no request body
 *       to read), and any operator of its result that runs before the subscription returns.
 *   <li>When Micrometer's {@code context-propagation} library is on Reactor's classpath, the
 *       holder is also in the exchange's Reactor {@code Context} under {@link
 *       RequestFlagsAccessor#KEY}. With automatic context propagation on ({@code
 *       spring.reactor.context-propagation=auto}), Reactor binds it on every thread that runs an
 *       operator of the request's pipeline, so evaluations after a thread hop ({@code publishOn},
 *       {@code subscribeOn}, after reading the body, after a {@code WebClient} response) count too;
 *       without it (Reactor's "limited" mode) Reactor still binds it while its {@code handle} and
 *       {@code tap} operators run.
 *   <li>Otherwise an evaluation on another thread is not attributed to the request (it is still
 *       evaluated, counted by the meters and recorded by {@code Guard}s as usual).
 * </ol>
 *
 * <p>Outcome: the chain's completion is classified with the response's status; an error signal with
 * status 500 and the error, except a Spring {@link ErrorResponse} (e.g. {@code
 * ResponseStatusException}), which WebFlux answers with its own status and which is classified as
 * that status without a failure, as in a servlet application. A cancelled exchange (the client went
 * away) records nothing: its outcome is unknown.
 *
 * <p>The rule for the {@code Context} entry: it is written only when something can read it, i.e.
 * when {@code io.micrometer.context.ContextRegistry} (the class Reactor itself looks for) loads from
 * Reactor's class loader ({@link #contextPropagationPresent}). Only the context-propagation library
 * reads the entry (through {@link RequestFlagsAccessor}, which it alone loads); the key is internal.
 * Without the library the entry would be a new {@code Context} per exchange that nothing reads, and
 * the holder can reach another thread only through a hand-off ({@link RequestFlagsTaskDecorator}),
 * so it is {@linkplain RequestFlags#owned owned} by the subscribing thread, which notes into it
 * without a lock, as the servlet filter's thread does. With the library it is {@linkplain
 * RequestFlags#shared shared from the start} (Reactor may restore it on any thread at any moment),
 * and each note takes its lock.
 *
 * <p>Concurrency: stateless apart from the per-exchange holder; one instance serves all exchanges.
 */
final class ReactiveRequestSliFilter implements WebFilter, Ordered {
  private static final String CONTEXT_PROPAGATION_CLASS = "io.micrometer.context.ContextRegistry";

  private final RequestSliRecorder recorder;
  private final int order;
  /** Whether each exchange's holder goes into its Reactor Context (see the class comment). */
  private final boolean carriedInContext;

  /**
   * @param carriedInContext whether to write each exchange's holder into its Reactor {@code
   *     Context}: {@link #contextPropagationPresent} of Reactor's class loader, as the
   *     auto-configuration passes
   */
  ReactiveRequestSliFilter(RequestSliRecorder recorder, int order, boolean carriedInContext) {
    this.recorder = recorder;
    this.order = order;
    this.carriedInContext = carriedInContext;
  }

  /** Whether each exchange's holder goes into its Reactor {@code Context}. */
  boolean carriesHolderInContext() {
    return carriedInContext;
  }

  /**
   * Whether Micrometer's context-propagation library, the only reader of the holder's {@code
   * Context} entry, is visible to {@code reactorLoader} (pass Reactor's class loader): the class
   * Reactor checks to turn its context propagation on.
   */
  static boolean contextPropagationPresent(ClassLoader reactorLoader) {
    try {
      Class.forName(CONTEXT_PROPAGATION_CLASS, false, reactorLoader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    return new MeasuredExchange(this, exchange, chain);
  }

  /**
   * The rest of the chain, measured: on subscription the chain's subscriber, which is also the
   * exchange's holder, is bound to the subscribing thread while the chain subscribes; it writes
   * itself into the Reactor Context when the filter carries it there (what {@code contextWrite}
   * would do), records the outcome at
   * completion or error (what {@code doOnEach} would do) and forwards everything else. One publisher
   * and one subscriber-holder per exchange instead of a pipeline of operators, their subscribers and
   * signal objects; no capturing lambdas. The publisher stays a separate, immutable object: a
   * {@code Mono} may be subscribed more than once (a retry, a second subscriber), and each
   * subscription is an exchange of its own with its own holder.
   */
  private static final class MeasuredExchange extends Mono<Void> {
    private final ReactiveRequestSliFilter filter;
    private final ServerWebExchange exchange;
    private final WebFilterChain chain;

    MeasuredExchange(ReactiveRequestSliFilter filter, ServerWebExchange exchange, WebFilterChain chain) {
      this.filter = filter;
      this.exchange = exchange;
      this.chain = chain;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
      Recording recording = new Recording(actual, this);
      RequestFlags.Binding binding = RequestFlags.binding();
      RequestFlags previous = binding.flags;
      binding.flags = recording;
      try {
        Mono<Void> rest;
        try {
          rest = chain.filter(exchange);
        } catch (RuntimeException e) {
          Operators.error(recording, e); // recorded as the exchange's error, as a failed Mono would be
          return;
        }
        rest.subscribe(recording);
      } finally {
        binding.flags = previous;
      }
    }
  }

  /**
   * Subscribes to the rest of the chain for one exchange and is that exchange's holder: shared from
   * the start when the Context carries it to whatever threads run the pipeline, else owned by the
   * subscribing thread (see the class comment); see {@link MeasuredExchange}. 64 bytes with
   * compressed references: the holder's fields and four references (the exchange is reached
   * through its publisher, which outlives the subscription anyway).
   */
  private static final class Recording extends RequestFlags implements CoreSubscriber<Void>, Subscription {
    private final CoreSubscriber<? super Void> actual;
    private final MeasuredExchange source;
    private final Context context;
    private Subscription upstream;

    Recording(CoreSubscriber<? super Void> actual, MeasuredExchange source) {
      this(actual, source, source.filter.carriedInContext);
    }

    private Recording(CoreSubscriber<? super Void> actual, MeasuredExchange source, boolean carried) {
      super(source.filter.recorder.startNanos(), carried ? null : Thread.currentThread());
      this.actual = actual;
      this.source = source;
      Context downstream = actual.currentContext();
      this.context = carried ? downstream.put(RequestFlagsAccessor.KEY, this) : downstream;
    }

    @Override
    public Context currentContext() {
      return context;
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this); // ourselves, not s: no fusion can bypass onComplete
      }
    }

    @Override
    public void onNext(Void v) {
      actual.onNext(v);
    }

    @Override
    public void onError(Throwable error) {
      RequestSliRecorder recorder = source.filter.recorder;
      if (error instanceof ErrorResponse handled) {
        recorder.finish(this, handled.getStatusCode().value(), null);
      } else {
        recorder.finish(this, 500, error);
      }
      actual.onError(error);
    }

    @Override
    public void onComplete() {
      HttpStatusCode status = source.exchange.getResponse().getStatusCode();
      source.filter.recorder.finish(this, status == null ? 200 : status.value(), null);
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      upstream.request(n);
    }

    @Override
    public void cancel() {
      upstream.cancel(); // the client went away: the outcome is unknown, nothing is recorded
    }
  }
}
