/**
 * Burnguard's public entry points, the thin OpenFeature adapters on top of the flow (source → flag
 * model → evaluation → gate → outcomes → judge/decide → store): {@link dev.burnguard.BurnguardProvider}
 * evaluates flagd-format flags in process, {@link dev.burnguard.GuardedProvider} guards the rollouts
 * of flags another provider serves, and {@link dev.burnguard.Fleet} is the SPI that lets the replicas
 * of one service share rollout state and SLI windows. The rollout machinery both providers share
 * (recorder, guardian and its timer, the store's opening and health) and the flag loading of
 * {@code BurnguardProvider} (last-known-good, stale states and their events) are package-private.
 */
@NullMarked
package dev.burnguard;

import org.jspecify.annotations.NullMarked;
