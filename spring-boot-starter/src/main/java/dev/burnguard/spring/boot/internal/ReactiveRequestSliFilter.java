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
 *   <li>The holder is also in the exchange's Reactor {@code Context} under {@link
 *       RequestFlagsAccessor#KEY}. With automatic context propagation on ({@code
 *       spring.reactor.context-propagation=auto} and Micrometer's {@code context-propagation} on the
 *       classpath), Reactor binds it on every thread that runs an operator of the request's
 *       pipeline, so evaluations after a thread hop ({@code publishOn}, {@code subscribeOn}, after
 *       reading the body, after a {@code WebClient} response) count too.
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
 * <p>Concurrency: stateless apart from the per-exchange holder; one instance serves all exchanges.
 */
final class ReactiveRequestSliFilter implements WebFilter, Ordered {
  private final RequestSliRecorder recorder;
  private final int order;

  ReactiveRequestSliFilter(RequestSliRecorder recorder, int order) {
    this.recorder = recorder;
    this.order = order;
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
   * itself into the Reactor Context (what {@code contextWrite} would do), records the outcome at
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
      Recording recording = new Recording(actual, filter, exchange);
      RequestFlags previous = RequestFlags.bind(recording);
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
        RequestFlags.restore(previous);
      }
    }
  }

  /**
   * Subscribes to the rest of the chain for one exchange and is that exchange's holder, shared from
   * the start (the Context carries it to whatever threads run the pipeline); see {@link
   * MeasuredExchange}.
   */
  private static final class Recording extends RequestFlags implements CoreSubscriber<Void>, Subscription {
    private final CoreSubscriber<? super Void> actual;
    private final ReactiveRequestSliFilter filter;
    private final ServerWebExchange exchange;
    private final Context context;
    private Subscription upstream;

    Recording(CoreSubscriber<? super Void> actual, ReactiveRequestSliFilter filter, ServerWebExchange exchange) {
      super(filter.recorder.startNanos(), null);
      this.actual = actual;
      this.filter = filter;
      this.exchange = exchange;
      this.context = actual.currentContext().put(RequestFlagsAccessor.KEY, this);
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
      if (error instanceof ErrorResponse handled) {
        filter.recorder.finish(this, handled.getStatusCode().value(), null);
      } else {
        filter.recorder.finish(this, 500, error);
      }
      actual.onError(error);
    }

    @Override
    public void onComplete() {
      HttpStatusCode status = exchange.getResponse().getStatusCode();
      filter.recorder.finish(this, status == null ? 200 : status.value(), null);
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
