/**
 * The flag model: {@link dev.burnguard.flag.FlagSet} snapshots in flagd's flag-definition format,
 * their parser and validation problems, and a builder for flags defined in code.
 */
package dev.burnguard.flag;
