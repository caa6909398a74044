package dev.burnguard.internal.guardian;

/**
 * The one place burn rates are computed: (bad / calls) / budget, 0 without calls. The judge, the
 * rollout-health read model and through it every exporter and dashboard use it.
 */
final class BurnRate {
  private BurnRate() {}

  static double of(long bad, long calls, double budget) {
    return calls == 0 ? 0 : (double) bad / calls / budget;
  }
}
