package dev.burnguard.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * A multiwindow burn-rate rule (Google SRE Workbook, "Alerting on SLOs"): it fires when the
 * candidate burns its error budget faster than {@code factor} times the sustainable rate over both
 * the long and the short window. At a constant error ratio e over windows full of healthy traffic
 * it fires after {@code longWindow × factor × (1 − objective) / e}.
 *
 * @param longWindow the window that makes the rule significant (e.g. 1 h)
 * @param shortWindow the window that makes it reset quickly once the burn stops (usually long / 12)
 * @param factor the burn rate that fires the rule (e.g. 14.4: 2 % of a 30-day budget in 1 h)
 * @param action what firing does
 */
public record BurnRateRule(Duration longWindow, Duration shortWindow, double factor, RuleAction action) {
  public BurnRateRule {
    Objects.requireNonNull(longWindow, "longWindow");
    Objects.requireNonNull(shortWindow, "shortWindow");
    Objects.requireNonNull(action, "action");
    if (longWindow.compareTo(Duration.ofSeconds(10)) < 0 || longWindow.compareTo(Duration.ofHours(72)) > 0) {
      throw new IllegalArgumentException("a rule's long window must be between 10 s and 72 h, got " + longWindow);
    }
    if (shortWindow.compareTo(Duration.ofSeconds(10)) < 0 || shortWindow.compareTo(longWindow) > 0) {
      throw new IllegalArgumentException("a rule's short window must be between 10 s and the long window ("
          + longWindow + "), got " + shortWindow);
    }
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("a rule's burn-rate factor must be positive, got " + factor);
    }
  }

  /** The SRE Workbook's page-worthy rule: 1 h / 5 min at 14.4 (2 % of a 30-day budget in an hour). */
  public static BurnRateRule fastBurn(RuleAction action) {
    return new BurnRateRule(Duration.ofHours(1), Duration.ofMinutes(5), 14.4, action);
  }

  /** The SRE Workbook's second rule: 6 h / 30 min at 6 (5 % of a 30-day budget in 6 hours). */
  public static BurnRateRule slowBurn(RuleAction action) {
    return new BurnRateRule(Duration.ofHours(6), Duration.ofMinutes(30), 6, action);
  }

  /** e.g. {@code 1h/5m x14.4 -> ROLLBACK}. */
  @Override
  public String toString() {
    return compact(longWindow) + "/" + compact(shortWindow) + " x" + factor + " -> " + action;
  }

  /** A duration the way people write it: 90s, 5m, 1h, 1h30m. */
  public static String compact(Duration d) {
    StringBuilder sb = new StringBuilder();
    long h = d.toHours();
    int m = d.toMinutesPart();
    int s = d.toSecondsPart();
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (s > 0 || sb.length() == 0) {
      sb.append(s).append('s');
    }
    return sb.toString();
  }
}
