package dev.burnguard.spring.boot.internal;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.burnguard.time.Clock;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Internal, not for public use. Records each HTTP request's outcome and latency against every
 * guarded flag it evaluated, with the variant it was served: binds a fresh {@link RequestFlags} to
 * the request's thread, lets the request run, then asks the {@link RequestOutcomeClassifier} and
 * records one call per (flag, variant) noted. A request that evaluated no guarded flag records
 * nothing. An asynchronous request is recorded when it completes (an exception or a timeout is an
 * error).
 *
 * <p>Once per request: it is registered for the REQUEST dispatch only (not the ASYNC, ERROR,
 * FORWARD or INCLUDE dispatches of the same request), and a request that is already measured on
 * this thread passes through. It is a plain servlet filter rather than Spring's {@code
 * OncePerRequestFilter}, whose request attribute costs a string concatenation and a map entry per
 * request.
 *
 * <p>Concurrency: stateless apart from the per-request holder; one instance serves all requests.
 */
final class RequestSliFilter implements Filter {
  private final BurnguardCore core;
  private final Clock clock;
  private final RequestOutcomeClassifier classifier;

  RequestSliFilter(BurnguardCore core, Clock clock, RequestOutcomeClassifier classifier) {
    this.core = core;
    this.clock = clock;
    this.classifier = classifier;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || RequestFlags.current() != null) {
      chain.doFilter(req, res);
      return;
    }
    RequestFlags flags = new RequestFlags(clock.monotonicNanos());
    RequestFlags.bind(flags);
    Throwable failure = null;
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      RequestFlags.restore(null);
      if (failure == null && request.isAsyncStarted()) {
        request.getAsyncContext().addListener(new RecordWhenComplete(flags));
      } else {
        record(flags, request, response, failure);
      }
    }
  }

  private void record(RequestFlags flags, HttpServletRequest request, HttpServletResponse response, Throwable failure) {
    int noted = flags.close();
    if (noted == 0) {
      return;
    }
    long end = clock.monotonicNanos();
    Outcome outcome;
    try {
      outcome = classifier.classify(request, response, failure);
    } catch (RuntimeException e) {
      outcome = null;
    }
    if (outcome == null) {
      return; // a classifier that cannot tell (or fails) records nothing rather than a guess
    }
    for (int i = 0; i < noted; i++) {
      core.record(flags.flag(i), flags.variant(i), flags.startNanos, end, outcome);
    }
  }

  /** Records an asynchronous request once it is complete. */
  private final class RecordWhenComplete implements AsyncListener {
    private final RequestFlags flags;
    private Throwable failure;

    RecordWhenComplete(RequestFlags flags) {
      this.flags = flags;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      record(flags, (HttpServletRequest) event.getSuppliedRequest(), (HttpServletResponse) event.getSuppliedResponse(),
          failure);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      failure = event.getThrowable() != null ? event.getThrowable() : new IllegalStateException("request timed out");
    }

    @Override
    public void onError(AsyncEvent event) {
      failure = event.getThrowable();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
