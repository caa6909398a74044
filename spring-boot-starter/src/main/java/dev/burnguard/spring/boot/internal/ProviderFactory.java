package dev.burnguard.spring.boot.internal;

import dev.burnguard.BurnguardProvider;
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

  private ProviderFactory() {}

  /**
   * A provider as {@code properties} say, on {@code clock}, with {@code store} (may be null) for its
   * rollout state, then customized.
   */
  static BurnguardProvider build(BurnguardProperties properties, Clock clock, RolloutStore store,
      List<BurnguardProviderCustomizer> customizers) {
    BurnguardProvider.Builder b = BurnguardProvider.builder().clock(clock);
    b.source(source(properties.getFlags()));
    set("burnguard.init-timeout", properties.getInitTimeout(), b::initTimeout);
    set("burnguard.guardian.tick", properties.getGuardian().getTick(), b::guardianTick);
    b.guardianTicking(properties.getGuardian().isTicking());
    set("burnguard.latency-thresholds", properties.getLatencyThresholds(),
        t -> b.latencyThresholds(t.toArray(Duration[]::new)));
    BurnguardProperties.State state = properties.getState();
    if (state.getDirectory() != null && state.isInMemory()) {
      throw new MutuallyExclusiveConfigurationPropertiesException(Set.of(STATE_DIRECTORY, STATE_IN_MEMORY),
          Set.of(STATE_DIRECTORY, STATE_IN_MEMORY));
    }
    if (store != null) {
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
