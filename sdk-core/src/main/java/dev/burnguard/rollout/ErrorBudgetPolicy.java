package dev.burnguard.rollout;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A service's error-budget policy: user-facing SLOs over journeys (checkout, search…) and what
 * guarded rollouts may do while those SLOs' error budgets are spent. Declared in the flag file's
 * top-level {@code "slos"} and {@code "errorBudgetPolicy"} members (see the README, "Error-budget
 * policy") or built in code.
 *
 * <p><b>Budget arithmetic.</b> An SLO over a {@linkplain Period period} allows {@code (1 −
 * objective) × calls} bad calls, where calls and bad calls are the journey's exact counts in that
 * period (a bad call is a failed one for an availability SLO, one slower than the threshold for a
 * latency SLO). The share spent is {@code bad / allowed}; with no calls nothing is allowed and
 * nothing spent (0 %). Counts are kept per UTC hour, so periods are whole hours. A threshold trips
 * when {@code bad ≥ spent% × allowed}, compared exactly in decimal.
 *
 * <p><b>Policy.</b> The highest {@link Threshold} whose share the most spent SLO reaches applies to
 * every governed rollout: {@link Action#HOLD} stops advances beyond the current stage (ADVANCE and
 * COMPLETE are held; a re-probe of the stage a rollout shrank from is still allowed), {@link
 * Action#FREEZE} stops every rise of exposure (re-probes too) and shrinks every governed rollout
 * still ramping (RAMPING, or COOLING_DOWN after a shrink) beyond its first stage back to its first
 * stage — a SHRINK by the guardian whose reason gives the budget's numbers — so rollouts stay at
 * their first stage while it holds; a rollout that finished ramping (WATCHING, COMPLETED), a paused
 * one and one with an override in force are left as they are. Shrinks and rollbacks are never held.
 * A person may let one rollout past the policy for its next advance ({@code
 * rollouts().overrideBudgetPolicy}).
 *
 * <p>Immutable; build with {@link #builder()}.
 */
public final class ErrorBudgetPolicy {
  private final Map<String, ServiceSlo> slos;
  private final List<String> governedSlos;
  private final Set<String> governedFlags;
  private final List<Threshold> thresholds;

  private ErrorBudgetPolicy(Builder b) {
    this.slos = Collections.unmodifiableMap(new LinkedHashMap<>(b.slos));
    this.governedSlos = b.governedSlos == null ? List.copyOf(slos.keySet()) : List.copyOf(b.governedSlos);
    this.governedFlags = b.governedFlags == null ? null : Set.copyOf(b.governedFlags);
    List<Threshold> sorted = new ArrayList<>(b.thresholds);
    sorted.sort(Comparator.comparing(Threshold::spentPercent));
    this.thresholds = List.copyOf(sorted);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every declared SLO by name, in declaration order (also those the policy does not govern by). */
  public Map<String, ServiceSlo> slos() {
    return slos;
  }

  /** The names of the SLOs whose budgets the policy reads; all declared SLOs unless listed. */
  public List<String> governedSlos() {
    return governedSlos;
  }

  /** Whether the policy governs {@code flagKey}'s rollout: every rollout, unless flags were listed. */
  public boolean governs(String flagKey) {
    return governedFlags == null || governedFlags.contains(flagKey);
  }

  /** The flags the policy governs, when listed; empty when it governs every rollout. */
  public Optional<Set<String>> governedFlags() {
    return Optional.ofNullable(governedFlags);
  }

  /** The thresholds, lowest share first. */
  public List<Threshold> thresholds() {
    return thresholds;
  }

  /** The journeys the SLOs are declared over. */
  public Set<String> journeys() {
    Set<String> journeys = new java.util.LinkedHashSet<>();
    slos.values().forEach(s -> journeys.add(s.journey()));
    return Collections.unmodifiableSet(journeys);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ErrorBudgetPolicy && ((ErrorBudgetPolicy) o).slos.equals(slos)
        && ((ErrorBudgetPolicy) o).governedSlos.equals(governedSlos)
        && Objects.equals(((ErrorBudgetPolicy) o).governedFlags, governedFlags)
        && ((ErrorBudgetPolicy) o).thresholds.equals(thresholds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(slos, governedSlos, governedFlags, thresholds);
  }

  @Override
  public String toString() {
    return "ErrorBudgetPolicy" + slos.keySet() + " " + thresholds + (governedFlags == null ? " all rollouts"
        : " rollouts " + governedFlags);
  }

  /** What a tripped threshold does to the governed rollouts. */
  public enum Action {
    /** No advance beyond the current stage (ADVANCE and COMPLETE held; re-probes allowed). */
    HOLD,
    /**
     * No rise of exposure at all (advances and re-probes held), and rollouts still ramping beyond
     * their first stage are shrunk back to it.
     */
    FREEZE
  }

  /**
   * At {@code spentPercent} % of an SLO's budget spent or more, {@code action}.
   *
   * @param spentPercent a share of the budget in percent, above 0 (may exceed 100)
   */
  public record Threshold(double spentPercent, Action action) {
    public Threshold {
      Objects.requireNonNull(action, "action");
      if (!(spentPercent > 0) || Double.isInfinite(spentPercent)) {
        throw new IllegalArgumentException("a threshold's spent share must be a percentage above 0, e.g. 75, got "
            + spentPercent);
      }
    }
  }

  /**
   * A budget period, UTC: a rolling number of whole hours (the current hour and the ones before it),
   * or the calendar month so far.
   */
  public static final class Period {
    /** The longest rolling period, and the longest month: 31 days. */
    public static final Duration MAX = Duration.ofDays(31);
    private static final Period CALENDAR_MONTH = new Period(null);
    private final Duration rolling;

    private Period(Duration rolling) {
      this.rolling = rolling;
    }

    /** A rolling period of whole hours, from 1 hour to {@link #MAX}, e.g. 28 days. */
    public static Period rolling(Duration length) {
      Objects.requireNonNull(length, "length");
      if (length.compareTo(Duration.ofHours(1)) < 0 || length.compareTo(MAX) > 0 || length.toSeconds() % 3600 != 0
          || length.getNano() != 0) {
        throw new IllegalArgumentException("a rolling budget period must be whole hours from 1h to 31d, e.g. \"28d\", got "
            + length);
      }
      return new Period(length);
    }

    /** The calendar month, UTC: from its first hour to now. */
    public static Period calendarMonth() {
      return CALENDAR_MONTH;
    }

    /** The rolling length; empty for the calendar month. */
    public Optional<Duration> rollingLength() {
      return Optional.ofNullable(rolling);
    }

    /** The first hour (hours since the epoch, UTC) the period covers at {@code now}. */
    public long firstHour(Instant now) {
      long hour = Math.floorDiv(now.getEpochSecond(), 3600);
      if (rolling != null) {
        return hour - rolling.toHours() + 1;
      }
      ZonedDateTime month = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
      return month.toEpochSecond() / 3600;
    }

    /** "28 d", "36 h" or "calendar month". */
    @Override
    public String toString() {
      if (rolling == null) {
        return "calendar month";
      }
      return rolling.toHours() % 24 == 0 ? rolling.toDays() + " d" : rolling.toHours() + " h";
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Period && Objects.equals(((Period) o).rolling, rolling);
    }

    @Override
    public int hashCode() {
      return Objects.hashCode(rolling);
    }
  }

  /**
   * A user-facing SLO over one journey's outcomes: availability ({@code latencyThreshold} empty: a
   * bad call is a failed one), or latency ("{@code objective} of calls within {@code
   * latencyThreshold}": a bad call is a slower one; "p95 &lt; 400 ms" is objective 0.95).
   *
   * @param name the SLO's name, as the flag file declares it
   * @param journey the journey whose outcomes it counts
   * @param objective the fraction of calls that must be good, in (0, 1), e.g. 0.999
   * @param latencyThreshold for a latency SLO, the threshold; null for availability
   * @param period the budget period
   */
  public record ServiceSlo(String name, String journey, double objective, @Nullable Duration latencyThreshold,
      Period period) {
    public ServiceSlo {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(journey, "journey");
      Objects.requireNonNull(period, "period");
      if (name.isEmpty() || journey.isEmpty()) {
        throw new IllegalArgumentException("an SLO needs a name and a journey, got \"" + name + "\", \"" + journey + "\"");
      }
      if (!(objective > 0 && objective < 1)) {
        throw new IllegalArgumentException("an SLO objective must be a fraction in (0, 1), e.g. 0.999, got " + objective);
      }
      if (latencyThreshold != null && (latencyThreshold.isNegative() || latencyThreshold.isZero())) {
        throw new IllegalArgumentException("latency threshold must be positive, got " + latencyThreshold);
      }
    }

    /** The budget: how many bad calls {@code calls} allow, {@code (1 − objective) × calls}, exactly. */
    public BigDecimal allowedBadCalls(long calls) {
      return BigDecimal.ONE.subtract(new BigDecimal(Double.toString(objective))).multiply(BigDecimal.valueOf(calls));
    }

    /** Whether a call of {@code latencyNanos} with {@code failed} is bad for this SLO. */
    public boolean bad(long latencyNanos, boolean failed) {
      return latencyThreshold == null ? failed : latencyNanos > latencyThreshold.toNanos();
    }
  }

  /**
   * One SLO's budget at one moment: the journey's exact counts in the period and the share spent.
   *
   * @param slo the SLO
   * @param calls the journey's calls in the period
   * @param badCalls its bad calls in the period
   * @param from the start of the period (a whole UTC hour)
   */
  public record Budget(ServiceSlo slo, long calls, long badCalls, Instant from) {
    /** The bad calls the period's traffic allows, {@code (1 − objective) × calls}, exactly. */
    public BigDecimal allowedBadCalls() {
      return slo.allowedBadCalls(calls);
    }

    /**
     * The share of the budget spent as a <b>fraction</b>, {@code bad / allowed} (0 without calls;
     * may exceed 1): 0.75 is the "75 % spent" that {@link #reached(double) reached(75)} compares in
     * percent, as the file's thresholds are written.
     */
    public double spent() {
      BigDecimal allowed = allowedBadCalls();
      if (allowed.signum() == 0) {
        return badCalls == 0 ? 0 : Double.POSITIVE_INFINITY;
      }
      return BigDecimal.valueOf(badCalls).divide(allowed, 12, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** Whether at least {@code spentPercent} % of the budget is spent: {@code bad × 100 ≥ spentPercent × allowed}, exactly. */
    public boolean reached(double spentPercent) {
      if (calls == 0) {
        return false;
      }
      return BigDecimal.valueOf(badCalls).movePointRight(2)
          .compareTo(new BigDecimal(Double.toString(spentPercent)).multiply(allowedBadCalls())) >= 0;
    }

    /** "82.4 % spent (824 of 1,000 allowed bad calls in 28 d)". */
    public String describe() {
      BigDecimal allowed = allowedBadCalls().stripTrailingZeros();
      String allowedText = allowed.scale() <= 0 ? String.format(Locale.ROOT, "%,d", allowed.longValueExact())
          : String.format(Locale.ROOT, "%,.1f", allowed);
      return String.format(Locale.ROOT, "%.1f %% spent (%,d of %s allowed bad calls in %s)", spent() * 100, badCalls,
          allowedText, slo.period());
    }
  }

  /** Builds a policy; the SLOs and thresholds are checked as they are added, the references in {@link #build()}. */
  public static final class Builder {
    private final Map<String, ServiceSlo> slos = new LinkedHashMap<>();
    private List<String> governedSlos;
    private List<String> governedFlags;
    private final List<Threshold> thresholds = new ArrayList<>();

    private Builder() {
    }

    /** Declares an SLO; its name must be new. */
    public Builder slo(ServiceSlo slo) {
      Objects.requireNonNull(slo, "slo");
      if (slos.containsKey(slo.name())) {
        throw new IllegalArgumentException("SLO \"" + slo.name() + "\" is declared twice");
      }
      slos.put(slo.name(), slo);
      return this;
    }

    /** The SLOs whose budgets the policy reads (default: every declared one). */
    public Builder governedSlos(List<String> names) {
      this.governedSlos = List.copyOf(names);
      return this;
    }

    /** The rollouts the policy governs (default: every rollout). */
    public Builder governedFlags(List<String> flagKeys) {
      this.governedFlags = List.copyOf(flagKeys);
      return this;
    }

    public Builder threshold(double spentPercent, Action action) {
      Threshold t = new Threshold(spentPercent, action);
      for (Threshold other : thresholds) {
        if (other.spentPercent() == spentPercent) {
          throw new IllegalArgumentException("two thresholds at " + spentPercent + " % spent");
        }
      }
      thresholds.add(t);
      return this;
    }

    /**
     * A policy without thresholds only keeps the SLOs' budgets (for dashboards and reports).
     *
     * @throws IllegalArgumentException without SLOs, or when a governed SLO is not declared
     */
    public ErrorBudgetPolicy build() {
      if (slos.isEmpty()) {
        throw new IllegalArgumentException("an error-budget policy needs at least one SLO");
      }
      if (governedSlos != null) {
        for (String name : governedSlos) {
          if (!slos.containsKey(name)) {
            throw new IllegalArgumentException("the policy names SLO \"" + name + "\", which is not declared (SLOs: "
                + String.join(", ", slos.keySet()) + ")");
          }
        }
      }
      return new ErrorBudgetPolicy(this);
    }
  }
}
