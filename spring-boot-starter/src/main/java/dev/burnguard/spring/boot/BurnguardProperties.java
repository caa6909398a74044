package dev.burnguard.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Burnguard's settings under {@code burnguard.*}. Unset values keep the core library's defaults;
 * the auto-configuration checks every value when it builds the provider and fails startup with a
 * message that names the property and its value.
 *
 * <pre>
 * burnguard:
 *   flags:
 *     file: /etc/my-service/flags.json   # or classpath: flags.json, or url: http://flags.internal/flags.json
 *   state:
 *     directory: /var/lib/my-service/burnguard
 * </pre>
 */
@ConfigurationProperties("burnguard")
public class BurnguardProperties {
  /** Whether Burnguard is configured at all; false leaves every Burnguard bean out. */
  private boolean enabled = true;

  /**
   * The OpenFeature domain the provider is registered for; unset registers it as the default
   * provider of {@code OpenFeatureAPI}.
   */
  private String domain;

  /** How long startup waits for the first load of the flags. */
  private Duration initTimeout = Duration.ofSeconds(10);

  /**
   * Latency thresholds (at most 3) that the SLI recorder counts slow calls against; a rollout
   * plan's latency objective must use one of them.
   */
  private List<Duration> latencyThresholds = new ArrayList<>(List.of(Duration.ofMillis(300)));

  private final Flags flags = new Flags();
  private final State state = new State();
  private final Guardian guardian = new Guardian();
  private final Web web = new Web();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getDomain() {
    return domain;
  }

  public void setDomain(String domain) {
    this.domain = domain;
  }

  public Duration getInitTimeout() {
    return initTimeout;
  }

  public void setInitTimeout(Duration initTimeout) {
    this.initTimeout = initTimeout;
  }

  public List<Duration> getLatencyThresholds() {
    return latencyThresholds;
  }

  public void setLatencyThresholds(List<Duration> latencyThresholds) {
    this.latencyThresholds = latencyThresholds;
  }

  public Flags getFlags() {
    return flags;
  }

  public State getState() {
    return state;
  }

  public Guardian getGuardian() {
    return guardian;
  }

  public Web getWeb() {
    return web;
  }

  /** Where the flags come from: exactly one of file, classpath and url. */
  public static class Flags {
    /** A flagd-format flag file, reloaded when it changes. */
    private Path file;

    /** A flagd-format flag document on the classpath, read once, e.g. {@code flags.json}. */
    private String classpath;

    /** A URL serving a flagd-format flag document, polled. */
    private URI url;

    /** How often the file or URL is checked for changes; unset keeps the source's default (file 500 ms, URL 5 s). */
    private Duration pollInterval;

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public String getClasspath() {
      return classpath;
    }

    public void setClasspath(String classpath) {
      this.classpath = classpath;
    }

    public URI getUrl() {
      return url;
    }

    public void setUrl(URI url) {
      this.url = url;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }
  }

  /**
   * Where rollout states and decisions are kept: a directory, memory, or (neither set) the core
   * library's default directory {@code burnguard-state} in the working directory. A
   * {@code RolloutStore} bean replaces both.
   */
  public static class State {
    /** The directory of the file rollout store; a restart resumes every rollout where it was. */
    private Path directory;

    /** Keep rollout state in memory only: a restart starts every rollout over (tests, demos). */
    private boolean inMemory;

    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    public boolean isInMemory() {
      return inMemory;
    }

    public void setInMemory(boolean inMemory) {
      this.inMemory = inMemory;
    }
  }

  /** The guardian that judges rollouts. */
  public static class Guardian {
    /** How often the guardian judges the rollouts; at least 10 ms. */
    private Duration tick = Duration.ofSeconds(1);

    /**
     * Whether the guardian ticks on its own timer. Off, it judges only when its {@code tick()} is
     * called: for tests on a {@code ManualClock}.
     */
    private boolean ticking = true;

    public Duration getTick() {
      return tick;
    }

    public void setTick(Duration tick) {
      this.tick = tick;
    }

    public boolean isTicking() {
      return ticking;
    }

    public void setTicking(boolean ticking) {
      this.ticking = ticking;
    }
  }

  /** Request-level SLIs of a web application (servlet or WebFlux). */
  public static class Web {
    /**
     * Whether each HTTP request's outcome and latency are recorded against the guarded flags it
     * evaluated, with the variants it was served.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
