/**
 * The flag model: {@link dev.burnguard.flag.FlagSet} snapshots in flagd's flag-definition format
 * (with Burnguard's one extension, a flag's optional {@code "rollout"} plan), their parser and
 * validation problems, and a builder for flags defined in code.
 */
@NullMarked
package dev.burnguard.flag;

import org.jspecify.annotations.NullMarked;
