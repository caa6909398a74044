package dev.burnguard.internal.eval;

import dev.burnguard.time.Clock;
import dev.openfeature.sdk.EvaluationContext;

/**
 * The state of one targeting evaluation: the evaluation context, the current data scope inside
 * array operators, and whether a {@code fractional} split decided the result.
 *
 * <p>Concurrency: a frame belongs to one thread for the length of one evaluation. Frames are reused
 * per thread through {@link #acquire} so that evaluation does not allocate; evaluation never calls
 * user code, so a thread never needs two frames at once. Internal, not for public use.
 */
public final class Frame {
  private static final ThreadLocal<Frame> FRAMES = ThreadLocal.withInitial(Frame::new);

  EvaluationContext context;
  String flagKey;
  Clock clock;
  /** The data {@code var} reads from inside map/filter/reduce/all/some/none (may be null there). */
  Object scope;
  /** Whether evaluation is inside an array operator, where {@code var} reads {@link #scope}, not the context. */
  boolean scoped;
  boolean split;

  private Frame() {}

  /**
   * The calling thread's frame, reset for an evaluation of flag {@code flagKey} against {@code
   * context} (which may be null); {@code clock} answers {@code $flagd.timestamp}.
   */
  public static Frame acquire(EvaluationContext context, String flagKey, Clock clock) {
    Frame f = FRAMES.get();
    f.context = context;
    f.flagKey = flagKey;
    f.clock = clock;
    f.scope = null;
    f.scoped = false;
    f.split = false;
    return f;
  }

  /** Whether a {@code fractional} operator chose a bucket during this evaluation. */
  public boolean splitDecided() {
    return split;
  }

  /** Drops the reference to the context so that it can be collected. */
  public void release() {
    context = null;
    scope = null;
  }
}
