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
  private final Fleet fleet = new Fleet();

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

  public Fleet getFleet() {
    return fleet;
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

  /**
   * Fleet mode on Redis (needs {@code dev.burnguard:burnguard-redis} on the classpath): every replica
   * of the service shares one rollout state, one decision per version and fleet-wide SLI windows.
   * Set {@code redis-uri} and {@code service} to switch it on; a {@code Fleet} bean replaces all of
   * these. The fleet keeps the rollout state, so {@code burnguard.state.*} must stay unset.
   */
  public static class Fleet {
    /**
     * The Redis to share: {@code redis://host:port}, {@code rediss://} (TLS) or {@code
     * redis-sentinel://}, with {@code user:password@} or {@code :password@} for credentials. Never
     * logged or shown with its credentials.
     */
    private String redisUri;

    /** The service whose replicas form the fleet: its Redis keys are {@code burnguard:{service}:...}. Required with redis-uri. */
    private String service;

    /** This replica's name in logs and on dashboards; unset: {@code replica-<pid>}. */
    private String instanceId;

    /** How long a Redis command may take before Redis counts as unreachable (10 ms to 1 min); unset: 500 ms. */
    private Duration commandTimeout;

    /** The decider's lease: another replica takes over within this after the decider dies (at least 1 s); unset: 5 s. */
    private Duration lease;

    /** Decisions kept per flag in Redis' capped stream (at least 10); unset: 100. */
    private Integer decisionLogLength;

    /** The URI names one node of a Redis Cluster; the client discovers the others. */
    private boolean cluster;

    public String getRedisUri() {
      return redisUri;
    }

    public void setRedisUri(String redisUri) {
      this.redisUri = redisUri;
    }

    public String getService() {
      return service;
    }

    public void setService(String service) {
      this.service = service;
    }

    public String getInstanceId() {
      return instanceId;
    }

    public void setInstanceId(String instanceId) {
      this.instanceId = instanceId;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public Duration getLease() {
      return lease;
    }

    public void setLease(Duration lease) {
      this.lease = lease;
    }

    public Integer getDecisionLogLength() {
      return decisionLogLength;
    }

    public void setDecisionLogLength(Integer decisionLogLength) {
      this.decisionLogLength = decisionLogLength;
    }

    public boolean isCluster() {
      return cluster;
    }

    public void setCluster(boolean cluster) {
      this.cluster = cluster;
    }

    /** Never the URI: a property holder printed in a log or a report must not show credentials. */
    @Override
    public String toString() {
      return "Fleet(service " + service + ", instance " + instanceId + ")";
    }
  }
}
