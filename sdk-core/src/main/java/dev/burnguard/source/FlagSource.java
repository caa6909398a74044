package dev.burnguard.source;

import dev.burnguard.flag.FlagSet;
import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where a provider's flags come from: a file with hot reload, a URL polled over HTTP, a classpath
 * resource, a JSON string or a {@link FlagSet} built in code.
 *
 * <p>A source delivers its first result (content or failure) from {@link #start} or soon after,
 * and may deliver more later. A source is started at most once and closed once.
 */
public interface FlagSource extends AutoCloseable {
  /** Where the flags come from, for messages: a path, URL or resource name. */
  String describe();

  /** Starts delivering flags to {@code sink}. Must not throw; failures go to {@link FlagSink#failed}. */
  void start(FlagSink sink);

  /** Stops watching or polling. Idempotent. */
  @Override
  void close();

  /** A flag file, checked for changes every 500 ms (see {@link FileFlagSource#builder} for options). */
  static FlagSource file(Path path) {
    return FileFlagSource.builder(path).build();
  }

  /** A URL serving a flagd-format document, polled (see {@link HttpFlagSource#builder} for options). */
  static FlagSource http(URI uri) {
    return HttpFlagSource.builder(uri).build();
  }

  /** A flagd-format document given as a string, e.g. embedded defaults or test fixtures. */
  static FlagSource inline(String json) {
    return new StaticFlagSource("inline", sink -> sink.content(json, "inline"));
  }

  /** A flagd-format document read once from the classpath, e.g. {@code "flags/defaults.json"}. */
  static FlagSource classpath(String resource) {
    return StaticFlagSource.classpath(resource, Thread.currentThread().getContextClassLoader());
  }

  /** Flags defined in code with {@link FlagSet#builder()}. */
  static FlagSource of(FlagSet flags) {
    return new StaticFlagSource(flags.origin(), sink -> sink.flags(flags));
  }

  /**
   * Where a {@link FlagSource} delivers what it reads. The provider implements it: it validates
   * content, swaps snapshots and emits events. Methods may be called from any thread, one at a time
   * per source; they do not throw.
   */
  public interface FlagSink {
    /** New content in flagd's flag-definition format, read from {@code origin} (a path or URL). */
    void content(String json, String origin);

    /** A flag set that is already validated, e.g. built in code. */
    void flags(FlagSet flags);

    /** The source could not read its flags; the last good flags stay in force. */
    void failed(String origin, String reason, @Nullable Throwable cause);
  }
}
