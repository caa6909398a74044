/**
 * Burnguard's public entry point: {@link dev.burnguard.BurnguardProvider}, an OpenFeature provider
 * that evaluates flagd-format flags in process.
 */
@NullMarked
package dev.burnguard;

import org.jspecify.annotations.NullMarked;
