/**
 * Fleet mode on Redis ({@code burnguard-redis}): {@link dev.burnguard.redis.RedisFleet} joins every
 * replica of a service to one rollout state (compare-and-set on its version, one decision per
 * version, a capped decision stream), one set of fleet-wide SLI windows (idempotent per-replica
 * pushes of per-second deltas into buckets at the recorder's resolutions) and one decider (a lease
 * that correctness never depends on). Everything but {@code RedisFleet} is internal; the consistency
 * model and the behaviour in each failure are in {@code docs/fleet.md}.
 */
package dev.burnguard.redis;
