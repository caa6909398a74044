/**
 * The rollout engine: the guardian that ticks every guarded rollout, reads each variant's windows
 * from the recorder, asks the judge (burn-rate rules and the sequential test) for a decision,
 * applies it through the exposure gate and hands it to the store and the listeners. Internal, not
 * for public use: users reach it through the provider.
 */
package dev.burnguard.internal.guardian;
