package dev.burnguard.otel.internal;

/** Internal, not for public use. Shared names of Burnguard's instrumentation. */
public final class Instruments {
  /** The instrumentation scope of every meter, tracer and logger Burnguard uses. */
  public static final String SCOPE = "dev.burnguard.otel";

  private Instruments() {}
}
