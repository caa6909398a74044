package dev.burnguard.spring.boot.internal;

import org.reactivestreams.Publisher;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
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
    RequestFlags flags = recorder.start();
    Publisher<Void> boundWhileSubscribing = subscriber -> {
      RequestFlags previous = RequestFlags.bind(flags);
      try {
        chain.filter(exchange).subscribe(subscriber);
      } finally {
        RequestFlags.restore(previous);
      }
    };
    return Mono.fromDirect(boundWhileSubscribing)
        .doOnEach(signal -> finish(flags, exchange, signal))
        .contextWrite(Context.of(RequestFlagsAccessor.KEY, flags));
  }

  private void finish(RequestFlags flags, ServerWebExchange exchange, Signal<Void> signal) {
    if (signal.isOnComplete()) {
      HttpStatusCode status = exchange.getResponse().getStatusCode();
      recorder.finish(flags, status == null ? 200 : status.value(), null);
    } else if (signal.isOnError()) {
      Throwable error = signal.getThrowable();
      if (error instanceof ErrorResponse handled) {
        recorder.finish(flags, handled.getStatusCode().value(), null);
      } else {
        recorder.finish(flags, 500, error);
      }
    }
  }
}
