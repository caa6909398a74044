package dev.burnguard.fuzz;

import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import java.util.Objects;

/**
 * A flag source whose content the test replaces at will, delivered synchronously as a file watcher
 * would deliver an edited file: first {@code initial}, then whatever {@link #reload} is given.
 */
final class ReloadableSource implements FlagSource {
  static final String ORIGIN = "fuzzed.json";

  private final String initial;
  private FlagSink sink;

  ReloadableSource(String initial) {
    this.initial = initial;
  }

  @Override
  public String describe() {
    return ORIGIN;
  }

  @Override
  public void start(FlagSink sink) {
    this.sink = sink;
    sink.content(initial, ORIGIN);
  }

  /** Delivers {@code json} as the source's new content; returns once the provider has taken or refused it. */
  void reload(String json) {
    Objects.requireNonNull(sink, "the provider has not started this source").content(json, ORIGIN);
  }

  @Override
  public void close() {
    sink = null;
  }
}
