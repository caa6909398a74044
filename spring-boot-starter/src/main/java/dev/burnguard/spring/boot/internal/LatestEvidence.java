package dev.burnguard.spring.boot.internal;

import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RuleCheck;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Internal, not for public use. The burn rates the guardian last judged each rollout on: the rule
 * checks of the latest decision that carried evidence (a change, or a hold worth publishing). The
 * starter computes no burn rate of its own; this is the one place that reads them, until sdk-core
 * has a rollout-health read model to read instead.
 *
 * <p>Concurrency: fed by the guardian's listener thread, read by metric collection; one immutable
 * list per flag in a concurrent map.
 */
final class LatestEvidence {
  private final Map<String, List<RuleCheck>> byFlag = new ConcurrentHashMap<>();

  /** A guardian listener. */
  void decided(Decision d) {
    if (!d.evidence().isEmpty()) {
      byFlag.put(d.flagKey(), d.evidence());
    }
  }

  /** The checks of a flag's latest decision with evidence; empty if none yet. */
  List<RuleCheck> checks(String flagKey) {
    return byFlag.getOrDefault(flagKey, List.of());
  }

  /** The burn rate the guardian last saw for one rule window of one SLI of one variant, or NaN. */
  double burnRate(String flagKey, String sli, String window, String variant) {
    for (RuleCheck c : checks(flagKey)) {
      if (!c.sli().equals(sli)) {
        continue;
      }
      boolean isLong = window.equals(c.rule().longWindow().toString());
      boolean isShort = window.equals(c.rule().shortWindow().toString());
      if (variant.equals("candidate") && isLong) {
        return c.burnLong();
      }
      if (variant.equals("candidate") && isShort) {
        return c.burnShort();
      }
      if (variant.equals("control") && isShort) {
        return c.controlBurnShort();
      }
    }
    return Double.NaN;
  }
}
