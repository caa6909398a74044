package dev.burnguard.spring.boot.internal;

import io.micrometer.context.ThreadLocalAccessor;

/**
 * Internal, not for public use (public for {@link java.util.ServiceLoader}). Makes the current
 * request's {@link RequestFlags} a thread-local that Micrometer's context-propagation library knows
 * under {@value #KEY}: the WebFlux filter writes the holder into the request's Reactor {@code
 * Context} under that key, and when the application runs Reactor with automatic context propagation
 * ({@code spring.reactor.context-propagation=auto}, i.e. {@code Hooks.enableAutomaticContextPropagation()})
 * Reactor binds it to whichever thread runs an operator of the request's pipeline, so that {@link
 * RequestFlagHook} sees it after a thread hop ({@code publishOn}, {@code subscribeOn}, a client's
 * response). Registered through {@code META-INF/services/io.micrometer.context.ThreadLocalAccessor},
 * read only when the library is on the classpath.
 *
 * <p>Concurrency: stateless; the thread-local is per thread.
 */
public final class RequestFlagsAccessor implements ThreadLocalAccessor<Object> {
  /** The key of the holder in a Reactor {@code Context} and in context-propagation's registry. */
  public static final String KEY = "dev.burnguard.spring.request-flags";

  @Override
  public Object key() {
    return KEY;
  }

  @Override
  public Object getValue() {
    // captured to be restored on other threads: a hand-off (see RequestFlags)
    return RequestFlags.handOff();
  }

  @Override
  public void setValue(Object value) {
    RequestFlags.restore(value instanceof RequestFlags flags ? flags : null);
  }

  @Override
  public void setValue() {
    RequestFlags.restore(null);
  }

  @Override
  public void restore(Object previousValue) {
    setValue(previousValue);
  }
}
