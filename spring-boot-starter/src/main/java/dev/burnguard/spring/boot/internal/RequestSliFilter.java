package dev.burnguard.spring.boot.internal;

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
 * the request's thread, lets the request run, then hands the holder, the status and any exception
 * to the {@link RequestSliRecorder} (shared with the WebFlux filter), which records one call per
 * (flag, variant) noted. A request that evaluated no guarded flag records
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
  private final RequestSliRecorder recorder;

  RequestSliFilter(RequestSliRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    RequestFlags.Binding binding = RequestFlags.binding(); // the request's one thread-local lookup
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || binding.flags != null) {
      chain.doFilter(req, res);
      return;
    }
    RequestFlags flags = recorder.start();
    binding.flags = flags; // nothing was bound (checked above), so nothing to keep
    Throwable failure = null;
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      binding.flags = null;
      if (failure == null && request.isAsyncStarted()) {
        flags.leave(); // another thread completes the request: its notes and close take the holder's lock
        request.getAsyncContext().addListener(new RecordWhenComplete(flags));
      } else {
        record(flags, response, failure);
      }
    }
  }

  private void record(RequestFlags flags, HttpServletResponse response, Throwable failure) {
    recorder.finish(flags, failure != null ? 500 : response.getStatus(), failure);
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
      record(flags, (HttpServletResponse) event.getSuppliedResponse(), failure);
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
