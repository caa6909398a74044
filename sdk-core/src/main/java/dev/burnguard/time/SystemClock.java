package dev.burnguard.time;

/** The system clock; the only place in Burnguard that reads the JVM's clocks. */
enum SystemClock implements Clock {
  INSTANCE;

  @Override
  public long wallMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long monotonicNanos() {
    return System.nanoTime();
  }
}
