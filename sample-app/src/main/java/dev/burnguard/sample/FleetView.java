package dev.burnguard.sample;

import dev.burnguard.outcome.Outcomes.WindowCounts;
import dev.burnguard.rollout.RolloutPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The dashboard's "Fleet" panel in fleet mode ({@code --redis}): a pure function of the fleet's status. */
final class FleetView {
  private FleetView() {}

  /** The windows of the fleet view's counts: a short one and the longest a default rule reads. */
  static final List<Duration> FLEET_WINDOWS = List.of(Duration.ofMinutes(5), Duration.ofHours(1));

  /**
   * The dashboard's fleet view (fleet mode only): the fleet-wide counts of every guarded flag's
   * variants (the sums the decider judges, the same on every replica), each instance's share of
   * the calls pushed in the last minute or two, the decider, and the fleet store's health.
   *
   * @param fleetPlans the plans whose rollouts the fleet shares (the wrapped provider's flag stays local)
   */
  static Map<String, Object> fleet(dev.burnguard.redis.RedisFleet.Status f, Map<String, RolloutPlan> fleetPlans) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", f.service());
    m.put("instanceId", f.instanceId());
    m.put("deciding", f.deciding());
    m.put("decider", f.decider().orElse(null));
    m.put("store", f.unreachableSince().map(t -> "unreachable since " + t).orElse("reachable"));
    m.put("problem", f.problem().orElse(null));
    m.put("pushedCalls", f.pushedCalls());
    m.put("droppedCalls", f.droppedCalls());
    m.put("unpushedCalls", f.unpushedCalls());
    m.put("duplicatePushes", f.duplicatePushes());
    m.put("fleetWide", f.fleetWide());
    m.put("readAt", f.readAt().map(Instant::toEpochMilli).orElse(null));
    long total = f.instanceCalls().values().stream().mapToLong(Long::longValue).sum();
    List<Object> instances = new ArrayList<>();
    f.instanceCalls().forEach((id, calls) -> {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("id", id);
      i.put("calls", calls);
      i.put("share", total == 0 ? null : (double) calls / total);
      i.put("decides", id.equals(f.decider().orElse(null)));
      instances.add(i);
    });
    m.put("instances", instances);
    Map<String, Object> flags = new LinkedHashMap<>();
    fleetPlans.forEach((flag, plan) -> {
      Map<String, Object> variants = new LinkedHashMap<>();
      for (String variant : List.of(plan.candidate(), plan.control())) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (Duration w : FLEET_WINDOWS) {
          WindowCounts c = f.counts(flag, variant, w);
          Map<String, Object> cw = new LinkedHashMap<>();
          cw.put("calls", c.calls());
          cw.put("errors", c.errors());
          cw.put("errorRatio", c.calls() == 0 ? null : c.errorRatio());
          v.put(w.toMinutes() + "m", cw);
        }
        variants.put(variant, v);
      }
      flags.put(flag, variants);
    });
    m.put("flags", flags);
    return m;
  }

}
