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
  // the first pair in fields, so that the usual request (one guarded flag) allocates nothing more
  private String flag0;
  private String variant0;
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

  /**
   * Binds {@code previous} again. Null is set, not removed: a removed thread-local entry is
   * allocated anew by the next request's bind, while a null value is no reference to the application.
   */
  static void restore(RequestFlags previous) {
    CURRENT.set(previous);
  }

  /** Notes that the request was served {@code variant} of guarded flag {@code flagKey}; once per pair. */
  synchronized void note(String flagKey, String variant) {
    if (closed) {
      return;
    }
    for (int i = 0; i < size; i++) {
      if (flag(i).equals(flagKey) && variant(i).equals(variant)) {
        return;
      }
    }
    if (size == 0) {
      flag0 = flagKey;
      variant0 = variant;
    } else {
      if (flags == null) {
        flags = new String[4];
        variants = new String[4];
      } else if (size - 1 == flags.length) {
        flags = Arrays.copyOf(flags, flags.length * 2);
        variants = Arrays.copyOf(variants, variants.length * 2);
      }
      flags[size - 1] = flagKey;
      variants[size - 1] = variant;
    }
    size++;
  }

  /** Stops taking notes and returns how many (flag, variant) pairs were noted. */
  synchronized int close() {
    closed = true;
    return size;
  }

  /** The i-th flag noted; call after {@link #close()}. */
  String flag(int i) {
    return i == 0 ? flag0 : flags[i - 1];
  }

  /** The variant of the i-th flag noted; call after {@link #close()}. */
  String variant(int i) {
    return i == 0 ? variant0 : variants[i - 1];
  }
}
