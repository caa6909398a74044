package dev.burnguard.spring.boot;

import dev.burnguard.outcome.Outcome;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Decides whether an HTTP request succeeded or failed, for the request-level SLIs: the outcome
 * recorded against every guarded flag the request evaluated. Declare a bean of this type to replace
 * the default, which counts a 5xx status or an exception as an error and everything else as a
 * success. Called once per request on the request's thread; must not throw.
 */
@FunctionalInterface
public interface RequestOutcomeClassifier {
  /** The default: an exception or a status of 500 or more is an error. */
  RequestOutcomeClassifier DEFAULT = (request, response, failure) ->
      failure != null || response.getStatus() >= 500 ? Outcome.ERROR : Outcome.SUCCESS;

  /**
   * The request's outcome.
   *
   * @param failure the exception that left the filter chain, or null
   */
  Outcome classify(HttpServletRequest request, HttpServletResponse response, Throwable failure);
}
