package dev.burnguard.otel.internal;

import java.time.Duration;

/** Internal, not for public use. Durations as short attribute values: {@code 5m}, {@code 1h}, {@code 90s}. */
public final class Durations {
  private Durations() {}

  /** The largest whole unit (d, h, m, s) that divides {@code d} exactly, else milliseconds. */
  public static String format(Duration d) {
    long s = d.getSeconds();
    if (d.getNano() != 0) {
      return d.toMillis() + "ms";
    }
    if (s != 0 && s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s != 0 && s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
