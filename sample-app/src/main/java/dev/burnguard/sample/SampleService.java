package dev.burnguard.sample;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.GuardedProvider;
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
  final RolloutHistory history;
  final DemoScenario demo;
  final String adminToken;
  final AdminAccess access;
  private final OpenFeatureAPI api;
  private final BurnguardTelemetry telemetry;
  private final BurnguardTelemetry shippingTelemetry;
  private final HttpApi http;
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
    history = new RolloutHistory(rollouts, s.clock());
    rollouts.onDecision(history::decided);
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

    checkout = new Checkout(provider.guard().errorAfter(Duration.ofSeconds(2)).build(), faults,
        s.background() ? Checkout.Work.sleeping() : time -> { });
    shipping = new ShippingQuote(shippingProvider.guard().errorAfter(Duration.ofSeconds(2)).build(), faults,
        s.background() ? Checkout.Work.sleeping() : time -> { });
    traffic = new TrafficGenerator(checkout, shipping, s.rate(), s.users());
    demo = s.demo() ? new DemoScenario(provider.rollouts(), faults, s.clock()) : null;
    if (demo != null) {
      demo.start();
    }
    adminToken = s.adminToken() != null ? s.adminToken() : newToken();
    access = new AdminAccess(adminToken, s.clock());
    Client client = api.getClient("sample-app");
    try {
      http = new HttpApi(new InetSocketAddress(s.bind(), s.port()), s.hostNames(), access, rollouts, faults,
          checkout, this::state, query -> SampleApp.evaluateAll(client, provider, query));
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
    return http.port();
  }

  /** Samples the dashboard's history and lets the demo act. */
  void everySecond() {
    history.sample();
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

  /** The dashboard's JSON: the history after {@code since}, the fault, the traffic and the instance. */
  private Map<String, Object> state(long since) {
    Map<String, Object> out = new LinkedHashMap<>(history.snapshot(since));
    out.put("fault", HttpApi.fault(faults.current()));
    Map<String, Object> byFlag = new LinkedHashMap<>();
    faults.all().forEach((flag, fault) -> byFlag.put(flag, HttpApi.fault(fault)));
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
      fleet.status().ifPresent(f -> out.put("fleet", history.fleet(f, provider.rollouts().plans())));
    }
    return out;
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.shutdownNow();
    }
    traffic.close();
    http.close();
    telemetry.close();
    shippingTelemetry.close();
    api.shutdown();
  }
}
