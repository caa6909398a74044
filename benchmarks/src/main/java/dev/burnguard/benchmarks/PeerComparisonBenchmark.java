package dev.burnguard.benchmarks;

import com.launchdarkly.sdk.EvaluationDetail;
import com.launchdarkly.sdk.EvaluationReason;
import com.launchdarkly.sdk.LDContext;
import com.launchdarkly.sdk.server.Components;
import com.launchdarkly.sdk.server.LDClient;
import com.launchdarkly.sdk.server.LDConfig;
import com.launchdarkly.sdk.server.integrations.FileData;
import com.launchdarkly.sdk.server.subsystems.EventSender;
import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FlagSource;
import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The same flags evaluated by Burnguard and by its peers, each called on the provider directly and
 * through an OpenFeature client. Burnguard and flagd read one flagd-format file
 * ({@code peer-flags/flagd.json}); LaunchDarkly reads the same flags written in its own format
 * ({@code peer-flags/launchdarkly.json}) through its file data source; the SDK's
 * {@link InMemoryProvider} holds the two flags it can express (no targeting, no bucketing).
 *
 * <p>Benchmark names are {@code <sdk><Direct|Client><flag>}. Every call takes the next of the
 * {@link Users}' pre-built contexts (a per-thread cursor), the same users for every SDK. Each SDK's
 * setup fails the run unless it answers every user with the expected value and variant on every
 * path it is measured on, so that every SDK does the same work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeerComparisonBenchmark {
  static final String STATIC_FLAG = "static-boolean";
  static final String FRACTIONAL_FLAG = "fractional-50-50";
  static final String TARGETED_FLAG = "targeted-3-conditions";
  static final String STRING_FLAG = "string-4-variants";
  /** In the flagd file only: for the 0 B/op goal on number flags, measured on Burnguard alone. */
  static final String NUMBER_FLAG = "static-number";

  private static final List<String> SHARED_FLAGS = List.of(STATIC_FLAG, FRACTIONAL_FLAG, TARGETED_FLAG, STRING_FLAG);

  /*
   * Which users land on "on" of fractional-50-50: bit i is user i. All three hash per call, but
   * split the users differently, so each has its own mask.
   */
  /** Burnguard: flagd's current bucketing, unsigned MurmurHash3 of flag key + targeting key scaled to the weights. */
  private static final long BURNGUARD_FRACTIONAL_ON = 0x3227b22f3e99044aL;
  /** flagd provider 0.11.15: its older bucketing of the same hash, {@code abs(hash) / Integer.MAX_VALUE * 100} as a float. */
  private static final long FLAGD_FRACTIONAL_ON = 0x4b6fb2427483806dL;
  /** LaunchDarkly: SHA-1 of flag key, salt and context key. */
  private static final long LAUNCHDARKLY_FRACTIONAL_ON = 0xdaf095e9913a261dL;

  /** The users as contexts of each SDK, built once per trial. */
  @State(Scope.Benchmark)
  public static class Contexts {
    /**
     * {@code ImmutableContext} (the SDK's default, what most callers build) or {@code MutableContext};
     * see {@link Users#openFeature}.
     */
    @Param({"ImmutableContext", "MutableContext"})
    public String contextType;

    /**
     * How many distinct users (targeting keys) the calls cycle through: 1,024 (the realistic
     * setting, by which the goals are judged) or 64 (a hot set, kept for comparison).
     */
    @Param({"1024", "64"})
    public int users;

    EvaluationContext[] openFeature;
    LDContext[] launchDarkly;
    int mask;

    @Setup(Level.Trial)
    public void setUp() {
      openFeature = Users.openFeature(contextType, users);
      launchDarkly = Users.launchDarkly(users);
      mask = users - 1;
    }
  }

  /** The calling thread's position in {@link Contexts}. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;

    /** The next user's index among {@code c}'s users. */
    int next(Contexts c) {
      return next++ & c.mask;
    }
  }

  /** The two flag files, copied from the classpath to a temporary directory for the SDKs that read files. */
  @State(Scope.Benchmark)
  public static class FlagFiles {
    Path directory;
    Path flagd;
    Path launchDarkly;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      directory = Files.createTempDirectory("burnguard-peer-flags");
      flagd = copy("peer-flags/flagd.json");
      launchDarkly = copy("peer-flags/launchdarkly.json");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      Files.delete(flagd);
      Files.delete(launchDarkly);
      Files.delete(directory);
    }

    private Path copy(String resource) throws IOException {
      Path target = directory.resolve(resource.substring(resource.lastIndexOf('/') + 1));
      try (InputStream in = Objects.requireNonNull(
          PeerComparisonBenchmark.class.getClassLoader().getResourceAsStream(resource), resource)) {
        Files.copy(in, target);
      }
      return target;
    }
  }

  /** Burnguard reading the flagd file ({@link FlagSource#file}, which checks for changes every 500 ms). */
  @State(Scope.Benchmark)
  public static class Burnguard {
    BurnguardProvider provider;
    Client client;

    @Setup(Level.Trial)
    public void setUp(FlagFiles files, Contexts contexts) {
      provider = BurnguardProvider.builder().source(FlagSource.file(files.flagd)).build();
      client = register("burnguard", provider);
      List<String> flags = List.of(STATIC_FLAG, FRACTIONAL_FLAG, TARGETED_FLAG, STRING_FLAG, NUMBER_FLAG);
      checkOpenFeature("burnguard", provider, client, flags, contexts.openFeature, BURNGUARD_FRACTIONAL_ON);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      OpenFeatureAPI.getInstance().shutdown();
    }
  }

  /** The OpenFeature SDK's InMemoryProvider with the flags it can express: the static ones. */
  @State(Scope.Benchmark)
  public static class InMemory {
    InMemoryProvider provider;
    Client client;

    @Setup(Level.Trial)
    public void setUp(Contexts contexts) {
      provider = new InMemoryProvider(Map.of(
          STATIC_FLAG, Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("on").build(),
          STRING_FLAG, Flag.<String>builder().variant("red", "red").variant("green", "green")
              .variant("blue", "blue").variant("yellow", "yellow").defaultVariant("blue").build()));
      client = register("in-memory", provider);
      checkOpenFeature("in-memory", provider, client, List.of(STATIC_FLAG, STRING_FLAG), contexts.openFeature, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      OpenFeatureAPI.getInstance().shutdown();
    }
  }

  /**
   * flagd's Java provider in its in-process offline mode: resolver {@code FILE} with an
   * {@code offlineFlagSourcePath}, no flagd daemon and no gRPC connection (the file is polled for
   * changes, every 5 s by default).
   */
  @State(Scope.Benchmark)
  public static class Flagd {
    /**
     * flagd waits twice its deadline (default 500 ms) for the first load; 1 s is too short to load
     * json-logic, Jackson and the flag schema on a busy machine.
     */
    private static final int DEADLINE_MS = 5_000;

    FlagdProvider provider;
    Client client;

    @Setup(Level.Trial)
    public void setUp(FlagFiles files, Contexts contexts) {
      provider = new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE).deadline(DEADLINE_MS)
          .offlineFlagSourcePath(files.flagd.toString()).build());
      client = register("flagd", provider);
      checkOpenFeature("flagd", provider, client, SHARED_FLAGS, contexts.openFeature, FLAGD_FRACTIONAL_ON);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      OpenFeatureAPI.getInstance().shutdown();
    }
  }

  /**
   * LaunchDarkly's server SDK offline: flags from its file data source, no connection to
   * LaunchDarkly. {@code events=off} sends no analytics events (what LaunchDarkly recommends with
   * file data); {@code events=on} runs its event processor as in production (summaries of every
   * evaluation, flushed every 5 s) but hands the payloads to a sender that drops them.
   */
  @State(Scope.Benchmark)
  public static class LaunchDarkly {
    @Param({"off", "on"})
    public String events;

    LDClient client;

    @Setup(Level.Trial)
    public void setUp(FlagFiles files, Contexts contexts) throws Exception {
      DroppedEvents dropped = new DroppedEvents();
      LDConfig config = new LDConfig.Builder()
          .dataSource(FileData.dataSource().filePaths(files.launchDarkly))
          .events(switch (events) {
            case "off" -> Components.noEvents();
            case "on" -> Components.sendEvents().eventSender(context -> dropped);
            default -> throw new IllegalArgumentException("events must be off or on, not " + events);
          })
          .diagnosticOptOut(true)
          .build();
      client = new LDClient("offline-benchmark", config);
      if (!client.isInitialized()) {
        throw new IllegalStateException("LaunchDarkly did not load " + files.launchDarkly);
      }
      checkLaunchDarkly(client, contexts.launchDarkly);
      if (events.equals("on")) {
        client.flush();
        dropped.awaitSomeEvents();
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      client.close();
    }
  }

  /** Where LaunchDarkly's event processor delivers its payloads when events are on: nowhere. */
  static final class DroppedEvents implements EventSender {
    private final AtomicInteger analyticsEvents = new AtomicInteger();

    @Override
    public Result sendAnalyticsEvents(byte[] data, int eventCount, URI eventsBaseUri) {
      analyticsEvents.addAndGet(eventCount);
      return Result.SUCCESS;
    }

    @Override
    public Result sendDiagnosticEvent(byte[] data, URI eventsBaseUri) {
      return Result.SUCCESS;
    }

    @Override
    public void close() {}

    /** Fails unless the event processor delivered something within 5 s, i.e. events are really on. */
    void awaitSomeEvents() throws InterruptedException {
      for (int i = 0; i < 50 && analyticsEvents.get() == 0; i++) {
        Thread.sleep(100);
      }
      if (analyticsEvents.get() == 0) {
        throw new IllegalStateException("events=on, but LaunchDarkly delivered no analytics events");
      }
    }
  }

  // ---- Burnguard

  @Benchmark
  public ProviderEvaluation<Boolean> burnguardDirectStaticBoolean(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getBooleanEvaluation(STATIC_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<Boolean> burnguardDirectFractional(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getBooleanEvaluation(FRACTIONAL_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<String> burnguardDirectTargeting(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getStringEvaluation(TARGETED_FLAG, "classic-checkout", c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<String> burnguardDirectString4(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getStringEvaluation(STRING_FLAG, "red", c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<Integer> burnguardDirectStaticNumber(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getIntegerEvaluation(NUMBER_FLAG, 0, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public Boolean burnguardClientStaticBoolean(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.client.getBooleanValue(STATIC_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public Boolean burnguardClientFractional(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.client.getBooleanValue(FRACTIONAL_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public String burnguardClientTargeting(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.client.getStringValue(TARGETED_FLAG, "classic-checkout", c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public String burnguardClientString4(Burnguard sdk, Contexts c, Cursor cursor) {
    return sdk.client.getStringValue(STRING_FLAG, "red", c.openFeature[cursor.next(c)]);
  }

  // ---- InMemoryProvider (static flags only)

  @Benchmark
  public ProviderEvaluation<Boolean> inMemoryDirectStaticBoolean(InMemory sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getBooleanEvaluation(STATIC_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<String> inMemoryDirectString4(InMemory sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getStringEvaluation(STRING_FLAG, "red", c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public Boolean inMemoryClientStaticBoolean(InMemory sdk, Contexts c, Cursor cursor) {
    return sdk.client.getBooleanValue(STATIC_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public String inMemoryClientString4(InMemory sdk, Contexts c, Cursor cursor) {
    return sdk.client.getStringValue(STRING_FLAG, "red", c.openFeature[cursor.next(c)]);
  }

  // ---- flagd in-process, offline

  @Benchmark
  public ProviderEvaluation<Boolean> flagdDirectStaticBoolean(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getBooleanEvaluation(STATIC_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<Boolean> flagdDirectFractional(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getBooleanEvaluation(FRACTIONAL_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<String> flagdDirectTargeting(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getStringEvaluation(TARGETED_FLAG, "classic-checkout", c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public ProviderEvaluation<String> flagdDirectString4(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.provider.getStringEvaluation(STRING_FLAG, "red", c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public Boolean flagdClientStaticBoolean(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.client.getBooleanValue(STATIC_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public Boolean flagdClientFractional(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.client.getBooleanValue(FRACTIONAL_FLAG, false, c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public String flagdClientTargeting(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.client.getStringValue(TARGETED_FLAG, "classic-checkout", c.openFeature[cursor.next(c)]);
  }

  @Benchmark
  public String flagdClientString4(Flagd sdk, Contexts c, Cursor cursor) {
    return sdk.client.getStringValue(STRING_FLAG, "red", c.openFeature[cursor.next(c)]);
  }

  // ---- LaunchDarkly, its own API (its OpenFeature provider is not on the build's classpath)

  @Benchmark
  public EvaluationDetail<Boolean> ldDirectStaticBoolean(LaunchDarkly sdk, Contexts c, Cursor cursor) {
    return sdk.client.boolVariationDetail(STATIC_FLAG, c.launchDarkly[cursor.next(c)], false);
  }

  @Benchmark
  public EvaluationDetail<Boolean> ldDirectFractional(LaunchDarkly sdk, Contexts c, Cursor cursor) {
    return sdk.client.boolVariationDetail(FRACTIONAL_FLAG, c.launchDarkly[cursor.next(c)], false);
  }

  @Benchmark
  public EvaluationDetail<String> ldDirectTargeting(LaunchDarkly sdk, Contexts c, Cursor cursor) {
    return sdk.client.stringVariationDetail(TARGETED_FLAG, c.launchDarkly[cursor.next(c)], "classic-checkout");
  }

  @Benchmark
  public EvaluationDetail<String> ldDirectString4(LaunchDarkly sdk, Contexts c, Cursor cursor) {
    return sdk.client.stringVariationDetail(STRING_FLAG, c.launchDarkly[cursor.next(c)], "red");
  }

  // ---- what every SDK must answer

  /** Registers {@code provider} under its own domain, waiting until it is ready, and returns that domain's client. */
  private static Client register(String domain, FeatureProvider provider) {
    OpenFeatureAPI api = OpenFeatureAPI.getInstance();
    api.setProviderAndWait(domain, provider);
    return api.getClient(domain);
  }

  /** The value user {@code user} must get; {@code fractionalOn} is the bucketing's mask of "on" users. */
  private static Object expectedValue(String flag, int user, long fractionalOn) {
    switch (flag) {
      case STATIC_FLAG:
        return true;
      case FRACTIONAL_FLAG:
        return (fractionalOn >>> (user & (Users.HOT_SET - 1)) & 1) == 1; // checked for the first 64 users only
      case TARGETED_FLAG:
        return "new-checkout";
      case STRING_FLAG:
        return "blue";
      case NUMBER_FLAG:
        return 1000;
      default:
        throw new IllegalArgumentException(flag);
    }
  }

  /** The variant (flagd file's name) that carries {@code value}. */
  private static String expectedVariant(String flag, Object value) {
    switch (flag) {
      case STATIC_FLAG:
      case FRACTIONAL_FLAG:
        return (Boolean) value ? "on" : "off";
      case TARGETED_FLAG:
        return "new";
      case STRING_FLAG:
        return (String) value;
      case NUMBER_FLAG:
        return "large";
      default:
        throw new IllegalArgumentException(flag);
    }
  }

  /** Every user on every flag, provider-direct and through the client, as the benchmarks call them. */
  private static void checkOpenFeature(String sdk, FeatureProvider provider, Client client, List<String> flags,
      EvaluationContext[] users, long fractionalOn) {
    for (String flag : flags) {
      long directOn = 0;
      long clientOn = 0;
      for (int i = 0; i < users.length; i++) {
        Object expected = expectedValue(flag, i, fractionalOn);
        ProviderEvaluation<?> direct = direct(provider, flag, users[i]);
        FlagEvaluationDetails<?> details = viaClient(client, flag, users[i]);
        if (flag.equals(FRACTIONAL_FLAG)) {
          if (i < Users.HOT_SET) {
            directOn |= Boolean.TRUE.equals(direct.getValue()) ? 1L << i : 0;
            clientOn |= Boolean.TRUE.equals(details.getValue()) ? 1L << i : 0;
          } else if (direct.getErrorCode() != null || details.getErrorCode() != null
              || !(direct.getValue() instanceof Boolean) || !direct.getValue().equals(details.getValue())) {
            throw new IllegalStateException(sdk + ", " + flag + ", user " + i + ": provider-direct " + direct.getValue()
                + " (error " + direct.getErrorCode() + "), client " + details.getValue() + " (error "
                + details.getErrorCode() + ")");
          }
          continue; // the first 64 are compared as a whole below, so that a mismatch shows the mask to expect
        }
        expect(sdk + " provider", flag, i, expected, direct.getValue(), direct.getVariant(), direct.getErrorCode());
        expect(sdk + " client", flag, i, expected, details.getValue(), details.getVariant(), details.getErrorCode());
      }
      if (flag.equals(FRACTIONAL_FLAG) && (directOn != fractionalOn || clientOn != fractionalOn)) {
        throw new IllegalStateException(String.format("%s: users on \"on\" of %s: expected mask 0x%016xL, "
            + "provider-direct 0x%016xL, client 0x%016xL", sdk, flag, fractionalOn, directOn, clientOn));
      }
    }
  }

  private static ProviderEvaluation<?> direct(FeatureProvider provider, String flag, EvaluationContext ctx) {
    switch (flag) {
      case STATIC_FLAG:
      case FRACTIONAL_FLAG:
        return provider.getBooleanEvaluation(flag, false, ctx);
      case NUMBER_FLAG:
        return provider.getIntegerEvaluation(flag, 0, ctx);
      default:
        return provider.getStringEvaluation(flag, "", ctx);
    }
  }

  private static FlagEvaluationDetails<?> viaClient(Client client, String flag, EvaluationContext ctx) {
    switch (flag) {
      case STATIC_FLAG:
      case FRACTIONAL_FLAG:
        return client.getBooleanDetails(flag, false, ctx);
      case NUMBER_FLAG:
        return client.getIntegerDetails(flag, 0, ctx);
      default:
        return client.getStringDetails(flag, "", ctx);
    }
  }

  private static void expect(String path, String flag, int user, Object value, Object actual, String variant,
      Object error) {
    String expectedVariant = expectedVariant(flag, value);
    if (error != null || !value.equals(actual) || !expectedVariant.equals(variant)) {
      throw new IllegalStateException(path + ", " + flag + ", user " + user + ": expected " + value + " (variant "
          + expectedVariant + "), got " + actual + " (variant " + variant + ", error " + error + ")");
    }
  }

  /** LaunchDarkly has no variant names; its values are distinct per variation, so the value is checked. */
  private static void checkLaunchDarkly(LDClient client, LDContext[] users) {
    for (String flag : SHARED_FLAGS) {
      long on = 0;
      for (int i = 0; i < users.length; i++) {
        EvaluationDetail<?> detail = flag.equals(STATIC_FLAG) || flag.equals(FRACTIONAL_FLAG)
            ? client.boolVariationDetail(flag, users[i], false)
            : client.stringVariationDetail(flag, users[i], "");
        if (detail.getReason().getKind() == EvaluationReason.Kind.ERROR) {
          throw new IllegalStateException("launchdarkly, " + flag + ", user " + i + ": " + detail);
        }
        if (i < Users.HOT_SET) {
          on |= Boolean.TRUE.equals(detail.getValue()) ? 1L << i : 0;
        }
        Object expected = expectedValue(flag, i, LAUNCHDARKLY_FRACTIONAL_ON);
        if (!flag.equals(FRACTIONAL_FLAG) && !expected.equals(detail.getValue())) {
          throw new IllegalStateException("launchdarkly, " + flag + ", user " + i + ": expected " + expected
              + ", got " + detail);
        }
      }
      if (flag.equals(FRACTIONAL_FLAG) && on != LAUNCHDARKLY_FRACTIONAL_ON) { // the first 64 users
        throw new IllegalStateException(String.format("launchdarkly: users on \"on\" of %s: expected mask "
            + "0x%016xL, got 0x%016xL", flag, LAUNCHDARKLY_FRACTIONAL_ON, on));
      }
    }
  }
}
