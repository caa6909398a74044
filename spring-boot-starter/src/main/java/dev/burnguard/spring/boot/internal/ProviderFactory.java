package dev.burnguard.spring.boot.internal;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.Fleet;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.source.FileFlagSource;
import dev.burnguard.source.FlagSource;
import dev.burnguard.source.HttpFlagSource;
import dev.burnguard.spring.boot.BurnguardProperties;
import dev.burnguard.spring.boot.BurnguardProviderCustomizer;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.MutuallyExclusiveConfigurationPropertiesException;

/**
 * Internal, not for public use. Builds a {@link BurnguardProvider} from {@code burnguard.*}: one of
 * the two classes of the starter that call into sdk-core (with {@link BurnguardCore}). The values
 * are checked by the core builders themselves; their refusal becomes an {@link
 * InvalidConfigurationPropertyValueException} that names the property and its value, which Spring
 * Boot reports as the reason startup failed.
 */
final class ProviderFactory {
  static final String FILE = "burnguard.flags.file";
  static final String CLASSPATH = "burnguard.flags.classpath";
  static final String URL = "burnguard.flags.url";
  static final String POLL_INTERVAL = "burnguard.flags.poll-interval";
  static final String STATE_DIRECTORY = "burnguard.state.directory";
  static final String STATE_IN_MEMORY = "burnguard.state.in-memory";
  static final String FLEET = "burnguard.fleet";
  static final String TICK = "burnguard.guardian.tick";
  static final String TICKING = "burnguard.guardian.ticking";

  private ProviderFactory() {}

  /**
   * A provider as {@code properties} say, on {@code clock}, with {@code store} (may be null) for its
   * rollout state, or as a replica of {@code fleet} (may be null: the application's {@code Fleet}
   * bean or the one built from {@code burnguard.fleet.*}), then customized.
   */
  static BurnguardProvider build(BurnguardProperties properties, Clock clock, RolloutStore store, Fleet fleet,
      List<BurnguardProviderCustomizer> customizers) {
    BurnguardProvider.Builder b = BurnguardProvider.builder().clock(clock);
    b.source(source(properties.getFlags()));
    set("burnguard.init-timeout", properties.getInitTimeout(), b::initTimeout);
    guardian(properties.getGuardian(), b);
    set("burnguard.latency-thresholds", properties.getLatencyThresholds(),
        t -> b.latencyThresholds(t.toArray(Duration[]::new)));
    BurnguardProperties.State state = properties.getState();
    if (state.getDirectory() != null && state.isInMemory()) {
      throw new MutuallyExclusiveConfigurationPropertiesException(Set.of(STATE_DIRECTORY, STATE_IN_MEMORY),
          Set.of(STATE_DIRECTORY, STATE_IN_MEMORY));
    }
    checkFleet(properties.getFleet(), fleet);
    if (fleet != null) {
      String other = state.getDirectory() != null ? STATE_DIRECTORY : state.isInMemory() ? STATE_IN_MEMORY : null;
      if (other != null || store != null) {
        throw new InvalidConfigurationPropertyValueException(other != null ? other : FLEET,
            other == null ? fleet : state.getDirectory() != null ? state.getDirectory() : true,
            "the fleet (" + fleet + ") keeps the rollout state; remove "
                + (other != null ? other : "the RolloutStore bean (" + store + ")"));
      }
      b.fleet(fleet);
    } else if (store != null) {
      if (state.getDirectory() != null || state.isInMemory()) {
        String name = state.getDirectory() != null ? STATE_DIRECTORY : STATE_IN_MEMORY;
        throw new InvalidConfigurationPropertyValueException(name,
            state.getDirectory() != null ? state.getDirectory() : true,
            "the application defines a RolloutStore bean (" + store + "), which keeps the rollout state; remove one");
      }
      b.rolloutStore(store);
    } else if (state.getDirectory() != null) {
      b.stateDirectory(state.getDirectory());
    } else if (state.isInMemory()) {
      b.inMemoryRolloutState();
    }
    for (BurnguardProviderCustomizer c : customizers) {
      c.customize(b);
    }
    return b.build();
  }

  /**
   * The guardian's timer: {@code burnguard.guardian.tick} only when it ticks (the builder refuses a
   * tick interval with {@code guardianTicking(false)}); a tick other than the default with {@code
   * burnguard.guardian.ticking=false} fails startup naming both properties.
   */
  private static void guardian(BurnguardProperties.Guardian guardian, BurnguardProvider.Builder b) {
    if (guardian.isTicking()) {
      set(TICK, guardian.getTick(), b::guardianTick);
      return;
    }
    if (guardian.getTick() != null && !guardian.getTick().equals(new BurnguardProperties.Guardian().getTick())) {
      throw new InvalidConfigurationPropertyValueException(TICK, guardian.getTick(),
          "the guardian does not tick on a timer with " + TICKING + "=false; remove one");
    }
    b.guardianTicking(false);
  }

  /**
   * Settings of {@code burnguard.fleet.*} that took no effect fail startup: fleet settings without a
   * Redis URI, or a Redis URI without burnguard-redis on the classpath.
   */
  private static void checkFleet(BurnguardProperties.Fleet p, Fleet fleet) {
    if (fleet != null) {
      return; // built from the properties, or the application's own bean (which replaces them)
    }
    if (p.getRedisUri() != null) {
      throw new InvalidConfigurationPropertyValueException(FLEET + ".redis-uri", "(redacted)",
          "fleet mode on Redis needs dev.burnguard:burnguard-redis on the classpath");
    }
    String set = p.getService() != null ? ".service" : p.getInstanceId() != null ? ".instance-id"
        : p.getCommandTimeout() != null ? ".command-timeout" : p.getLease() != null ? ".lease"
        : p.getDecisionLogLength() != null ? ".decision-log-length" : p.isCluster() ? ".cluster" : null;
    if (set != null) {
      throw new InvalidConfigurationPropertyValueException(FLEET + set, null,
          "fleet settings need " + FLEET + ".redis-uri (the Redis the replicas share)");
    }
  }

  /** The source as its property says, for messages: {@code burnguard.flags.file=/etc/flags.json}. */
  static String describeSource(BurnguardProperties properties) {
    BurnguardProperties.Flags f = properties.getFlags();
    return f.getFile() != null ? FILE + "=" + f.getFile() : f.getClasspath() != null ? CLASSPATH + "=" + f.getClasspath()
        : f.getUrl() != null ? URL + "=" + f.getUrl() : "a BurnguardProvider bean";
  }

  /** The one source the properties name. */
  private static FlagSource source(BurnguardProperties.Flags flags) {
    Set<String> configured = new LinkedHashSet<>();
    if (flags.getFile() != null) {
      configured.add(FILE);
    }
    if (flags.getClasspath() != null) {
      configured.add(CLASSPATH);
    }
    if (flags.getUrl() != null) {
      configured.add(URL);
    }
    if (configured.size() > 1) {
      throw new MutuallyExclusiveConfigurationPropertiesException(configured, Set.of(FILE, CLASSPATH, URL));
    }
    if (configured.isEmpty()) {
      throw new InvalidConfigurationPropertyValueException("burnguard.flags", null,
          "Burnguard needs its flags: set one of " + FILE + ", " + CLASSPATH + " or " + URL
              + " (or burnguard.enabled=false)");
    }
    Duration poll = flags.getPollInterval();
    if (flags.getFile() != null) {
      FileFlagSource.Builder file = FileFlagSource.builder(flags.getFile());
      if (poll != null) {
        set(POLL_INTERVAL, poll, file::pollInterval);
      }
      return file.build();
    }
    if (flags.getUrl() != null) {
      HttpFlagSource.Builder http = get(URL, flags.getUrl(), () -> HttpFlagSource.builder(flags.getUrl()));
      if (poll != null) {
        set(POLL_INTERVAL, poll, http::pollInterval);
      }
      return get(URL, flags.getUrl(), http::build);
    }
    if (poll != null) {
      throw new InvalidConfigurationPropertyValueException(POLL_INTERVAL, poll,
          "a classpath resource is read once; the poll interval applies to " + FILE + " and " + URL);
    }
    String resource = flags.getClasspath().startsWith("classpath:")
        ? flags.getClasspath().substring("classpath:".length()) : flags.getClasspath();
    return FlagSource.classpath(resource.startsWith("/") ? resource.substring(1) : resource);
  }

  private static <T> void set(String property, T value, Consumer<T> setter) {
    get(property, value, () -> {
      setter.accept(value);
      return null;
    });
  }

  private static <T> T get(String property, Object value, Supplier<T> builder) {
    try {
      return builder.get();
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw new InvalidConfigurationPropertyValueException(property, value, String.valueOf(e.getMessage()));
    }
  }
}
