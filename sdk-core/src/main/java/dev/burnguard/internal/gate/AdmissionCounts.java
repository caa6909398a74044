package dev.burnguard.internal.gate;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many evaluations of a guarded flag its gates served the candidate and the control, counted
 * on the evaluation path and read by the guardian each tick for its sample-ratio-mismatch test
 * (recorded outcomes against served calls, see {@code docs/statistics.md}).
 *
 * <p><b>Concurrency design.</b> Counting must not allocate, lock or collapse under many threads. The
 * counts are striped: a fixed number of cells (a power of two, twice the processors, at most
 * {@value #MAX_STRIPES}, as the recorder's series), allocated once with the counts, each holding both
 * arms' counts and {@value #PAD} longs (128 bytes) from the next, so that two cells never share a
 * cache line or its prefetched neighbour: 128 × (cells + 1) bytes per rollout, 640 on two cores. A
 * thread counts in the cell its thread id hashes to, with one atomic add (wait-free: no CAS loop to
 * retry under contention); threads that share a cell only share its line. A read sums the cells of an arm; it is
 * not a snapshot of both arms at one instant, but each count only grows, so a reader taking
 * differences between its reads sees every evaluation exactly once. One instance lives as long as
 * its rollout's gates (the guardian hands the same counts to every gate it builds for the flag).
 */
public final class AdmissionCounts {
  /** Longs per cell: 128 bytes. */
  static final int PAD = 16;
  static final int MAX_STRIPES = 16;
  private static final int CANDIDATE = 0;
  private static final int CONTROL = 1;

  private final int mask;
  /** Count of (stripe, arm) at {@code (stripe + 1) * PAD + arm}: a padding cell before the first. */
  private final AtomicLongArray cells;

  public AdmissionCounts() {
    this(Runtime.getRuntime().availableProcessors());
  }

  AdmissionCounts(int processors) {
    int stripes = Integer.highestOneBit(Math.max(1, Math.min(MAX_STRIPES / 2, processors)) * 2 - 1) << 1;
    this.mask = stripes - 1;
    this.cells = new AtomicLongArray((stripes + 1) * PAD);
  }

  /** Counts one evaluation that served the candidate. Never allocates, never blocks. */
  public void servedCandidate() {
    cells.getAndIncrement(cell(stripe(), CANDIDATE));
  }

  /** Counts one evaluation that served the control. Never allocates, never blocks. */
  public void servedControl() {
    cells.getAndIncrement(cell(stripe(), CONTROL));
  }

  /** Evaluations that served the candidate so far. */
  public long candidate() {
    return sum(CANDIDATE);
  }

  /** Evaluations that served the control so far. */
  public long control() {
    return sum(CONTROL);
  }

  /** The number of cells per arm (for tests). */
  int stripes() {
    return mask + 1;
  }

  private long sum(int arm) {
    long total = 0;
    for (int s = 0; s <= mask; s++) {
      total += cells.get(cell(s, arm));
    }
    return total;
  }

  private static int cell(int stripe, int arm) {
    return (stripe + 1) * PAD + arm;
  }

  @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; getId() is the same number
  private int stripe() {
    long h = Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & mask;
  }
}
