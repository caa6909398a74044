package dev.burnguard.spring.boot.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Internal, not for public use. The guarded flags one request evaluated and the variant each was
 * served: the request-scoped holder that {@link RequestSliFilter} binds to the request's thread and
 * {@link RequestFlagHook} fills. Not final only so that the WebFlux filter's subscriber can be its
 * exchange's holder (one object per exchange instead of two).
 *
 * <p>Concurrency: a single-writer fast path, with a lock only once the holder can be on two threads.
 * The holder belongs to the thread that started the request (its owner). As long as it has not been
 * {@linkplain #handOff() handed off} to another thread and the owner has not {@linkplain #leave()
 * left} the request, only the owner can reach it, so the owner notes and closes with plain reads
 * and writes and no lock: the usual synchronous servlet request. Every way the holder reaches
 * another thread goes through {@link #handOff()} on a thread that holds it ({@link
 * RequestFlagsTaskDecorator}, {@link RequestFlagsAccessor#getValue()}), or is a holder {@linkplain
 * #shared(long) shared from the start} (the WebFlux filter, whose Reactor {@code Context} carries
 * it), or happens after the owner {@linkplain #leave() left} (an asynchronous servlet request,
 * closed on the thread that completes it). The first hand-off happens on the owner, which marks the
 * holder shared in a field only the owner reads; from then on everyone, the owner included, notes
 * and closes under the holder's lock. What the owner noted before is visible to the other threads
 * through the hand-off itself (the executor's or Reactor's queue orders the task after it) and,
 * after {@link #leave()}, through the lock. The filter {@linkplain #close() closes} the holder when
 * the request completes; notes that arrive later (from a task that outlived its request) are
 * dropped, and after closing nothing writes the arrays, so the closing thread reads them without
 * the lock.
 *
 * <p>The lock is a word taken with one compare-and-set (acquire) and released with a plain release
 * store, not the object's monitor: an uncontended monitor costs a compare-and-set to enter and
 * another to exit, and a shared holder (every WebFlux exchange) took it twice, to note and to
 * close. A holder shared from the start that noted at most one pair now closes without the lock
 * (see {@link #close()}), so the usual exchange pays one compare-and-set. Its critical sections are a few field writes (an array copy when a request notes more than
 * five pairs); a thread that finds it taken spins and yields, it never parks.
 */
class RequestFlags {
  private static final ThreadLocal<RequestFlags> CURRENT = new ThreadLocal<>();
  private static final VarHandle LOCK;
  private static final VarHandle SIZE;

  static {
    try {
      LOCK = MethodHandles.lookup().findVarHandle(RequestFlags.class, "lock", int.class);
      SIZE = MethodHandles.lookup().findVarHandle(RequestFlags.class, "size", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final long startNanos;
  /** The thread that started the request; null for a holder shared from the start. */
  private final Thread owner;
  /** Read and written by the owner only: whether the holder may be on another thread, so the lock is needed. */
  private boolean shared;
  // the first pair in fields, so that the usual request (one guarded flag) allocates nothing more
  private String flag0;
  private String variant0;
  private String[] flags;
  private String[] variants;
  private int size;
  private boolean closed;
  /** 1 while a thread notes or closes under the lock (see the class comment), else 0; through {@link #LOCK} only. */
  @SuppressWarnings("unused")
  private int lock;

  /** {@code owner} null: shared from the start. For {@link #owned}, {@link #shared} and the WebFlux subscriber. */
  RequestFlags(long startNanos, Thread owner) {
    this.startNanos = startNanos;
    this.owner = owner;
    this.shared = owner == null;
  }

  /** A holder owned by the calling thread, which takes notes without a lock until it is handed off. */
  static RequestFlags owned(long startNanos) {
    return new RequestFlags(startNanos, Thread.currentThread());
  }

  /** A holder that may be on several threads from the start: every note takes its lock. */
  static RequestFlags shared(long startNanos) {
    return new RequestFlags(startNanos, null);
  }

  /** The holder bound to this thread, or null outside a request. For use on this thread only. */
  static RequestFlags current() {
    return CURRENT.get();
  }

  /**
   * The holder bound to this thread, or null, to be carried to another thread: from now on its
   * notes take the lock. Whatever hands the holder to another thread must take it from here.
   */
  static RequestFlags handOff() {
    RequestFlags flags = CURRENT.get();
    if (flags != null && Thread.currentThread() == flags.owner) {
      flags.shared = true;
    }
    return flags;
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

  /** Whether the calling thread may take notes without the lock: the owner, before any hand-off. */
  private boolean alone() {
    return !shared && Thread.currentThread() == owner;
  }

  /**
   * Called by the owner when the request goes on without it (an asynchronous request): from now on
   * other threads note and close, under the lock, which also publishes the owner's notes to them.
   */
  void leave() {
    if (Thread.currentThread() == owner) {
      shared = true;
    }
    // taking and releasing the lock publishes the owner's unlocked notes to the next taker of it
    lock();
    unlock();
  }

  /** Notes that the request was served {@code variant} of guarded flag {@code flagKey}; once per pair. */
  void note(String flagKey, String variant) {
    if (alone()) {
      add(flagKey, variant);
    } else {
      lock();
      try {
        add(flagKey, variant);
      } finally {
        unlock();
      }
    }
  }

  private void add(String flagKey, String variant) {
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
    SIZE.setRelease(this, size + 1); // after the pair's slot: see close()
  }

  /** Stops taking notes and returns how many (flag, variant) pairs were noted. */
  int close() {
    if (alone()) {
      closed = true;
      return size;
    }
    if (owner == null) {
      // Shared from the start (a WebFlux exchange): every note took the lock and wrote its pair
      // before publishing the new size (a release store), and the first pair's fields are never
      // written again. So when at most one pair was noted, size read with acquire is a consistent
      // snapshot without the lock: a note that happened before the exchange's end is in it, and one
      // racing with the end (a branch that outlived it) either is or is dropped, as with the lock.
      int noted = (int) SIZE.getAcquire(this);
      if (noted <= 1) {
        closed = true;
        return noted;
      }
    }
    lock();
    closed = true;
    int noted = size;
    unlock();
    return noted;
  }

  private void lock() {
    for (int spins = 1; !LOCK.weakCompareAndSetAcquire(this, 0, 1); spins++) {
      if (spins % 64 == 0) {
        Thread.yield(); // the taker may be descheduled: let it run rather than spin through its slice
      } else {
        Thread.onSpinWait();
      }
    }
  }

  private void unlock() {
    LOCK.setRelease(this, 0);
  }

  /** The i-th flag noted; call after {@link #close()}, on the thread that closed. */
  String flag(int i) {
    return i == 0 ? flag0 : flags[i - 1];
  }

  /** The variant of the i-th flag noted; call after {@link #close()}, on the thread that closed. */
  String variant(int i) {
    return i == 0 ? variant0 : variants[i - 1];
  }
}
