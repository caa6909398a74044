package dev.burnguard.sample;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Built-in traffic: {@code rate} checkouts a second from {@code users} simulated users, each with a
 * shipping quote, called in process (no network), so the guardians have outcomes to judge for both
 * guarded flags.
 *
 * <p>Design (concurrency): one scheduler thread wakes every {@value #SLICE_MILLIS} ms and hands
 * that slice's share of the rate (fractions carried over) to a fixed pool of
 * {@value #WORKERS} worker threads through a bounded queue of one second of traffic. When the
 * workers fall behind (a candidate made slow by an injected fault, say), requests that do not fit
 * are dropped and counted rather than queued without bound: memory and threads stay bounded
 * whatever the rate. The counters are {@link LongAdder}s, read without locking. {@link #close()}
 * stops both executors; all threads are daemons, so the generator never keeps the JVM alive.
 */
final class TrafficGenerator implements AutoCloseable {
  static final int WORKERS = 32;
  static final long SLICE_MILLIS = 100;
  static final double MAX_RATE = 2_000;
  static final int MAX_USERS = 1_000_000;

  private final Checkout checkout;
  private final ShippingQuote shipping;
  private final double rate;
  private final int users;
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private ScheduledExecutorService scheduler;
  private ThreadPoolExecutor workers;
  private double carry; // scheduler thread only

  TrafficGenerator(Checkout checkout, ShippingQuote shipping, double rate, int users) {
    if (!(rate >= 0 && rate <= MAX_RATE)) {
      throw new IllegalArgumentException("--rate must be between 0 and " + MAX_RATE + " requests a second, got " + rate);
    }
    if (users < 1 || users > MAX_USERS) {
      throw new IllegalArgumentException("--users must be between 1 and " + MAX_USERS + ", got " + users);
    }
    this.checkout = checkout;
    this.shipping = shipping;
    this.rate = rate;
    this.users = users;
  }

  /** Starts sending in the background; call once. */
  synchronized void start() {
    if (rate == 0) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(daemons("sample-traffic"));
    workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>((int) Math.max(1, Math.ceil(rate))), daemons("sample-user"),
        (task, pool) -> dropped.increment());
    scheduler.scheduleAtFixedRate(this::slice, 0, SLICE_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void slice() {
    carry += rate * SLICE_MILLIS / 1000.0;
    int n = (int) carry;
    carry -= n;
    for (int i = 0; i < n; i++) {
      try {
        workers.execute(this::sendOne);
      } catch (RejectedExecutionException e) {
        return; // shutting down
      }
    }
  }

  /**
   * One checkout and one shipping quote by a random user, counted as failed if either fails (each
   * is made whatever the other's outcome, so each flag sees the same traffic); never throws.
   */
  void sendOne() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String user = "user-" + r.nextInt(users);
    int items = 1 + r.nextInt(8);
    boolean ok = true;
    try {
      checkout.checkout(user, items);
    } catch (RuntimeException e) {
      ok = false;
    }
    try {
      shipping.quote(user, items);
    } catch (RuntimeException e) {
      ok = false;
    }
    (ok ? succeeded : failed).increment();
  }

  /** Requests so far: sent and answered, failed, dropped because the workers were behind. */
  Map<String, Object> stats() {
    return Map.of("rate", rate, "users", users, "succeeded", succeeded.sum(), "failed", failed.sum(),
        "dropped", dropped.sum());
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      workers.shutdownNow();
    }
  }

  private static ThreadFactory daemons(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
