package dev.burnguard.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FileFlagSource;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * The Burnguard sample service: serves flag evaluations over HTTP from a flag file that it creates
 * with embedded defaults on first start and hot-reloads on every edit.
 *
 * <pre>
 * java -jar sample-app/target/burnguard-sample-app.jar [--port 8080] [--data-dir burnguard-data] [--once]
 * </pre>
 *
 * <p>{@code GET /evaluate?user=alice&amp;email=alice@example.com&amp;appVersion=2.5.0} evaluates every
 * flag for that user and prints value, variant and reason. {@code --once} prints the evaluations
 * for a few sample users and exits (a smoke test).
 */
public final class SampleApp {
  private SampleApp() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Path flagFile = prepareFlagFile(options.dataDir);
    BurnguardProvider provider = BurnguardProvider.builder()
        .source(FileFlagSource.builder(flagFile).build())
        .build();
    OpenFeatureAPI api = OpenFeatureAPI.getInstance();
    api.setProviderAndWait(provider);
    Client client = api.getClient("sample-app");

    if (options.once) {
      for (String user : new String[] {"alice", "bob", "carol@example.com"}) {
        System.out.print(evaluateAll(client, provider, Map.of("user", user, "email", user, "appVersion", "2.5.0")));
      }
      api.shutdown();
      return;
    }

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", options.port), 0);
    server.createContext("/evaluate", exchange -> respond(exchange,
        evaluateAll(client, provider, query(exchange.getRequestURI().getRawQuery()))));
    server.createContext("/", exchange -> respond(exchange, "Burnguard sample app. Try /evaluate?user=alice"
        + "&email=alice@example.com&appVersion=2.5.0\nFlags: " + flagFile.toAbsolutePath() + " (edit it; it reloads)\n"));
    server.start();
    System.out.println("Burnguard sample app on http://127.0.0.1:" + server.getAddress().getPort()
        + "/evaluate?user=alice — flags from " + flagFile.toAbsolutePath() + " (hot reload). Ctrl-C to stop.");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(0);
      api.shutdown();
      stop.countDown();
    }));
    stop.await();
  }

  /** Creates the flag file from the embedded defaults unless it already exists. */
  static Path prepareFlagFile(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path flagFile = dataDir.resolve("flags.json");
    if (!Files.exists(flagFile)) {
      try (InputStream in = SampleApp.class.getResourceAsStream("default-flags.json")) {
        if (in == null) {
          throw new IllegalStateException("embedded default-flags.json is missing from the sample app jar");
        }
        Files.write(flagFile, in.readAllBytes());
      }
    }
    return flagFile;
  }

  /** Every flag's evaluation for the user described by {@code attributes}, one line per flag. */
  static String evaluateAll(Client client, BurnguardProvider provider, Map<String, String> attributes) {
    Map<String, Value> values = new HashMap<>();
    attributes.forEach((k, v) -> values.put(k, new Value(v)));
    EvaluationContext ctx = new ImmutableContext(attributes.getOrDefault("user", ""), values);
    StringBuilder out = new StringBuilder("user " + attributes.getOrDefault("user", "(anonymous)") + "\n");
    provider.flagSet().ifPresent(flags -> new TreeMap<>(flags.flags()).forEach((key, flag) -> {
      Object sample = flag.variants().values().stream().findFirst().orElse("");
      FlagEvaluationDetails<?> d = sample instanceof Boolean ? client.getBooleanDetails(key, false, ctx)
          : sample instanceof String ? client.getStringDetails(key, "", ctx)
          : sample instanceof Number ? client.getDoubleDetails(key, 0.0, ctx)
          : client.getObjectDetails(key, new Value(), ctx);
      out.append(String.format("  %-16s = %-24s variant=%-8s reason=%s%s%n", key, d.getValue(), d.getVariant(),
          d.getReason(), d.getErrorCode() == null ? "" : " error=" + d.getErrorCode() + " " + d.getErrorMessage()));
    }));
    provider.lastLoadFailure().ifPresent(f -> out.append("  (last reload failed, serving the previous flags: ")
        .append(f.message()).append(")\n"));
    return out.toString();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new HashMap<>();
    if (raw == null) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private static void respond(HttpExchange exchange, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = exchange.getResponseBody()) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, bytes.length);
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Command-line options. */
  static final class Options {
    int port = 8080;
    Path dataDir = Path.of("burnguard-data");
    boolean once;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port":
            o.port = Integer.parseInt(value(args, ++i, "--port"));
            break;
          case "--data-dir":
            o.dataDir = Path.of(value(args, ++i, "--data-dir"));
            break;
          case "--once":
            o.once = true;
            break;
          default:
            throw new IllegalArgumentException("unknown option " + args[i]
                + "; usage: [--port 8080] [--data-dir burnguard-data] [--once]");
        }
      }
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }
}
