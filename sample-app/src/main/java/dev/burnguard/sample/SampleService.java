package dev.burnguard.sample;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.GuardedProvider;
import dev.burnguard.dashboard.DashboardServer;
import dev.burnguard.otel.BurnguardTelemetry;
import dev.burnguard.source.FileFlagSource;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running sample: a Burnguard provider over the data folder's flag file, with rollout state in
 * {@code <data>/state}; a {@link GuardedProvider} around another provider (OpenFeature's
 * InMemoryProvider) serving {@value ShippingQuote#FLAG}, with rollout state in {@code
 * <data>/state-shipping}; the guarded checkout and shipping quote; the traffic generator; the
 * dashboard's history and the HTTP API, which read both providers' rollouts through one {@link
 * ServiceRollouts}; and, with {@code --demo}, the demo scenario.
 *
 * <p>Design (concurrency): with {@link Settings#background()} each provider ticks its guardian once
 * a second, the traffic generator runs on its own threads, and one scheduler thread here calls
 * {@link #everySecond()} (history sample, demo check). Without it — tests on a manual clock —
 * nothing runs by itself: the test sends traffic, ticks the guardians and calls
 * {@link #everySecond()}. {@link #close()} stops everything in reverse order of start.
 */
final class SampleService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SampleService.class);
  /** Who the decision log names for actions taken on the dashboard or the admin API. */
  static final String ADMIN_ACTOR = "person:admin";

  /**
   * What to run.
   *
   * @param bind the address to listen on (loopback by default)
   * @param port 0 for any free port
   * @param hostNames names besides loopback and the bind address that requests may carry in their
   *     {@code Host} header (e.g. the machine's DNS name on a non-loopback bind)
   * @param adminToken the admin API's token; null to generate one
   * @param background whether guardian, traffic and sampling run on their own and calls really
   *     wait for their dependency and injected latency (false for tests that drive a manual clock)
   * @param redisUri the Redis of a fleet sharing the rollouts (then the state is kept there); null for none
   * @param instanceId this replica's name in the fleet; null for {@code sample-<port>}
   */
  record Settings(Path dataDir, InetAddress bind, int port, List<String> hostNames, double rate, int users, boolean demo,
      String adminToken, Clock clock, boolean background, String redisUri, String instanceId) {
    /** Settings of a single instance, without a fleet. */
    Settings(Path dataDir, InetAddress bind, int port, List<String> hostNames, double rate, int users, boolean demo,
        String adminToken, Clock clock, boolean background) {
      this(dataDir, bind, port, hostNames, rate, users, demo, adminToken, clock, background, null, null);
    }

    Settings {
      hostNames = List.copyOf(hostNames);
    }
  }

  final BurnguardProvider provider;
  /** The wrapped provider serving {@value ShippingQuote#FLAG}. */
  final GuardedProvider shippingProvider;
  /** Both providers' rollouts, as the dashboard and the admin API read them. */
  final ServiceRollouts rollouts;
  /** The fleet this instance is a replica of; null without {@code --redis}. */
  private final dev.burnguard.redis.RedisFleet fleet;
  final Faults faults = new Faults(Checkout.FLAG, ShippingQuote.FLAG);
  final Checkout checkout;
  final ShippingQuote shipping;
  final TrafficGenerator traffic;
  /** The dashboard and HTTP API (module burnguard-dashboard), with the service's own routes. */
  final DashboardServer dashboard;
  final DemoScenario demo;
  final String adminToken;
  private final OpenFeatureAPI api;
  private final BurnguardTelemetry telemetry;
  private final BurnguardTelemetry shippingTelemetry;
  private final ScheduledExecutorService sampler;
  private final Instant started;

  private SampleService(Settings s) throws Exception {
    Path flagFile = SampleApp.prepareFlagFile(s.dataDir());
    BurnguardProvider.Builder builder = BurnguardProvider.builder()
        .source(FileFlagSource.builder(flagFile).build())
        .clock(s.clock())
        .guardianTicking(s.background());
    if (s.redisUri() != null) {
      fleet = dev.burnguard.redis.RedisFleet.builder(s.redisUri()).service("burnguard-sample")
          .instanceId(s.instanceId() != null ? s.instanceId() : "sample-" + s.port()).build();
      builder.fleet(fleet);
    } else {
      fleet = null;
      builder.stateDirectory(s.dataDir().resolve("state"));
    }
    if (s.demo()) {
      builder.rollout(Checkout.FLAG, DemoScenario.plan());
    }
    provider = builder.build();
    // the second flag is served by another provider, wrapped: its rollout state is its own (a state
    // directory is held by one provider at a time), kept on this instance's disk also in a fleet
    shippingProvider = GuardedProvider.builder(ShippingQuote.flagSystem())
        .rollout(ShippingQuote.FLAG, ShippingQuote.plan(s.demo()))
        .clock(s.clock())
        .guardianTicking(s.background())
        .stateDirectory(s.dataDir().resolve("state-shipping"))
        .build();
    rollouts = new ServiceRollouts(List.of(
        new ServiceRollouts.Provider(provider.rollouts(), provider.rollouts()::plans, provider.outcomes()),
        new ServiceRollouts.Provider(shippingProvider.rollouts(), shippingProvider::plans, shippingProvider.outcomes())));
    api = OpenFeatureAPI.createIsolated();
    // OpenTelemetry through sdk-otel: a no-op unless the OpenTelemetry Java agent (or the SDK's
    // autoconfiguration) set up GlobalOpenTelemetry, in which case evaluations, rollout metrics and
    // decisions reach the configured exporters, for both providers' rollouts
    telemetry = BurnguardTelemetry.install(GlobalOpenTelemetry.get(), provider);
    shippingTelemetry = BurnguardTelemetry.install(GlobalOpenTelemetry.get(), shippingProvider);
    api.addHooks(telemetry.hook()); // one hook: it records every evaluation of the API instance
    try {
      api.setProviderAndWait(provider);
      api.setProviderAndWait(ShippingQuote.DOMAIN, shippingProvider);
    } catch (RuntimeException e) {
      telemetry.close();
      shippingTelemetry.close();
      api.shutdown();
      // the provider has logged a flag file's problem already; say it once
      throw new IOException(provider.lastLoadFailure().isPresent()
          ? "not started: no valid flags in " + flagFile.toAbsolutePath() + " (the problem is logged above)"
          : "not started: " + e.getMessage(), e);
    }
    started = Instant.ofEpochMilli(s.clock().wallMillis());

    // every checkout, old or new, is a call of the "checkout" journey, whose SLO the flag file declares
    checkout = new Checkout(provider.guard().errorAfter(Duration.ofSeconds(2)).journey(Checkout.JOURNEY).build(), faults,
        s.background() ? Checkout.Work.sleeping() : time -> { });
    shipping = new ShippingQuote(shippingProvider.guard().errorAfter(Duration.ofSeconds(2)).build(), faults,
        s.background() ? Checkout.Work.sleeping() : time -> { });
    traffic = new TrafficGenerator(checkout, shipping, s.rate(), s.users());
    demo = s.demo() ? new DemoScenario(provider.rollouts(), faults, s.clock()) : null;
    if (demo != null) {
      demo.start();
    }
    adminToken = s.adminToken() != null ? s.adminToken() : newToken();
    Client client = api.getClient("sample-app");
    try {
      dashboard = DashboardServer.builder(rollouts).address(new InetSocketAddress(s.bind(), s.port()))
          .hostNames(s.hostNames()).adminToken(adminToken).clock(s.clock()).actor(ADMIN_ACTOR).state(this::state)
          .get("/api/checkout", this::checkout)
          .get("/evaluate", query -> DashboardServer.Reply.text(SampleApp.evaluateAll(client, provider, query)))
          .adminPost("/api/fault", this::fault)
          .start();
    } catch (IOException e) {
      telemetry.close();
      shippingTelemetry.close();
      api.shutdown();
      throw new IOException("cannot listen on " + s.bind().getHostAddress() + ":" + s.port() + ": " + e.getMessage()
          + " (choose another port with --port)", e);
    }
    if (s.background()) {
      sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sample-dashboard-sampler");
        t.setDaemon(true);
        return t;
      });
      sampler.scheduleAtFixedRate(this::everySecondLogged, 1, 1, TimeUnit.SECONDS);
      traffic.start();
    } else {
      sampler = null;
    }
  }

  /** Starts the service; its HTTP API listens when this returns. */
  static SampleService start(Settings settings) throws Exception {
    return new SampleService(settings);
  }

  /** 32 random bytes from {@link SecureRandom}, URL-safe. */
  static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  int port() {
    return dashboard.port();
  }

  /** Samples the dashboard's history and lets the demo act. */
  void everySecond() {
    dashboard.sample();
    if (demo != null) {
      demo.check();
    }
  }

  private void everySecondLogged() {
    try {
      everySecond();
    } catch (RuntimeException e) {
      LOG.warn("Dashboard sampling failed; the next second retries", e);
    }
  }

  /** The dashboard's JSON besides the rollouts: the fault, the traffic, the instance, the fleet. */
  private Map<String, Object> state() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("fault", fault(faults.current()));
    Map<String, Object> byFlag = new LinkedHashMap<>();
    faults.all().forEach((flag, fault) -> byFlag.put(flag, fault(fault)));
    out.put("faults", byFlag);
    out.put("traffic", traffic.stats());
    Map<String, Object> instance = new LinkedHashMap<>();
    instance.put("startedAt", started.toEpochMilli());
    instance.put("demo", demo != null);
    var health = provider.rolloutStore().health();
    var shippingHealth = shippingProvider.rolloutStore().health();
    instance.put("stateStore", !health.healthy() ? "unhealthy: " + health.lastError()
        : !shippingHealth.healthy() ? "unhealthy (" + ShippingQuote.FLAG + "): " + shippingHealth.lastError() : "healthy");
    instance.put("flagsLoad", provider.lastLoadFailure().map(f -> "last reload failed: " + f.message()).orElse("ok"));
    out.put("instance", instance);
    if (fleet != null) {
      fleet.status().ifPresent(f -> out.put("fleet", FleetView.fleet(f, provider.rollouts().plans())));
    }
    return out;
  }

  static Map<String, Object> fault(Faults.Fault f) {
    return Map.of("errorRate", f.errorRate(), "latencyMs", f.addedLatency().toMillis());
  }

  /** {@code GET /api/checkout?user=U&items=N}: the service itself. */
  private DashboardServer.Reply checkout(Map<String, String> query) {
    int items;
    try {
      items = Integer.parseInt(query.getOrDefault("items", "1"));
    } catch (NumberFormatException e) {
      return DashboardServer.Reply.error(400, "items must be a whole number, got \"" + query.get("items") + "\"");
    }
    try {
      Checkout.Receipt r = checkout.checkout(query.get("user"), items);
      return DashboardServer.Reply.json(200, Map.of("user", r.user(), "items", r.items(), "totalCents", r.totalCents(),
          "implementation", r.implementation()));
    } catch (IllegalArgumentException e) {
      return DashboardServer.Reply.error(400, e.getMessage());
    } catch (Checkout.CheckoutFailedException e) {
      return DashboardServer.Reply.error(503, e.getMessage());
    }
  }

  /**
   * Admin {@code POST /api/fault} (form fields {@code errorRate}, {@code latencyMs}, and optionally
   * {@code flag}: whose candidate, by default {@value Checkout#FLAG}).
   */
  private DashboardServer.Reply fault(Map<String, String> form) {
    Map<String, String> fields = new java.util.HashMap<>(form);
    String faultFlag = fields.containsKey("flag") ? fields.remove("flag") : Checkout.FLAG;
    if (!faults.flags().contains(faultFlag)) {
      return DashboardServer.Reply.error(404, "no fault can be injected into flag \"" + faultFlag + "\"; flags: "
          + faults.flags());
    }
    Faults.Fault fault;
    try {
      fault = Faults.Fault.parse(fields);
    } catch (IllegalArgumentException e) {
      return DashboardServer.Reply.error(400, e.getMessage());
    }
    faults.set(faultFlag, fault);
    LOG.warn("Admin API: candidate fault of {} set to {}", faultFlag, fault);
    Map<String, Object> body = new LinkedHashMap<>(fault(fault));
    body.put("flag", faultFlag);
    return DashboardServer.Reply.json(200, body);
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.shutdownNow();
    }
    traffic.close();
    dashboard.close();
    telemetry.close();
    shippingTelemetry.close();
    api.shutdown();
  }
}
