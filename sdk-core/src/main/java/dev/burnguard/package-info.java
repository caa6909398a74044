/**
 * Burnguard's public entry point: {@link dev.burnguard.BurnguardProvider}, an OpenFeature provider
 * that evaluates flagd-format flags in process.
 */
package dev.burnguard;
