package dev.burnguard.internal.sli;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The outcomes of one flag variant over time: exact counts of calls, errors and slow calls (one
 * count per latency threshold) in time buckets at four resolutions, and a latency histogram.
 *
 * <p><b>Resolutions.</b> 10-second buckets for windows up to 6 minutes, 1-minute buckets up to 1
 * hour, 10-minute buckets up to 6 hours and 1-hour buckets up to 72 hours. A window of length W is
 * the most recent buckets of the finest resolution that covers it, the current (partial) bucket
 * included, plus the share of the bucket before them that W still covers (see {@link #counts}), so
 * a window holds about W of calls at every moment. Every call is counted at all four resolutions,
 * so a coarser bucket is the sum of the finer buckets it spans: a read takes the window's whole
 * buckets from the coarsest resolution that has any and only its ragged ends from the finer ones,
 * plus the one shared bucket (the 73 buckets of a 72-hour window have no coarser one).
 *
 * <p><b>Concurrency.</b> Recording is lock-free and allocation-free. A recording thread adds to one
 * of a few stripes (one cache line each) holding the counts of the current second in one packed
 * word, with one compare-and-set; the stripe is picked by a per-thread probe that moves to another
 * stripe when that compare-and-set meets another thread's (as {@code LongAdder}'s cells do); when a stripe's second is over, the first thread to see it moves the
 * counts into the four resolutions with compare-and-set on words that carry both the bucket's tag
 * and its count, so no bucket is ever reset under a writer. Latencies go to a stripe's run of
 * equal-bucket latencies and reach the shared histogram when the run ends, so threads recording
 * similar latencies do not contend. Guarantees: no recorded call is lost or counted twice in the
 * counts (the display-only histogram may lose a sample when two threads share a stripe); a call
 * racing a second boundary on another thread may be counted in the neighbouring second; readers
 * see every call whose recording finished before the read began. Counts per stripe and second are
 * moved to the resolutions early, before the packed fields could overflow.
 *
 * <p>Moving a stripe's counts (changing its second, emptying it, adding to the resolutions) takes
 * several steps, and a reader that looked at the resolutions before a move and at the stripe after
 * it would miss those counts, or see them in the stripe's new second. So moves are counted as they
 * start and end, and a reader reads the resolutions and the stripes again if a move was under
 * way at any moment of its read: no count is then missed or read in another second. Moves
 * happen about once per stripe and second, so a reader rarely reads twice; a reader never makes a
 * recording thread wait. With more than one latency threshold, the second and third slow counts of
 * a call are added in a separate step after the call: a read racing that call may see the call
 * without them, and a move racing it may count them in the stripe's next second.
 *
 * <p>Internal, not for public use.
 */
public final class Series {
  /** Bucket width in seconds and bucket count of each resolution, finest first. */
  private static final long[] WIDTH = {10, 60, 600, 3600};
  private static final int[] WINDOW_BUCKETS = {36, 60, 36, 72};
  /** Two spare slots beyond the longest window, so a slot is never both read and recycled. */
  private static final int SPARE = 2;
  /** The first slot of each ring in {@link #rings}, and the total number of slots last. */
  private static final int[] RING_START = new int[WIDTH.length + 1];

  static {
    for (int r = 0; r < WIDTH.length; r++) {
      RING_START[r + 1] = RING_START[r] + WINDOW_BUCKETS[r] + SPARE;
    }
  }

  private static final VarHandle RING = MethodHandles.arrayElementVarHandle(long[].class);
  /** The longest window, in seconds. */
  public static final long MAX_WINDOW_SECONDS = WIDTH[3] * WINDOW_BUCKETS[3];
  /** Most latency thresholds a series counts slow calls against. */
  public static final int MAX_THRESHOLDS = 3;

  // a ring word: 24-bit bucket tag, 40-bit count
  private static final int TAG_BITS = 24;
  private static final long TAG_MASK = (1L << TAG_BITS) - 1;
  private static final long COUNT_MASK = (1L << (64 - TAG_BITS)) - 1;

  // a stripe's packed counts of one second: calls (22 bits), errors (21), slow[0] (21);
  // a second word holds slow[1] and slow[2]
  private static final int CALLS_SHIFT = 0;
  private static final int ERRORS_SHIFT = 22;
  private static final int SLOW0_SHIFT = 43;
  private static final long FIELD21 = (1L << 21) - 1;
  private static final long FIELD22 = (1L << 22) - 1;
  /** Move a stripe's counts out before its call count could pass 2^22. */
  private static final long EARLY_FOLD_CALLS = 1L << 20;

  // stripe layout, 8 longs (one cache line) per stripe
  private static final int STRIPE_LONGS = 8;
  private static final int EPOCH = 0;
  private static final int COUNTS = 1;
  private static final int MORE_SLOW = 2;
  private static final int RUN = 3;
  /** No second recorded yet. */
  private static final long NO_EPOCH = Long.MIN_VALUE;
  private static final long MAX_RUN = 1L << 30;
  // one more cache line after the stripes: how many moves of stripe counts started, and ended
  private static final int MOVES_STARTED = 0;
  private static final int MOVES_ENDED = 1;

  private final long[] thresholdNanos;
  private final int words; // counters per bucket: calls, errors, slow per threshold
  /**
   * The four rings, finest first, in one array (so that a read reaches its buckets with one less
   * pointer to follow per resolution): ring r starts at slot {@code RING_START[r]}, {@code words}
   * counters per slot, each read and written as a volatile through {@link #RING}.
   */
  private final long[] rings;
  private final AtomicLongArray stripes;
  private final int stripeLongs;
  private final int moves;
  private final int stripeMask;
  private final AtomicIntegerArray histogram = new AtomicIntegerArray(LatencyBuckets.COUNT);

  /**
   * @param thresholdNanos latency thresholds (at most {@link #MAX_THRESHOLDS}); a call slower than
   *     one counts as slow against it
   * @param stripes number of stripes, a power of two
   */
  public Series(long[] thresholdNanos, int stripes) {
    if (thresholdNanos.length > MAX_THRESHOLDS) {
      throw new IllegalArgumentException("at most " + MAX_THRESHOLDS + " latency thresholds, got " + thresholdNanos.length);
    }
    if (Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two, got " + stripes);
    }
    this.thresholdNanos = thresholdNanos.clone();
    this.words = 2 + thresholdNanos.length;
    this.rings = new long[RING_START[WIDTH.length] * words];
    this.stripeLongs = stripes * STRIPE_LONGS;
    this.moves = stripeLongs;
    this.stripes = new AtomicLongArray(stripeLongs + STRIPE_LONGS);
    this.stripeMask = stripes - 1;
    for (int s = 0; s < stripes; s++) {
      this.stripes.set(s * STRIPE_LONGS + EPOCH, NO_EPOCH);
    }
  }

  /**
   * Each recording thread's probe, shared by all series (as {@link java.util.concurrent.atomic.LongAdder}
   * keeps one per thread): its low bits pick the stripe the thread records to. It starts from the
   * thread's id, and moves (an xorshift step) whenever the thread's add to its stripe meets another
   * thread's, so that threads that contend spread over the stripes instead of sharing one for good.
   */
  private static final ThreadLocal<int[]> PROBE = ThreadLocal.withInitial(
      () -> new int[] {(int) Thread.currentThread().getId() | 1});

  /** Records one call at {@code second} (seconds since the recorder's origin). */
  public void record(long second, long latencyNanos, boolean error) {
    long delta = 1L << CALLS_SHIFT;
    long more = 0;
    if (error) {
      delta += 1L << ERRORS_SHIFT;
    }
    long[] thresholds = thresholdNanos;
    if (thresholds.length > 0 && latencyNanos > thresholds[0]) {
      delta += 1L << SLOW0_SHIFT;
    }
    for (int t = 1; t < thresholds.length; t++) {
      if (latencyNanos > thresholds[t]) {
        more += 1L << (21 * (t - 1));
      }
    }
    int[] probe = PROBE.get();
    int base;
    long before;
    while (true) {
      base = (probe[0] & stripeMask) * STRIPE_LONGS;
      long epoch = stripes.get(base + EPOCH);
      if (second > epoch) {
        roll(base, epoch, second);
      }
      before = stripes.get(base + COUNTS);
      if (stripes.compareAndSet(base + COUNTS, before, before + delta)) {
        break;
      }
      // another thread added to (or folded) this stripe meanwhile: move to another one
      int h = probe[0];
      h ^= h << 13;
      h ^= h >>> 17;
      h ^= h << 5;
      probe[0] = h;
    }
    if (more != 0) {
      stripes.getAndAdd(base + MORE_SLOW, more);
    }
    if (((before >>> CALLS_SHIFT) & FIELD22) >= EARLY_FOLD_CALLS) {
      stripes.getAndIncrement(moves + MOVES_STARTED);
      foldStripe(base, stripes.get(base + EPOCH));
      stripes.getAndIncrement(moves + MOVES_ENDED);
    }
    addLatency(base, LatencyBuckets.of(latencyNanos));
  }

  /** Moves the counts of a stripe whose second is over into the resolutions. */
  private void roll(int base, long epoch, long second) {
    while (epoch < second) {
      stripes.getAndIncrement(moves + MOVES_STARTED);
      boolean moved = stripes.compareAndSet(base + EPOCH, epoch, second);
      if (moved && epoch != NO_EPOCH) {
        foldStripe(base, epoch);
      }
      stripes.getAndIncrement(moves + MOVES_ENDED);
      if (moved) {
        return;
      }
      epoch = stripes.get(base + EPOCH);
    }
  }

  private void foldStripe(int base, long second) {
    long counts = stripes.getAndSet(base + COUNTS, 0);
    long more = thresholdNanos.length > 1 ? stripes.getAndSet(base + MORE_SLOW, 0) : 0;
    if (counts != 0 || more != 0) {
      fold(second, counts, more);
    }
  }

  private void fold(long second, long counts, long more) {
    long calls = (counts >>> CALLS_SHIFT) & FIELD22;
    long errors = (counts >>> ERRORS_SHIFT) & FIELD21;
    long slow0 = (counts >>> SLOW0_SHIFT) & FIELD21;
    for (int r = 0; r < WIDTH.length; r++) {
      long bucket = Math.floorDiv(second, WIDTH[r]);
      int slot = (int) Math.floorMod(bucket, (long) (WINDOW_BUCKETS[r] + SPARE)) * words;
      long tag = bucket & TAG_MASK;
      slot += RING_START[r] * words;
      add(rings, slot, tag, calls);
      add(rings, slot + 1, tag, errors);
      if (thresholdNanos.length > 0) {
        add(rings, slot + 2, tag, slow0);
      }
      for (int t = 1; t < thresholdNanos.length; t++) {
        add(rings, slot + 2 + t, tag, (more >>> (21 * (t - 1))) & FIELD21);
      }
    }
  }

  /** Adds {@code delta} to a ring word for bucket {@code tag}, claiming the slot if it held an older bucket. */
  private static void add(long[] rings, int index, long tag, long delta) {
    while (true) {
      long word = (long) RING.getVolatile(rings, index);
      long held = word >>> (64 - TAG_BITS);
      long age = (tag - held) & TAG_MASK;
      long next;
      if (age == 0) {
        if (delta == 0) {
          return;
        }
        next = word + delta;
      } else if (age < (1L << (TAG_BITS - 1))) {
        next = (tag << (64 - TAG_BITS)) | (delta & COUNT_MASK); // the slot held an older bucket
      } else {
        return; // the slot already holds a newer bucket: this one is older than the ring keeps
      }
      if (RING.compareAndSet(rings, index, word, next)) {
        return;
      }
    }
  }

  private void addLatency(int base, int bucket) {
    // A stripe's run of equal-bucket latencies: (bucket + 1) in the top 16 bits, count below. The
    // run is updated with plain release stores, not atomics: only threads sharing a stripe can race
    // on it, and the histogram is for display, so a rare lost sample there is the price of keeping
    // a locked instruction off the hot path. Long runs are flushed early so no addition to the
    // histogram's 32-bit counts is near their range.
    long run = stripes.get(base + RUN);
    if ((run >>> 48) - 1 == bucket && (run & 0xffffffffffffL) < MAX_RUN) {
      stripes.setRelease(base + RUN, run + 1);
      return;
    }
    stripes.setRelease(base + RUN, ((long) (bucket + 1) << 48) | 1);
    if (run != 0) {
      histogram.getAndAdd((int) ((run >>> 48) - 1), (int) (run & 0xffffffffffffL));
    }
  }

  /**
   * Counts over the {@code windowSeconds} ending at {@code second}: {@code out[0]} calls,
   * {@code out[1]} errors, {@code out[2 + t]} slow against threshold t. Read again if the read raced
   * a move of stripe counts.
   *
   * <p>The window covers its whole duration at every moment: the buckets of the finest resolution
   * that holds it, from the current partial one back, and of the bucket just before them the share
   * that the window still covers, as a whole number (each counter rounded half up), assuming its
   * calls were spread evenly over it. The current second is taken as half gone. So at a steady
   * rate a window holds its duration of calls within half a second of traffic plus the rounding; a
   * window shorter than what has passed of the current bucket takes that share of it.
   *
   * @param second the window's last second (seconds since the recorder's origin), normally the
   *     current one
   * @param windowSeconds between 1 and {@link #MAX_WINDOW_SECONDS}
   */
  public void counts(long second, long windowSeconds, long[] out) {
    while (true) {
      long ended = stripes.get(moves + MOVES_ENDED);
      countsOnce(second, windowSeconds, false, out);
      if (stripes.get(moves + MOVES_STARTED) == ended) {
        return; // no move was under way while reading
      }
      Thread.onSpinWait();
    }
  }

  /**
   * Exact counts of the whole buckets that lie entirely within the {@code windowSeconds} ending at
   * {@code second} (the current partial bucket included, nothing apportioned): so nothing recorded
   * before second {@code second - windowSeconds + 1} counts. For windows that must start after a
   * moment, such as a reset; zeros when no whole bucket fits.
   *
   * @param windowSeconds between 0 and {@link #MAX_WINDOW_SECONDS}
   */
  public void countsWithin(long second, long windowSeconds, long[] out) {
    if (windowSeconds <= 0) {
      java.util.Arrays.fill(out, 0, words, 0);
      return;
    }
    while (true) {
      long ended = stripes.get(moves + MOVES_ENDED);
      countsOnce(second, windowSeconds, true, out);
      if (stripes.get(moves + MOVES_STARTED) == ended) {
        return;
      }
      Thread.onSpinWait();
    }
  }

  private void countsOnce(long second, long windowSeconds, boolean wholeBucketsOnly, long[] out) {
    int r = resolution(windowSeconds);
    long width = WIDTH[r];
    long current = Math.floorDiv(second, width);
    java.util.Arrays.fill(out, 0, words, 0);
    if (wholeBucketsOnly) {
      long firstSecond = second - windowSeconds + 1;
      addRange(r, Math.floorDiv(firstSecond + width - 1, width), current, out);
      return;
    }
    long phase = second - current * width; // whole seconds of the current bucket before this one
    // in half seconds: what the window needs from before the current bucket
    long needHalves = 2 * windowSeconds - (2 * phase + 1);
    if (needHalves <= 0) {
      addShare(r, current, 2 * windowSeconds, 2 * phase + 1, out);
      return;
    }
    long whole = needHalves / (2 * width);
    long rest = needHalves % (2 * width);
    addRange(r, current - whole, current, out);
    if (rest > 0) {
      addShare(r, current - whole - 1, rest, 2 * width, out);
    }
  }

  /** Adds the counts of resolution {@code r}'s buckets {@code first} to {@code last}, and of the stripes' seconds in them. */
  private void addRange(int r, long first, long last, long[] out) {
    if (first > last) {
      return;
    }
    long width = WIDTH[r];
    long windowFirst = first;
    long current = last;
    // Each coarser bucket holds exactly the sum of the finer buckets it spans (every fold adds to all
    // four resolutions), so the window's whole coarser buckets are read at the coarser resolution
    // and only its ragged ends at this one: at most 2 * (width ratio - 1) + 1 buckets per resolution.
    while (r + 1 < WIDTH.length) {
      long ratio = WIDTH[r + 1] / WIDTH[r];
      long coarseFirst = Math.floorDiv(first + ratio - 1, ratio);
      long coarseLast = Math.floorDiv(last + 1, ratio) - 1;
      if (coarseFirst > coarseLast) {
        break;
      }
      addBuckets(r, first, coarseFirst * ratio - 1, out);
      addBuckets(r, (coarseLast + 1) * ratio, last, out);
      r++;
      first = coarseFirst;
      last = coarseLast;
    }
    addBuckets(r, first, last, out);
    // the seconds still held by stripes
    for (int base = 0; base < stripeLongs; base += STRIPE_LONGS) {
      long epoch = stripes.get(base + EPOCH);
      if (epoch == NO_EPOCH) {
        continue;
      }
      long bucket = Math.floorDiv(epoch, width);
      if (bucket >= windowFirst && bucket <= current) {
        addStripe(base, out);
      }
    }
  }

  /**
   * Adds a stripe's counts for its second to {@code out}, reading its packed word once: a call
   * recorded meanwhile (one atomic add to that word) is then seen whole or not at all. Reading the
   * word once per counter let a read see a call's slow count without the call (Lincheck found it).
   */
  private void addStripe(int base, long[] out) {
    long counts = stripes.get(base + COUNTS);
    out[0] += (counts >>> CALLS_SHIFT) & FIELD22;
    out[1] += (counts >>> ERRORS_SHIFT) & FIELD21;
    if (words > 2) {
      out[2] += (counts >>> SLOW0_SHIFT) & FIELD21;
    }
    if (words > 3) {
      long more = stripes.get(base + MORE_SLOW);
      for (int w = 3; w < words; w++) {
        out[w] += (more >>> (21 * (w - 3))) & FIELD21;
      }
    }
  }

  /**
   * Adds {@code num / den} of each counter of resolution {@code r}'s bucket {@code b} (ring and
   * stripes together), rounded half up.
   */
  private void addShare(int r, long b, long num, long den, long[] out) {
    int slots = WINDOW_BUCKETS[r] + SPARE;
    int base = (RING_START[r] + (int) Math.floorMod(b, (long) slots)) * words;
    long tag = b & TAG_MASK;
    long width = WIDTH[r];
    // The bucket's whole counts first, each stripe's word read once (see addStripe), then the share
    // of each counter. At most 2 + MAX_THRESHOLDS = 5 counters, held in locals so nothing is allocated.
    long c0 = ringCount(base, tag, 0);
    long c1 = ringCount(base, tag, 1);
    long c2 = words > 2 ? ringCount(base, tag, 2) : 0;
    long c3 = words > 3 ? ringCount(base, tag, 3) : 0;
    long c4 = words > 4 ? ringCount(base, tag, 4) : 0;
    for (int s = 0; s < stripeLongs; s += STRIPE_LONGS) {
      long epoch = stripes.get(s + EPOCH);
      if (epoch != NO_EPOCH && Math.floorDiv(epoch, width) == b) {
        long counts = stripes.get(s + COUNTS);
        c0 += (counts >>> CALLS_SHIFT) & FIELD22;
        c1 += (counts >>> ERRORS_SHIFT) & FIELD21;
        c2 += (counts >>> SLOW0_SHIFT) & FIELD21;
        if (words > 3) {
          long more = stripes.get(s + MORE_SLOW);
          c3 += more & FIELD21;
          c4 += (more >>> 21) & FIELD21;
        }
      }
    }
    out[0] += share(c0, num, den);
    out[1] += share(c1, num, den);
    if (words > 2) {
      out[2] += share(c2, num, den);
    }
    if (words > 3) {
      out[3] += share(c3, num, den);
    }
    if (words > 4) {
      out[4] += share(c4, num, den);
    }
  }

  private long ringCount(int base, long tag, int w) {
    long word = (long) RING.getVolatile(rings, base + w);
    return (word >>> (64 - TAG_BITS)) == tag ? word & COUNT_MASK : 0;
  }

  /** {@code count * num / den}, rounded half up. */
  private static long share(long count, long num, long den) {
    return (count * num + den / 2) / den;
  }

  /** Adds the counts of resolution {@code r}'s buckets {@code first} to {@code last} (none if last < first). */
  private void addBuckets(int r, long first, long last, long[] out) {
    int start = RING_START[r] * words;
    int slots = WINDOW_BUCKETS[r] + SPARE;
    int slot = (int) Math.floorMod(first, (long) slots); // one division; then step through the ring
    for (long b = first; b <= last; b++) {
      int base = start + slot * words;
      long tag = b & TAG_MASK;
      for (int w = 0; w < words; w++) {
        long word = (long) RING.getVolatile(rings, base + w);
        if ((word >>> (64 - TAG_BITS)) == tag) {
          out[w] += word & COUNT_MASK;
        }
      }
      if (++slot == slots) {
        slot = 0;
      }
    }
  }

  /** The finest resolution whose ring holds a window of {@code windowSeconds}. */
  private static int resolution(long windowSeconds) {
    int r = 0;
    while ((windowSeconds + WIDTH[r] - 1) / WIDTH[r] > WINDOW_BUCKETS[r]) {
      r++;
    }
    return r;
  }

  /** The width, in seconds, of the buckets a window of {@code windowSeconds} is read from. */
  public static long bucketSeconds(long windowSeconds) {
    return WIDTH[resolution(windowSeconds)];
  }

  /** The length, in seconds, that {@link #counts} covers for a window of {@code windowSeconds}: all of it. */
  public static long coveredSeconds(long windowSeconds) {
    return windowSeconds;
  }

  /**
   * Adds the cumulative latency histogram (every call ever recorded) to {@code out}, bucket by
   * bucket. Counts wrap at 2^32 per bucket; the difference of two readings taken less than 2^32
   * calls apart, taken modulo 2^32, is exact.
   */
  public void latencyHistogram(long[] out) {
    for (int i = 0; i < LatencyBuckets.COUNT; i++) {
      out[i] += histogram.get(i) & 0xffffffffL;
    }
    for (int base = 0; base < stripeLongs; base += STRIPE_LONGS) {
      long run = stripes.get(base + RUN);
      if (run != 0) {
        out[(int) ((run >>> 48) - 1)] += run & 0xffffffffffffL;
      }
    }
  }

  /** Counters per bucket: 2 + the number of latency thresholds. */
  public int words() {
    return words;
  }

  /**
   * The whole seconds of {@code window}, rounded up, checked to lie between 1 s and the longest
   * window.
   */
  public static long windowSeconds(java.time.Duration window) {
    java.util.Objects.requireNonNull(window, "window");
    long seconds = window.toSeconds() + (window.toNanosPart() > 0 ? 1 : 0);
    if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
      throw new IllegalArgumentException("window must be between 1 s and " + java.time.Duration.ofSeconds(
          MAX_WINDOW_SECONDS) + ", got " + window);
    }
    return seconds;
  }

  /**
   * Counts of {@code s} (zeros when null) over the {@code windowSeconds} ending at {@code second}, but
   * nothing recorded {@code since} ago or earlier: until that moment is a bucket longer ago than the
   * window, the window is cut to the whole buckets that lie entirely within both the window and
   * {@code since} (so it may hold up to one bucket less); afterwards this is {@link #counts}.
   */
  public static void countsSince(Series s, long second, long windowSeconds, java.time.Duration since, long[] out) {
    if (s == null) {
      java.util.Arrays.fill(out, 0);
      return;
    }
    long sinceSeconds = Math.max(0, since.getSeconds());
    if (sinceSeconds < windowSeconds + bucketSeconds(windowSeconds)) {
      s.countsWithin(second, Math.min(sinceSeconds, windowSeconds), out);
    } else {
      s.counts(second, windowSeconds, out);
    }
  }

  // ---------------------------------------------------------------- fleet mode: deltas and mirrors

  /** Number of resolutions (10 s, 1 min, 10 min, 1 h). */
  public static final int RESOLUTIONS = WIDTH.length;

  /** The bucket width in seconds of resolution {@code r}, finest first. */
  public static long width(int r) {
    return WIDTH[r];
  }

  /** How many buckets a ring of resolution {@code r} keeps: the longest window it serves plus two spare. */
  public static int ringSlots(int r) {
    return WINDOW_BUCKETS[r] + SPARE;
  }

  /**
   * Exact counts of the finest (10-second) bucket that holds {@code second}, the stripes' counts
   * in it included: calls at 0, errors at 1, slow against threshold t at 2 + t. Zeros once the
   * bucket is older than its ring keeps. Read again if the read raced a move of stripe counts, like
   * {@link #counts}. For shipping what was recorded to a fleet store, bucket by bucket.
   */
  public void bucketCounts(long second, long[] out) {
    long bucket = Math.floorDiv(second, WIDTH[0]);
    while (true) {
      long ended = stripes.get(moves + MOVES_ENDED);
      java.util.Arrays.fill(out, 0, words, 0);
      addRange(0, bucket, bucket, out);
      if (stripes.get(moves + MOVES_STARTED) == ended) {
        return;
      }
      Thread.onSpinWait();
    }
  }

  /**
   * Sets bucket {@code bucket} of resolution {@code r} to {@code counts} (calls, errors, slow per
   * threshold), replacing what the slot held; a bucket older than the slot's is ignored. For a
   * series that mirrors buckets kept elsewhere (a fleet's sums, whose seconds are epoch seconds)
   * and is never {@linkplain #record recorded} to: every read of it then sees the buckets as set.
   * A mirror must be given each bucket at every resolution, as {@link #record} would fill them.
   */
  public void setBucket(int r, long bucket, long[] counts) {
    int slot = (RING_START[r] + (int) Math.floorMod(bucket, (long) (WINDOW_BUCKETS[r] + SPARE))) * words;
    long tag = bucket & TAG_MASK;
    for (int w = 0; w < words; w++) {
      long word = (long) RING.getVolatile(rings, slot + w);
      long held = word >>> (64 - TAG_BITS);
      long age = (tag - held) & TAG_MASK;
      if (word != 0 && age != 0 && age >= (1L << (TAG_BITS - 1))) {
        return; // the slot holds a newer bucket
      }
      RING.setVolatile(rings, slot + w, (tag << (64 - TAG_BITS)) | (counts[w] & COUNT_MASK));
    }
  }
}
