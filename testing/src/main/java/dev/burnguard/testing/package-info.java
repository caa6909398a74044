/**
 * The simulation kit: drive a provider and its guardian with synthetic traffic on a manual clock,
 * to tune rollout plans before production and to test rollout behaviour deterministically.
 */
package dev.burnguard.testing;
