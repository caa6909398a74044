/**
 * The targeting evaluator: JsonLogic with flagd's operators ({@code fractional}, {@code sem_ver},
 * {@code starts_with}, {@code ends_with}), compiled once per flag into immutable node trees.
 * Internal, not for public use.
 */
package dev.burnguard.internal.eval;
