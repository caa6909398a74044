package dev.burnguard.spring.boot.internal;

import dev.burnguard.outcome.Outcome;
import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.burnguard.time.Clock;

/**
 * Internal, not for public use. What the servlet filter ({@link RequestSliFilter}) and the WebFlux
 * filter ({@link ReactiveRequestSliFilter}) share: a request's {@link RequestFlags} started on the
 * provider's clock, and at its end the {@link RequestOutcomeClassifier}'s verdict recorded with the
 * request's latency against every (flag, variant) the request was served. A request that evaluated
 * no guarded flag records nothing (and the classifier is not asked).
 *
 * <p>Concurrency: stateless; one instance serves all requests on any thread.
 */
final class RequestSliRecorder {
  private final BurnguardCore core;
  private final Clock clock;
  private final RequestOutcomeClassifier classifier;

  RequestSliRecorder(BurnguardCore core, Clock clock, RequestOutcomeClassifier classifier) {
    this.core = core;
    this.clock = clock;
    this.classifier = classifier;
  }

  /** A fresh holder for a request starting now, owned by the calling thread (see {@link RequestFlags}). */
  RequestFlags start() {
    return RequestFlags.owned(clock.monotonicNanos());
  }

  /** The start time of a request starting now, for a holder shared from the start that the caller builds. */
  long startNanos() {
    return clock.monotonicNanos();
  }

  /**
   * Closes the request's holder and records the request against what it noted.
   *
   * @param status the response's status (pass 500 with a {@code failure})
   * @param failure the exception that ended the request, or null
   */
  void finish(RequestFlags flags, int status, Throwable failure) {
    int noted = flags.close();
    if (noted == 0) {
      return;
    }
    long end = clock.monotonicNanos();
    Outcome outcome;
    try {
      outcome = classifier.classify(status, failure);
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
}
