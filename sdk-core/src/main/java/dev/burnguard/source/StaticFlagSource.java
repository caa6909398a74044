package dev.burnguard.source;

import dev.burnguard.source.FlagSource.FlagSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** A source that delivers once and never changes: inline JSON, a classpath resource or a built flag set. */
final class StaticFlagSource implements FlagSource {
  private final String description;
  private final Consumer<FlagSink> delivery;

  StaticFlagSource(String description, Consumer<FlagSink> delivery) {
    this.description = description;
    this.delivery = delivery;
  }

  static StaticFlagSource classpath(String resource, ClassLoader loader) {
    String name = resource.startsWith("/") ? resource.substring(1) : resource;
    String origin = "classpath:" + name;
    return new StaticFlagSource(origin, sink -> {
      ClassLoader cl = loader != null ? loader : StaticFlagSource.class.getClassLoader();
      try (InputStream in = cl.getResourceAsStream(name)) {
        if (in == null) {
          sink.failed(origin, "resource not found on the classpath", null);
          return;
        }
        sink.content(new String(in.readAllBytes(), StandardCharsets.UTF_8), origin);
      } catch (IOException e) {
        sink.failed(origin, "cannot read resource: " + e, e);
      }
    });
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void start(FlagSink sink) {
    delivery.accept(sink);
  }

  @Override
  public void close() {
    // nothing to stop
  }
}
