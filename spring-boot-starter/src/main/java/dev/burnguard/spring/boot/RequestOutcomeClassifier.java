package dev.burnguard.spring.boot;

import dev.burnguard.outcome.Outcome;

/**
 * Decides whether an HTTP request succeeded or failed, for the request-level SLIs: the outcome
 * recorded against every guarded flag the request evaluated. The same classifier serves the servlet
 * filter and the WebFlux filter. Declare a bean of this type to replace the default, which counts a
 * 5xx status or an exception as an error and everything else as a success. Called once per request
 * that evaluated a guarded flag, when the request completes; must not throw (a classifier that throws
 * or returns null records nothing for that request).
 */
@FunctionalInterface
public interface RequestOutcomeClassifier {
  /** The default: an exception or a status of 500 or more is an error. */
  RequestOutcomeClassifier DEFAULT = (status, failure) ->
      failure != null || status >= 500 ? Outcome.ERROR : Outcome.SUCCESS;

  /**
   * The request's outcome.
   *
   * @param status the response's HTTP status; 500 when {@code failure} is not null (the status the
   *     server answers an unhandled exception with)
   * @param failure the exception that ended the request unhandled, or null: in a servlet application
   *     the exception that left the filter chain (or the asynchronous request's error or timeout); in
   *     a WebFlux application the error signal of the filter chain, except a Spring {@code
   *     ErrorResponse} such as {@code ResponseStatusException}, which WebFlux answers with its own
   *     status and which is therefore classified as that status with no failure (as Spring MVC
   *     resolves it before the servlet filter sees it)
   */
  Outcome classify(int status, Throwable failure);
}
