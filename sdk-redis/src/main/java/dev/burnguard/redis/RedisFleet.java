package dev.burnguard.redis;

import dev.burnguard.Fleet;
import dev.burnguard.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Fleet mode on Redis: every replica of a service shares one rollout state, one decision per
 * version and one set of SLI windows, the sum over the fleet. Plug it in with one builder call:
 *
 * <pre>{@code
 * BurnguardProvider provider = BurnguardProvider.builder()
 *     .source(FlagSource.file(path))
 *     .fleet(RedisFleet.builder("rediss://burnguard:" + password + "@redis.internal:6379")
 *         .service("checkout-service").build())
 *     .build();
 * }</pre>
 *
 * <p>Evaluation and recording never touch Redis; a background tick per second pushes this
 * replica's SLI deltas (exactly once, however often a push is retried), renews the decider's
 * lease, applies other replicas' changes (pub/sub, with polling as the fallback) and, on the
 * decider, reads the fleet's sums. Every state change is a compare-and-set on the rollout's
 * version, so correctness never depends on the lease. Redis unreachable: replicas serve their
 * last-known state and may only lower exposure; on Redis' return the merge is safety-first (a
 * rollback anywhere is the fleet's). Keys: {@code burnguard:{service}:...} (one Redis Cluster slot
 * per service); no targeting key or attribute is ever written. See {@code docs/fleet.md}.
 *
 * <p>Credentials and TLS come from the URI ({@code rediss://user:password@host:port}); the URI is
 * never logged with them. Immutable and thread-safe; {@link #join} is called by the provider.
 */
public final class RedisFleet implements Fleet {
  /** Default command timeout. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
  /** Default decider's lease: five ticks of one second. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(5);
  /** Default number of decisions kept per flag in Redis' capped stream. */
  public static final int DEFAULT_DECISION_LOG_LENGTH = 100;

  private final String uri;
  private final String service;
  private final String instanceId;
  private final Duration commandTimeout;
  private final Duration lease;
  private final int decisionLogLength;
  private final int recentDecisions;
  private final boolean forcedLeader;
  private final boolean subscribe;
  private final boolean cluster;

  private RedisFleet(Builder b) {
    this.cluster = b.cluster;
    this.uri = b.uri;
    this.service = b.service;
    this.instanceId = b.instanceId;
    this.commandTimeout = b.commandTimeout;
    this.lease = b.lease;
    this.decisionLogLength = b.decisionLogLength;
    this.recentDecisions = b.recentDecisions;
    this.forcedLeader = b.forcedLeader;
    this.subscribe = b.subscribe;
  }

  /**
   * A fleet on the Redis at {@code redisUri}: {@code redis://}, {@code rediss://} (TLS),
   * {@code redis-sentinel://}, with {@code user:password@} for an ACL user (or {@code :password@}).
   */
  public static Builder builder(String redisUri) {
    return new Builder(redisUri);
  }

  @Override
  public Member join(Clock clock, Local local) {
    return new FleetMember(this, Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(local, "local"));
  }

  String uri() {
    return uri;
  }

  String service() {
    return service;
  }

  String instanceId() {
    return instanceId;
  }

  Duration commandTimeout() {
    return commandTimeout;
  }

  Duration lease() {
    return lease;
  }

  int decisionLogLength() {
    return decisionLogLength;
  }

  int recentDecisions() {
    return recentDecisions;
  }

  boolean forcedLeader() {
    return forcedLeader;
  }

  boolean subscribe() {
    return subscribe;
  }

  boolean cluster() {
    return cluster;
  }

  @Override
  public String toString() {
    return "RedisFleet(" + FleetRedis.redact(uri) + ", service " + service + ", instance " + instanceId + ")";
  }

  /** Builds a {@link RedisFleet}. Required: the service. */
  public static final class Builder {
    private final String uri;
    private String service;
    private String instanceId = "replica-" + ProcessHandle.current().pid();
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration lease = DEFAULT_LEASE;
    private int decisionLogLength = DEFAULT_DECISION_LOG_LENGTH;
    private int recentDecisions = 100;
    private boolean forcedLeader;
    private boolean subscribe = true;
    private boolean cluster;

    private Builder(String uri) {
      this.uri = Objects.requireNonNull(uri, "redisUri");
      FleetRedis.checkUri(uri);
    }

    /** The service whose replicas form the fleet: its keys are {@code burnguard:{service}:...}. */
    public Builder service(String service) {
      this.service = FleetKeys.validService(service);
      return this;
    }

    /** This replica's name in logs and on dashboards; default {@code replica-<pid>}. */
    public Builder instanceId(String instanceId) {
      Objects.requireNonNull(instanceId, "instanceId");
      if (instanceId.isBlank() || instanceId.length() > 100) {
        throw new IllegalArgumentException("instanceId must be 1 to 100 characters, got \"" + instanceId + "\"");
      }
      this.instanceId = instanceId;
      return this;
    }

    /** How long a Redis command may take before Redis counts as unreachable; default 500 ms, 10 ms to 1 min. */
    public Builder commandTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "commandTimeout");
      if (timeout.toMillis() < 10 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("commandTimeout must be between 10 ms and 1 min, got " + timeout);
      }
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * The decider's lease, renewed every tick (Redis' own clock): another replica takes over within
     * this after the decider dies; default 5 s, at least 1 s.
     */
    public Builder lease(Duration lease) {
      Objects.requireNonNull(lease, "lease");
      if (lease.toMillis() < 1000) {
        throw new IllegalArgumentException("lease must be at least 1 s, got " + lease);
      }
      this.lease = lease;
      return this;
    }

    /** Decisions kept per flag in Redis' capped stream (approximately: MAXLEN ~); default 100, at least 10. */
    public Builder decisionLogLength(int length) {
      if (length < 10) {
        throw new IllegalArgumentException("decisionLogLength must be at least 10, got " + length);
      }
      this.decisionLogLength = length;
      return this;
    }

    /**
     * The URI names one node of a Redis Cluster: the client discovers the others and follows
     * redirects. A service's keys share one hash tag, so they live in one slot.
     */
    public Builder cluster() {
      this.cluster = true;
      return this;
    }

    /** Test support: this replica acts as the decider whatever the lease says. */
    Builder forceLeader() {
      this.forcedLeader = true;
      return this;
    }

    /** Test support: no change subscription (polling only). */
    Builder withoutNotifications() {
      this.subscribe = false;
      return this;
    }

    public RedisFleet build() {
      if (service == null) {
        throw new IllegalStateException("a RedisFleet needs service(...): the name its replicas share, e.g. "
            + "\"checkout-service\"");
      }
      return new RedisFleet(this);
    }
  }
}
