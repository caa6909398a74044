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
 * <p>Binding: each thread has one mutable {@link Binding} cell in a thread-local, made on its first
 * request; binding a holder writes the cell. A filter looks the cell up once per request and binds
 * and restores through it, so a request costs two thread-local lookups (the filter's and the
 * hook's), not four ({@code get} and {@code set} to bind, {@code set} to restore, {@code get} in
 * the hook).
 *
 * <p>Concurrency: a single writer at a time, with a lock only once the holder can be on two
 * threads. The holder belongs to the thread that started the request (its owner). As long as it has
 * not been {@linkplain #handOff() handed off} to another thread and the owner has not {@linkplain
 * #leave() left} the request, only the owner can note into it, so the owner notes and closes with
 * plain reads and writes and no lock: the usual synchronous servlet request, and the usual WebFlux
 * exchange when nothing can carry the holder in the Reactor {@code Context} (see {@link
 * ReactiveRequestSliFilter}). Every way the holder reaches another thread goes through {@link
 * #handOff()} on a thread that holds it ({@link RequestFlagsTaskDecorator}, {@link
 * RequestFlagsAccessor#getValue()}), or is a holder {@linkplain #shared(long) shared from the start}
 * (the WebFlux filter whose Reactor {@code Context} carries it), or happens after the owner
 * {@linkplain #leave() left} (an asynchronous servlet request, noted and closed on other threads).
 * The first hand-off happens on the owner, which marks the holder shared in a field only the owner
 * reads; from then on everyone, the owner included, notes under the holder's lock. What the owner
 * noted before is visible to the other threads through the hand-off itself (the executor's or
 * Reactor's queue orders the task after it) and, after {@link #leave()}, through the lock.
 *
 * <p>Closing needs no lock on any thread. Every note, with or without the lock, writes its pair
 * first (a grown array is published with a release store) and then publishes the new count with a
 * release store, and a pair's slot is never written again; so a closer on another thread reads the
 * count with acquire and sees every pair below it, whole: a note that happened before the request's
 * end is in it, and one racing with the end (a task that outlived its request) either is or is
 * dropped. This also covers a WebFlux exchange that ends on another thread while its owner still
 * subscribes. Notes that arrive after closing are dropped.
 *
 * <p>The lock is a word taken with one compare-and-set (acquire) and released with a plain release
 * store, not the object's monitor (an uncontended monitor costs a compare-and-set to enter and
 * another to exit). Its critical sections are a few field writes (an array copy when a request
 * notes more than five pairs); a thread that finds it taken spins and yields, it never parks.
 *
 * <p>Size: the pairs after the first share one array (flag, variant, flag, variant, ...), so the
 * holder is 48 bytes with compressed references (12 header + 8 + 6 × 4 + 2 booleans, aligned).
 */
class RequestFlags {
  /** One thread's binding: the holder of the request the thread is running, or null. */
  static final class Binding {
    /** The bound holder; read and written by the cell's thread only. */
    RequestFlags flags;

    private Binding() {}
  }

  private static final ThreadLocal<Binding> CURRENT = new ThreadLocal<>();
  private static final VarHandle LOCK;
  private static final VarHandle SIZE;
  private static final VarHandle MORE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LOCK = lookup.findVarHandle(RequestFlags.class, "lock", int.class);
      SIZE = lookup.findVarHandle(RequestFlags.class, "size", int.class);
      MORE = lookup.findVarHandle(RequestFlags.class, "more", String[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final long startNanos;
  /** The thread that started the request; null for a holder shared from the start. */
  private final Thread owner;
  /** Read and written by the owner only: whether the holder may be on another thread, so the lock is needed. */
  private boolean shared;
  private boolean closed;
  // the first pair in fields, so that the usual request (one guarded flag) allocates nothing more
  private String flag0;
  private String variant0;
  /** The pairs after the first: flag at 2 (i - 1), its variant after it; replaced (grown) with a release store. */
  private String[] more;
  /** How many pairs are noted; written with a release store after the pair (see the class comment). */
  private int size;
  /** 1 while a thread notes under the lock (see the class comment), else 0; through {@link #LOCK} only. */
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

  /**
   * This thread's binding cell, made on the thread's first call. A filter keeps it for the request
   * and binds and restores through it; use it on this thread only.
   */
  static Binding binding() {
    Binding b = CURRENT.get();
    if (b == null) {
      b = new Binding();
      CURRENT.set(b);
    }
    return b;
  }

  /** The holder bound to this thread, or null outside a request. For use on this thread only. */
  static RequestFlags current() {
    Binding b = CURRENT.get();
    return b == null ? null : b.flags;
  }

  /**
   * The holder bound to this thread, or null, to be carried to another thread: from now on its
   * notes take the lock. Whatever hands the holder to another thread must take it from here.
   */
  static RequestFlags handOff() {
    RequestFlags flags = current();
    if (flags != null && Thread.currentThread() == flags.owner) {
      flags.shared = true;
    }
    return flags;
  }

  /** Binds {@code flags} to this thread and returns what was bound before (to {@link #restore}). */
  static RequestFlags bind(RequestFlags flags) {
    Binding b = binding();
    RequestFlags previous = b.flags;
    b.flags = flags;
    return previous;
  }

  /** Binds {@code previous} again (null: none). */
  static void restore(RequestFlags previous) {
    if (previous == null) {
      Binding b = CURRENT.get();
      if (b != null) {
        b.flags = null;
      }
    } else {
      binding().flags = previous;
    }
  }

  /** Whether the calling thread may take notes without the lock: the owner, before any hand-off. */
  private boolean alone() {
    return !shared && Thread.currentThread() == owner;
  }

  /**
   * Called by the owner when the request goes on without it (an asynchronous request): from now on
   * other threads note and close, and notes take the lock, which also publishes the owner's notes
   * to them.
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
    int n = size;
    for (int i = 0; i < n; i++) {
      if (flag(i).equals(flagKey) && variant(i).equals(variant)) {
        return;
      }
    }
    if (n == 0) {
      flag0 = flagKey;
      variant0 = variant;
    } else {
      String[] pairs = more;
      int slot = 2 * (n - 1);
      if (pairs == null || slot == pairs.length) {
        pairs = pairs == null ? new String[8] : Arrays.copyOf(pairs, pairs.length * 2);
        MORE.setRelease(this, pairs); // a closer on another thread reads it with acquire: the copy whole
      }
      pairs[slot] = flagKey;
      pairs[slot + 1] = variant;
    }
    SIZE.setRelease(this, n + 1); // after the pair's slot: see close()
  }

  /**
   * Stops taking notes and returns how many (flag, variant) pairs were noted; then {@link #flag}
   * and {@link #variant} read them, on this thread. Takes no lock (see the class comment).
   */
  int close() {
    if (alone()) {
      closed = true;
      return size;
    }
    closed = true; // later notes are dropped once they see it; one racing with it may still land, beyond the count read here
    return (int) SIZE.getAcquire(this);
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

  /** The i-th flag noted, i below what {@link #close()} returned; on the thread that closed. */
  String flag(int i) {
    return i == 0 ? flag0 : ((String[]) MORE.getAcquire(this))[2 * (i - 1)];
  }

  /** The variant of the i-th flag noted, i below what {@link #close()} returned; on the thread that closed. */
  String variant(int i) {
    return i == 0 ? variant0 : ((String[]) MORE.getAcquire(this))[2 * (i - 1) + 1];
  }
}
