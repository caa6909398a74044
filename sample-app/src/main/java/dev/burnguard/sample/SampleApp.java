package dev.burnguard.sample;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FileFlagSource;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * The Burnguard sample app: a checkout service whose new implementation is rolled out under
 * guard, with built-in traffic, fault injection and a live dashboard.
 *
 * <pre>
 * java -jar sample-app/target/burnguard-sample-app.jar [--demo] [--port 8080] [--bind 127.0.0.1]
 *     [--host-name NAME]... [--data-dir burnguard-data] [--rate 100] [--users 1000]
 *     [--admin-token TOKEN] [--redis URI [--instance-id ID]] [--once] [--help]
 * </pre>
 *
 * <p>The flag file ({@code <data>/flags.json}, created from embedded defaults on first start and
 * hot-reloaded) defines {@value Checkout#FLAG} with a rollout plan; a second guarded flag, {@value
 * ShippingQuote#FLAG}, is served by another provider wrapped by a {@link dev.burnguard.GuardedProvider}; {@code --demo} replaces that
 * plan with an accelerated one and breaks the new checkout at the 25 % stage. The dashboard is at
 * {@code /}; admin actions need the one-time login link printed at start (or the admin token, for
 * scripts). {@code --once} prints the evaluations
 * for a few sample users and exits (a smoke test).
 */
public final class SampleApp {
  static final String USAGE = "usage: java -jar burnguard-sample-app.jar [--demo] [--port 8080] [--bind 127.0.0.1]"
      + " [--host-name NAME]... [--data-dir burnguard-data] [--rate 100] [--users 1000] [--admin-token TOKEN]"
      + " [--redis URI [--instance-id ID]] [--once] [--help]";
  static final String HELP = USAGE + "\n\n"
      + "A checkout service whose new implementation is rolled out under Burnguard's guard, with built-in traffic,\n"
      + "fault injection and a live dashboard. Two guarded flags: new-checkout, from Burnguard's flag file\n"
      + "(<data-dir>/flags.json), and new-shipping-quote, served by another OpenFeature provider (the SDK's\n"
      + "InMemoryProvider) wrapped by GuardedProvider, its plan in code and its state in <data-dir>/state-shipping.\n\n"
      + "  --demo              an accelerated rollout plan; the new checkout breaks at the 25 % stage\n"
      + "  --port N            HTTP port, 0 for any free port (default 8080)\n"
      + "  --bind ADDRESS      listen address (default 127.0.0.1); anything but loopback is warned about\n"
      + "  --host-name NAME    a name clients use to reach the app (Host header), besides localhost, 127.0.0.1,\n"
      + "                      [::1] and the bind address; repeatable\n"
      + "  --data-dir DIR      flag file and rollout state (default burnguard-data)\n"
      + "  --rate R            built-in checkouts per second, 0 for none (default 100)\n"
      + "  --users N           distinct simulated users (default 1000)\n"
      + "  --admin-token T     the admin token for scripts, at least 16 characters (default: random)\n"
      + "  --redis URI         run as one replica of a fleet sharing its rollouts on this Redis (redis://, rediss://\n"
      + "                      with user:password@); the rollout state is then kept there, not in --data-dir\n"
      + "  --instance-id ID    this replica's name in the fleet (default sample-<port>)\n"
      + "  --once              print every flag's evaluation for three users and exit\n"
      + "  --help, -h          print this and exit";

  private SampleApp() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("Burnguard sample app: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (options.help) {
      System.out.println(HELP);
      return;
    }
    if (options.once) {
      once(options.dataDir);
      return;
    }
    SampleService service;
    try {
      service = SampleService.start(new SampleService.Settings(options.dataDir, options.bind, options.port,
          options.hostNames, options.rate, options.users, options.demo, options.adminToken, Clock.system(), true,
          options.redis, options.instanceId));
    } catch (IOException e) {
      System.err.println("Burnguard sample app: " + e.getMessage());
      System.exit(1);
      return;
    }
    String host = options.bind.getHostAddress().contains(":") ? "[" + options.bind.getHostAddress() + "]"
        : options.bind.getHostAddress();
    String base = "http://" + host + ":" + service.port();
    if (!options.bind.isLoopbackAddress()) {
      System.out.println("WARNING: listening on " + host + ", not on loopback: anyone who can reach it can read the "
          + "dashboard; admin actions still need the login link or the token. Requests must name this host as "
          + host + ":" + service.port() + " or a --host-name.");
    }
    System.out.println("Burnguard sample app" + (options.demo ? " (demo)" : "") + ": " + options.rate
        + " checkouts/s from " + options.users + " users; flags from "
        + options.dataDir.resolve("flags.json").toAbsolutePath() + " (hot reload).");
    System.out.println("Dashboard (the link logs one browser in as admin; it works once, for "
        + dev.burnguard.dashboard.DashboardServer.LOGIN_LINK_MINUTES + " min):");
    System.out.println("  " + base + "/?code=" + service.dashboard.newLoginCode());
    System.out.println("Admin token, for scripts (keep it private): " + service.adminToken);
    System.out.println("  a new login link: curl -X POST -H 'Authorization: Bearer <token>' " + base + "/api/login-codes");
    System.out.println("Service: " + base + "/api/checkout?user=alice&items=3   Ctrl-C to stop.");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      stop.countDown();
    }));
    stop.await();
  }

  /** Prints every flag's evaluation for three sample users. */
  private static void once(Path dataDir) throws Exception {
    Path flagFile = prepareFlagFile(dataDir);
    BurnguardProvider provider = BurnguardProvider.builder()
        .source(FileFlagSource.builder(flagFile).build())
        .stateDirectory(dataDir.resolve("state"))
        .build();
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    Client client = api.getClient("sample-app");
    for (String user : new String[] {"alice", "bob", "carol@example.com"}) {
      System.out.print(evaluateAll(client, provider, Map.of("user", user, "email", user, "appVersion", "2.5.0")));
    }
    api.shutdown();
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

  /** Command-line options. */
  static final class Options {
    int port = 8080;
    InetAddress bind = InetAddress.getLoopbackAddress();
    Path dataDir = Path.of("burnguard-data");
    double rate = 100;
    int users = 1000;
    boolean demo;
    boolean once;
    boolean help;
    java.util.List<String> hostNames = new java.util.ArrayList<>();
    String adminToken;
    String redis;
    String instanceId;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        switch (option) {
          case "--port" -> {
            o.port = integer(value(args, ++i, option), option);
            if (o.port < 0 || o.port > 65_535) {
              throw new IllegalArgumentException("--port must be between 0 and 65535, got " + o.port);
            }
          }
          case "--bind" -> {
            String host = value(args, ++i, option);
            try {
              o.bind = InetAddress.getByName(host);
            } catch (java.net.UnknownHostException e) {
              throw new IllegalArgumentException("--bind: unknown address " + host);
            }
          }
          case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, option));
          case "--rate" -> {
            String v = value(args, ++i, option);
            try {
              o.rate = Double.parseDouble(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--rate must be a number of requests a second, got " + v);
            }
            if (!(o.rate >= 0 && o.rate <= TrafficGenerator.MAX_RATE)) {
              throw new IllegalArgumentException("--rate must be between 0 and " + TrafficGenerator.MAX_RATE
                  + ", got " + v);
            }
          }
          case "--users" -> {
            o.users = integer(value(args, ++i, option), option);
            if (o.users < 1 || o.users > TrafficGenerator.MAX_USERS) {
              throw new IllegalArgumentException("--users must be between 1 and " + TrafficGenerator.MAX_USERS
                  + ", got " + o.users);
            }
          }
          case "--admin-token" -> {
            o.adminToken = value(args, ++i, option);
            if (o.adminToken.length() < 16 || !o.adminToken.matches("[A-Za-z0-9._~-]+")) {
              throw new IllegalArgumentException("--admin-token must be at least 16 characters of A-Z a-z 0-9 . _ ~ -");
            }
          }
          case "--redis" -> {
            o.redis = value(args, ++i, option);
            dev.burnguard.redis.RedisFleet.builder(o.redis); // a malformed URI fails here, its credentials redacted
          }
          case "--instance-id" -> {
            o.instanceId = value(args, ++i, option);
            if (!o.instanceId.matches("[A-Za-z0-9._-]{1,100}")) {
              throw new IllegalArgumentException("--instance-id must be 1 to 100 characters of A-Z a-z 0-9 . _ -, got "
                  + o.instanceId);
            }
          }
          case "--demo" -> o.demo = true;
          case "--once" -> o.once = true;
          case "--help", "-h" -> o.help = true;
          case "--host-name" -> {
            String name = value(args, ++i, option);
            if (!name.matches("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]")) {
              throw new IllegalArgumentException("--host-name must be a DNS name or an address, got " + name);
            }
            o.hostNames.add(name);
          }
          default -> throw new IllegalArgumentException("unknown option " + option + " (--help lists the options)");
        }
      }
      return o;
    }

    private static int integer(String v, String option) {
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " must be a whole number, got " + v);
      }
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }
}
