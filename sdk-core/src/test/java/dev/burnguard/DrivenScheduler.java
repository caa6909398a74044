package dev.burnguard;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} that runs nothing on its own: it keeps the periodic tasks
 * scheduled on it, and a test runs them with {@link #runPeriodicTasks()}. Only fixed-delay and
 * fixed-rate scheduling are supported (what a provider uses). Single-threaded use by the test.
 */
final class DrivenScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  /** A periodic task as it was scheduled. */
  static final class Periodic implements ScheduledFuture<Object> {
    final Runnable command;
    final long initialDelay;
    final long delay;
    final TimeUnit unit;
    private boolean cancelled;

    Periodic(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      this.command = command;
      this.initialDelay = initialDelay;
      this.delay = delay;
      this.unit = unit;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean was = cancelled;
      cancelled = true;
      return !was;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException("a periodic task has no result");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("a periodic task has no result");
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(delay, this.unit);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }
  }

  final List<Periodic> scheduled = new ArrayList<>();
  private boolean shutdown;

  /** Runs every periodic task not cancelled, once each; returns how many ran. */
  int runPeriodicTasks() {
    int ran = 0;
    for (Periodic p : List.copyOf(scheduled)) {
      if (!p.isCancelled()) {
        p.command.run();
        ran++;
      }
    }
    return ran;
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    Periodic p = new Periodic(command, initialDelay, delay, unit);
    scheduled.add(p);
    return p;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    return scheduleWithFixedDelay(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot scheduling is not driven by this test executor");
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot scheduling is not driven by this test executor");
  }

  @Override
  public void execute(Runnable command) {
    throw new UnsupportedOperationException("immediate execution is not driven by this test executor");
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }

  @Override
  public String toString() {
    return "DrivenScheduler";
  }
}
