package dev.burnguard.outcome;

import dev.burnguard.time.Clock;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ProviderEvaluation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a risky code path in a flag: evaluates the flag, runs the branch for the variant served,
 * times it and records how it ended against that variant, for the guard to judge the variant by.
 *
 * <pre>{@code
 * Guard guard = Guard.builder(provider, recorder)
 *     .resultClassifier(r -> r instanceof HttpResponse<?> h && h.statusCode() >= 500)
 *     .errorAfter(Duration.ofMillis(300))
 *     .build();
 *
 * Receipt receipt = guard.call("new-checkout", ctx,
 *     () -> newCheckout.pay(order),     // flag true: the candidate
 *     () -> oldCheckout.pay(order));    // flag false: the control
 * }</pre>
 *
 * <p>The flag is evaluated directly on the {@link FeatureProvider}, any provider: no OpenFeature
 * client, no hooks, no events, since this is the hot path. The served branch is timed with the
 * guard's {@link Clock} and its outcome is {@link Outcome#ERROR} when it throws (anything, including
 * an {@link Error}), when the {@linkplain Builder#resultClassifier result classifier} says so, or
 * when it took longer than {@linkplain Builder#errorAfter errorAfter}; otherwise
 * {@link Outcome#SUCCESS}. The outcome is recorded with
 * {@code recorder.recordCall(flagKey, evaluation.getVariant(), start, end, outcome)}, start and end
 * being the guard clock's readings around the branch: give the guard the recorder's clock
 * ({@code BurnguardProvider.guard()} does).
 *
 * <p><b>Nothing is recorded</b> when the evaluation fails (an error code, such as FLAG_NOT_FOUND,
 * PROVIDER_NOT_READY or TYPE_MISMATCH, or a provider that throws or returns nothing): the control
 * (or {@code otherwise}) branch runs, untimed, because there is no variant to blame. Nothing is
 * recorded either when the evaluation names no variant (a disabled flag, a flag without a default
 * variant): the branch the value selects runs, and fallback still applies, but there is no series
 * to record into.
 *
 * <p>The guard never adds an exception of its own to the caller's path: the provider, the result
 * classifier and the recorder are each called inside a try/catch that contains their exceptions
 * (Errors are not swallowed) and does not log. The only exceptions a call throws are those of the
 * caller's branches, rethrown as the same instance, and a {@link NullPointerException} for a null
 * flag key or branch, checked on every call whichever branch the flag serves, so that a missing
 * branch fails in the first test and not when a rollout first reaches it.
 *
 * <p>Concurrency: immutable after {@link Builder#build()}; one guard serves any number of threads
 * and flags. It shares the provider, the recorder, the clock and the classifier between all calls
 * and keeps no state of its own per call, so a call takes no lock and, beyond what the provider
 * and the branches do, does not block or allocate. The classifier is called from every calling
 * thread and must be thread-safe; the provider and recorder are thread-safe by contract.
 */
public final class Guard {
  /** {@code errorAfterNanos} when no latency threshold is set: no call is that slow. */
  private static final long NO_LATENCY_LIMIT = Long.MAX_VALUE;

  private final FeatureProvider provider;
  private final OutcomeRecorder recorder;
  private final Clock clock;
  private final Predicate<Object> resultClassifier;
  private final long errorAfterNanos;
  private final boolean fallbackToControl;
  /** The journey every recorded call also counts for, or null. */
  private final String journey;

  private Guard(Builder b) {
    this.provider = b.provider;
    this.recorder = b.recorder;
    this.clock = b.clock;
    this.resultClassifier = b.resultClassifier;
    this.errorAfterNanos = b.errorAfterNanos;
    this.fallbackToControl = b.fallbackToControl;
    this.journey = b.journey;
  }

  /**
   * Starts building a guard that resolves flags with {@code provider} (any OpenFeature provider, not
   * only Burnguard's) and records outcomes into {@code recorder}.
   */
  public static Builder builder(FeatureProvider provider, OutcomeRecorder recorder) {
    return new Builder(provider, recorder);
  }

  /** A branch that returns a result; lambdas that throw no checked exception infer {@code X = RuntimeException}. */
  @FunctionalInterface
  public interface Branch<T, X extends Exception> {
    T call() throws X;
  }

  /** A branch that returns nothing; see {@link Guard#run}. */
  @FunctionalInterface
  public interface VoidBranch<X extends Exception> {
    void run() throws X;
  }

  /** A branch of a {@link Variants} table; it takes the input given to {@link Guard#dispatch}. */
  @FunctionalInterface
  public interface VariantBranch<I, T, X extends Exception> {
    T call(I input) throws X;
  }

  /**
   * Evaluates boolean flag {@code flagKey} for {@code ctx} and runs {@code candidate} when it is
   * true, {@code control} when it is false, recording the outcome against the variant served.
   *
   * <p>When the candidate throws an {@link Exception} (other than an {@link InterruptedException})
   * and the guard {@linkplain Builder#fallbackToControl falls back to control}, the candidate's
   * ERROR is recorded, with its latency up to the throw; then the control runs and its result (or
   * exception) is the caller's. The control's run is not recorded: the caller was assigned to the
   * candidate, so counting the call in the control variant's series would add to the control's
   * traffic requests it was not assigned, picked by the candidate's failures, and skew the baseline
   * the candidate is judged against (nor does the evaluation name the control's variant for this
   * context). When the control throws too, its exception reaches the caller as it is: the
   * candidate's is not attached as suppressed, since it was counted as the candidate's ERROR and
   * exception instances may be shared.
   *
   * @return the result of the branch that ran
   * @throws X whatever the branch that ran threw, the same instance
   */
  public <T, X extends Exception> T call(String flagKey, EvaluationContext ctx, Branch<T, X> candidate,
      Branch<T, X> control) throws X {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(control, "control");
    ProviderEvaluation<Boolean> evaluation = evaluateBoolean(flagKey, ctx);
    if (evaluation == null) {
      return control.call();
    }
    String variant = evaluation.getVariant();
    boolean candidateServed = Boolean.TRUE.equals(evaluation.getValue());
    long start = clock.monotonicNanos();
    T result;
    try {
      result = candidateServed ? candidate.call() : control.call();
    } catch (Throwable t) {
      recordFailure(flagKey, variant, start);
      if (candidateServed && fallsBack(t)) {
        return control.call();
      }
      throw t;
    }
    recordResult(flagKey, variant, start, result);
    return result;
  }

  /**
   * {@link #call} for branches that return nothing. There is no result to classify, so only an
   * exception or {@linkplain Builder#errorAfter errorAfter} makes an ERROR.
   *
   * @throws X whatever the branch that ran threw, the same instance
   */
  public <X extends Exception> void run(String flagKey, EvaluationContext ctx, VoidBranch<X> candidate,
      VoidBranch<X> control) throws X {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(control, "control");
    ProviderEvaluation<Boolean> evaluation = evaluateBoolean(flagKey, ctx);
    if (evaluation == null) {
      control.run();
      return;
    }
    String variant = evaluation.getVariant();
    boolean candidateServed = Boolean.TRUE.equals(evaluation.getValue());
    long start = clock.monotonicNanos();
    try {
      if (candidateServed) {
        candidate.run();
      } else {
        control.run();
      }
    } catch (Throwable t) {
      recordFailure(flagKey, variant, start);
      if (candidateServed && fallsBack(t)) {
        control.run();
        return;
      }
      throw t;
    }
    recordLatency(flagKey, variant, start);
  }

  /**
   * Evaluates multi-variant flag {@code flagKey} for {@code ctx} as a string and runs the branch
   * {@code variants} holds for the variant served (by variant name, not value), passing it
   * {@code input}; {@code variants}' {@code otherwise} branch runs for a variant without a branch
   * of its own, for an evaluation without a variant and for a failed evaluation. A run of
   * {@code otherwise} for a served variant is recorded against that variant; nothing is recorded
   * without a variant or after a failed evaluation.
   *
   * <p>{@code otherwise} plays the control: with {@linkplain Builder#fallbackToControl fallback},
   * when a variant's own branch throws an {@link Exception}, its ERROR is recorded and
   * {@code otherwise} runs, unrecorded, for the reasons given at {@link #call}.
   *
   * <p>Build the {@link Variants} table once and pass per-call data as {@code input}, so that a call
   * allocates nothing.
   *
   * @throws X whatever the branch that ran threw, the same instance
   */
  public <I, T, X extends Exception> T dispatch(String flagKey, EvaluationContext ctx, Variants<I, T, X> variants,
      I input) throws X {
    Objects.requireNonNull(flagKey, "flagKey");
    Objects.requireNonNull(variants, "variants");
    ProviderEvaluation<String> evaluation = evaluateString(flagKey, ctx);
    VariantBranch<I, T, X> otherwise = variants.otherwise;
    if (evaluation == null) {
      return otherwise.call(input);
    }
    String variant = evaluation.getVariant();
    VariantBranch<I, T, X> own = variant == null ? null : variants.byVariant.get(variant);
    long start = clock.monotonicNanos();
    T result;
    try {
      result = own != null ? own.call(input) : otherwise.call(input);
    } catch (Throwable t) {
      recordFailure(flagKey, variant, start);
      if (own != null && fallsBack(t)) {
        return otherwise.call(input);
      }
      throw t;
    }
    recordResult(flagKey, variant, start, result);
    return result;
  }

  /**
   * Whether a candidate that threw {@code t} gives way to the control: with fallback on, for any
   * {@link Exception} but an {@link InterruptedException}, which asks the thread to stop rather
   * than reports a broken candidate (running the control then would ignore the request and lose
   * the interrupt). Errors always propagate.
   */
  private boolean fallsBack(Throwable t) {
    return fallbackToControl && t instanceof Exception && !(t instanceof InterruptedException);
  }

  /** The evaluation, or null when it failed; never throws. */
  private ProviderEvaluation<Boolean> evaluateBoolean(String flagKey, EvaluationContext ctx) {
    try {
      ProviderEvaluation<Boolean> evaluation = provider.getBooleanEvaluation(flagKey, Boolean.FALSE, ctx);
      // instanceof also rejects a null value and, inside this try, a provider's non-Boolean value
      return evaluation != null && evaluation.getErrorCode() == null && evaluation.getValue() instanceof Boolean
          ? evaluation : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** The evaluation, or null when it failed; never throws. */
  private ProviderEvaluation<String> evaluateString(String flagKey, EvaluationContext ctx) {
    try {
      ProviderEvaluation<String> evaluation = provider.getStringEvaluation(flagKey, "", ctx);
      return evaluation != null && evaluation.getErrorCode() == null ? evaluation : null;
    } catch (Exception e) {
      return null;
    }
  }

  private void recordFailure(String flagKey, String variant, long startNanos) {
    if (variant != null) {
      record(flagKey, variant, startNanos, clock.monotonicNanos(), Outcome.ERROR);
    }
  }

  private void recordLatency(String flagKey, String variant, long startNanos) {
    if (variant != null) {
      long end = clock.monotonicNanos();
      record(flagKey, variant, startNanos, end, end - startNanos > errorAfterNanos ? Outcome.ERROR : Outcome.SUCCESS);
    }
  }

  private void recordResult(String flagKey, String variant, long startNanos, Object result) {
    if (variant != null) {
      long end = clock.monotonicNanos();
      record(flagKey, variant, startNanos, end,
          end - startNanos > errorAfterNanos || isErrorResult(result) ? Outcome.ERROR : Outcome.SUCCESS);
    }
  }

  /**
   * Whether the classifier calls {@code result} an error. A classifier that throws counts the call
   * as an ERROR: a result the classifier cannot judge is not known to be good, and when it throws
   * for both variants alike the guard sees a shared cause rather than a bad candidate.
   */
  private boolean isErrorResult(Object result) {
    if (resultClassifier == null) {
      return false;
    }
    try {
      return resultClassifier.test(result);
    } catch (Exception e) {
      return true;
    }
  }

  private void record(String flagKey, String variant, long startNanos, long endNanos, Outcome outcome) {
    try {
      recorder.recordCall(flagKey, variant, startNanos, endNanos, outcome);
      if (journey != null) {
        recorder.recordJourney(journey, endNanos - startNanos, outcome);
      }
    } catch (Exception e) {
      // Contained: a recorder must not fail the caller's call, and the call path does not log.
    }
  }

  /**
   * An immutable table of branches by variant name, with the {@code otherwise} branch that runs
   * for any other variant, for {@link Guard#dispatch}. Build it once, e.g. in a field:
   *
   * <pre>{@code
   * static final Guard.Variants<Request, Page, IOException> LAYOUTS =
   *     Guard.Variants.builder(Pages::classic)     // otherwise: the control
   *         .on("grid", Pages::grid)
   *         .on("list", Pages::list)
   *         .build();
   * Page page = guard.dispatch("layout", ctx, LAYOUTS, request);
   * }</pre>
   *
   * <p>Thread-safe: immutable.
   */
  public static final class Variants<I, T, X extends Exception> {
    private final Map<String, VariantBranch<I, T, X>> byVariant;
    private final VariantBranch<I, T, X> otherwise;

    private Variants(Map<String, VariantBranch<I, T, X>> byVariant, VariantBranch<I, T, X> otherwise) {
      this.byVariant = Map.copyOf(byVariant);
      this.otherwise = otherwise;
    }

    /** Starts a table whose {@code otherwise} branch runs for every variant without a branch of its own. */
    public static <I, T, X extends Exception> Builder<I, T, X> builder(VariantBranch<I, T, X> otherwise) {
      return new Builder<>(otherwise);
    }

    /** Builds a {@link Variants} table; needs at least one variant. */
    public static final class Builder<I, T, X extends Exception> {
      private final Map<String, VariantBranch<I, T, X>> byVariant = new HashMap<>();
      private final VariantBranch<I, T, X> otherwise;

      private Builder(VariantBranch<I, T, X> otherwise) {
        this.otherwise = Objects.requireNonNull(otherwise, "otherwise");
      }

      /** Runs {@code branch} when the flag serves the variant named {@code variant}; once per variant. */
      public Builder<I, T, X> on(String variant, VariantBranch<I, T, X> branch) {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(branch, "branch of variant \"" + variant + "\"");
        if (byVariant.containsKey(variant)) {
          throw new IllegalArgumentException("variant \"" + variant + "\" already has a branch");
        }
        byVariant.put(variant, branch);
        return this;
      }

      public Variants<I, T, X> build() {
        if (byVariant.isEmpty()) {
          throw new IllegalStateException("a Variants table needs at least one variant's branch besides otherwise");
        }
        return new Variants<>(byVariant, otherwise);
      }
    }
  }

  /**
   * Builds a {@link Guard}. Defaults: {@link Clock#system()}, no result classifier, no latency
   * threshold, no fallback (a candidate's exception is the caller's).
   */
  public static final class Builder {
    private final FeatureProvider provider;
    private final OutcomeRecorder recorder;
    private Clock clock = Clock.system();
    private Predicate<Object> resultClassifier;
    private long errorAfterNanos = NO_LATENCY_LIMIT;
    private boolean fallbackToControl;
    private String journey;

    private Builder(FeatureProvider provider, OutcomeRecorder recorder) {
      this.provider = Objects.requireNonNull(provider, "provider");
      this.recorder = Objects.requireNonNull(recorder, "recorder");
    }

    /** The clock that times branches, by {@link Clock#monotonicNanos()}; inject a ManualClock in tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Says which results are errors, e.g. {@code r -> r instanceof HttpResponse<?> h && h.statusCode() >= 500};
     * it sees every returned result, null included, of {@link Guard#call} and {@link Guard#dispatch}.
     * A classifier that throws counts the call as an ERROR; its exception is not the caller's.
     * Called from every calling thread: it must be thread-safe, and should be as cheap as the
     * guard (no allocation, no blocking).
     */
    public Builder resultClassifier(Predicate<Object> classifier) {
      this.resultClassifier = Objects.requireNonNull(classifier, "resultClassifier");
      return this;
    }

    /**
     * Counts a call that took longer than {@code threshold} as an ERROR even though it returned;
     * positive. A call that took exactly {@code threshold} is not slower than it.
     */
    public Builder errorAfter(Duration threshold) {
      Objects.requireNonNull(threshold, "errorAfter");
      if (threshold.isZero() || threshold.isNegative()) {
        throw new IllegalArgumentException("errorAfter must be positive, got " + threshold);
      }
      this.errorAfterNanos = saturatedNanos(threshold);
      return this;
    }

    /**
     * When true, a candidate that throws an {@link Exception} (other than an
     * {@link InterruptedException}) is recorded as an ERROR and then the control runs and answers
     * the caller; when false (the default) the candidate's exception is the caller's.
     * {@link Error}s always propagate.
     */
    public Builder fallbackToControl(boolean fallback) {
      this.fallbackToControl = fallback;
      return this;
    }

    /**
     * Also counts every recorded call as a call of user journey {@code journey} (see
     * {@link OutcomeRecorder#recordJourney}), for the service SLOs declared over it; null (the
     * default) for none.
     */
    public Builder journey(@Nullable String journey) {
      this.journey = journey;
      return this;
    }

    public Guard build() {
      return new Guard(this);
    }

    private static long saturatedNanos(Duration d) {
      try {
        return d.toNanos();
      } catch (ArithmeticException overflow) {
        return NO_LATENCY_LIMIT;
      }
    }
  }

  /**
   * Records how calls served by a flag's variant ended, for the guard to judge the variant by.
   *
   * <p>Implementations never throw, never block, never log and do not allocate per call: recording
   * sits on the hot path of every guarded request.
   */
  public interface OutcomeRecorder {
    /**
     * Records one call of {@code flagKey}'s variant {@code variant}.
     *
     * @param latencyNanos how long the call took, in nanoseconds (negative values count as 0)
     * @param outcome whether it succeeded
     */
    void record(String flagKey, String variant, long latencyNanos, Outcome outcome);

    /**
     * Records one call that started and ended at the given {@code monotonicNanos} readings of the
     * recorder's clock. Callers that time calls themselves (such as a Guard) use this form, so the
     * recorder need not read the clock again to place the call in time.
     */
    default void recordCall(String flagKey, String variant, long startNanos, long endNanos, Outcome outcome) {
      record(flagKey, variant, endNanos - startNanos, outcome);
    }

    /**
     * Records one call of a user journey (checkout, search…) for the service SLOs declared over it
     * (the flag file's {@code "slos"}, see the README's "Error-budget policy"): counted, per hour, by
     * each SLO of that journey; a journey without SLOs is ignored. Same rules as {@link #record}:
     * never throws, blocks, logs or allocates. Recorders that keep no journeys (this default) ignore it.
     *
     * @param journey the journey's name, as the SLOs name it
     * @param latencyNanos how long the call took, in nanoseconds (negative values count as 0)
     * @param outcome whether it succeeded
     */
    default void recordJourney(String journey, long latencyNanos, Outcome outcome) {
    }

    /** Records one call; see {@link #record(String, String, long, Outcome)}. */
    default void record(String flagKey, String variant, Duration latency, Outcome outcome) {
      record(flagKey, variant, latency == null ? 0 : saturatedNanos(latency), outcome);
    }

    private static long saturatedNanos(Duration d) {
      try {
        return d.toNanos();
      } catch (ArithmeticException overflow) {
        return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
    }
  }
}
