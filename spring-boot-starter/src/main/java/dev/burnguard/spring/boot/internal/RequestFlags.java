package dev.burnguard.spring.boot.internal;

import java.util.Arrays;

/**
 * Internal, not for public use. The guarded flags one request evaluated and the variant each was
 * served: the request-scoped holder that {@link RequestSliFilter} binds to the request's thread and
 * {@link RequestFlagHook} fills.
 *
 * <p>Concurrency: bound to the request's thread through a thread-local; a task that the request
 * hands to another thread carries it along when its executor uses {@link RequestFlagsTaskDecorator}.
 * Notes are therefore synchronized (uncontended in the usual case: one thread per request). The
 * filter {@linkplain #close() closes} the holder when the request completes; notes that arrive later
 * (from a task that outlived its request) are dropped, and after closing nothing writes the arrays,
 * so the filter reads them without a lock.
 */
final class RequestFlags {
  private static final ThreadLocal<RequestFlags> CURRENT = new ThreadLocal<>();

  final long startNanos;
  private String[] flags;
  private String[] variants;
  private int size;
  private boolean closed;

  RequestFlags(long startNanos) {
    this.startNanos = startNanos;
  }

  /** The holder bound to this thread, or null outside a request. */
  static RequestFlags current() {
    return CURRENT.get();
  }

  /** Binds {@code flags} to this thread and returns what was bound before (to {@link #restore}). */
  static RequestFlags bind(RequestFlags flags) {
    RequestFlags previous = CURRENT.get();
    CURRENT.set(flags);
    return previous;
  }

  static void restore(RequestFlags previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  /** Notes that the request was served {@code variant} of guarded flag {@code flagKey}; once per pair. */
  synchronized void note(String flagKey, String variant) {
    if (closed) {
      return;
    }
    if (flags == null) {
      flags = new String[4];
      variants = new String[4];
    }
    for (int i = 0; i < size; i++) {
      if (flags[i].equals(flagKey) && variants[i].equals(variant)) {
        return;
      }
    }
    if (size == flags.length) {
      flags = Arrays.copyOf(flags, size * 2);
      variants = Arrays.copyOf(variants, size * 2);
    }
    flags[size] = flagKey;
    variants[size] = variant;
    size++;
  }

  /** Stops taking notes and returns how many (flag, variant) pairs were noted. */
  synchronized int close() {
    closed = true;
    return size;
  }

  /** The i-th flag noted; call after {@link #close()}. */
  String flag(int i) {
    return flags[i];
  }

  /** The variant of the i-th flag noted; call after {@link #close()}. */
  String variant(int i) {
    return variants[i];
  }
}
