package dev.burnguard.flag;

import dev.burnguard.time.Clock;
import java.util.Objects;

/**
 * How flag definitions are loaded. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: {@link InvalidFlagPolicy#ISOLATE_FLAG} (flagd's behaviour), {@link Clock#system()}.
 */
public final class FlagSetOptions {
  private static final FlagSetOptions DEFAULTS = builder().build();

  private final InvalidFlagPolicy invalidFlagPolicy;
  private final Clock clock;

  private FlagSetOptions(Builder b) {
    this.invalidFlagPolicy = b.invalidFlagPolicy;
    this.clock = b.clock;
  }

  public static FlagSetOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public InvalidFlagPolicy invalidFlagPolicy() {
    return invalidFlagPolicy;
  }

  /** The clock that answers {@code $flagd.timestamp} in targeting. */
  public Clock clock() {
    return clock;
  }

  /** Builds {@link FlagSetOptions}. */
  public static final class Builder {
    private InvalidFlagPolicy invalidFlagPolicy = InvalidFlagPolicy.ISOLATE_FLAG;
    private Clock clock = Clock.system();

    private Builder() {}

    public Builder invalidFlagPolicy(InvalidFlagPolicy policy) {
      this.invalidFlagPolicy = Objects.requireNonNull(policy, "invalidFlagPolicy");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public FlagSetOptions build() {
      return new FlagSetOptions(this);
    }
  }
}
