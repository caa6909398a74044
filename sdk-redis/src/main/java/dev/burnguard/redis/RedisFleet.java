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
 * decider, reads the fleet's sums (the followers take the decider's read). Every state change is
 * a compare-and-set on the rollout's version, so correctness never depends on the lease. Redis unreachable: replicas serve their
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
  /** Default connect timeout (TCP, TLS and handshake; in the background, not counted against commands). */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Default decider's lease: five ticks of one second. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(5);
  /** Default number of decisions kept per flag in Redis' capped stream. */
  public static final int DEFAULT_DECISION_LOG_LENGTH = 100;

  private final String uri;
  private final String service;
  private final String instanceId;
  private final Duration commandTimeout;
  private final Duration connectTimeout;
  private final Duration lease;
  private final int decisionLogLength;
  private final int recentDecisions;
  private final boolean forcedLeader;
  private final boolean subscribe;
  private final boolean cluster;
  private final java.nio.file.Path trustedCertificates;
  /** The member this fleet joined, for {@link #status()}; null before the provider joins and after it leaves. */
  private final java.util.concurrent.atomic.AtomicReference<FleetMember> member =
      new java.util.concurrent.atomic.AtomicReference<>();

  private RedisFleet(Builder b) {
    this.trustedCertificates = b.trustedCertificates;
    this.cluster = b.cluster;
    this.uri = b.uri;
    this.service = b.service;
    this.instanceId = b.instanceId;
    this.commandTimeout = b.commandTimeout;
    this.connectTimeout = b.connectTimeout;
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
    FleetMember m = new FleetMember(this, Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(local, "local"));
    member.set(m);
    return m;
  }

  /**
   * What this replica knows of its fleet now, for dashboards and health checks: the fleet-wide
   * windows the decider judges, each instance's recent calls, the decider, and the store's health.
   * Empty until a provider has joined with this fleet (one provider per {@code RedisFleet}). Reads
   * only local copies, refreshed by the provider's tick (never waits for Redis).
   */
  public java.util.Optional<Status> status() {
    FleetMember m = member.get();
    return m == null || m.closed() ? java.util.Optional.empty() : java.util.Optional.of(m.status());
  }

  java.nio.file.Path trustedCertificates() {
    return trustedCertificates;
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

  Duration connectTimeout() {
    return connectTimeout;
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
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration lease = DEFAULT_LEASE;
    private int decisionLogLength = DEFAULT_DECISION_LOG_LENGTH;
    private int recentDecisions = 100;
    private boolean forcedLeader;
    private boolean subscribe = true;
    private boolean cluster;
    private java.nio.file.Path trustedCertificates;

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
     * How long connecting to Redis (TCP, TLS, handshake) may take; default 10 s, 100 ms to 5 min.
     * A connect runs in the background: a tick waits for it at most one command timeout, and until
     * it completes the replica serves what it knows, as while Redis is unreachable.
     */
    public Builder connectTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "connectTimeout");
      if (timeout.toMillis() < 100 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("connectTimeout must be between 100 ms and 5 min, got " + timeout);
      }
      this.connectTimeout = timeout;
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

    /**
     * For a {@code rediss://} URI: trust the certificates in this PEM file (e.g. a private CA's)
     * instead of the JVM's trust store. The server's certificate must still name the URI's host.
     */
    public Builder trustedCertificates(java.nio.file.Path pemFile) {
      Objects.requireNonNull(pemFile, "pemFile");
      if (!java.nio.file.Files.isReadable(pemFile)) {
        throw new IllegalArgumentException("trustedCertificates: cannot read " + pemFile);
      }
      this.trustedCertificates = pemFile;
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

  /**
   * One replica's view of its fleet: what a dashboard shows. Immutable; from {@link #status()}.
   * Fleet-wide parts (the decider, the instances' calls, the windows) are as of the replica's last
   * tick that read them: ticks read them while {@code status()} has been asked in the last minute.
   */
  public static final class Status {
    private final String service;
    private final String instanceId;
    private final boolean deciding;
    private final String decider;
    private final java.time.Instant unreachableSince;
    private final String problem;
    private final long pushedCalls;
    private final long droppedCalls;
    private final long unpushedCalls;
    private final long duplicatePushes;
    private final java.util.Map<String, Long> instanceCalls;
    private final java.time.Instant readAt;
    private final boolean fleetWide;
    private final dev.burnguard.outcome.Outcomes.SliSource windows;

    Status(String service, String instanceId, boolean deciding, String decider, java.time.Instant unreachableSince,
        String problem, long pushedCalls, long droppedCalls, long unpushedCalls, long duplicatePushes,
        java.util.Map<String, Long> instanceCalls, java.time.Instant readAt, boolean fleetWide,
        dev.burnguard.outcome.Outcomes.SliSource windows) {
      this.service = service;
      this.instanceId = instanceId;
      this.deciding = deciding;
      this.decider = decider;
      this.unreachableSince = unreachableSince;
      this.problem = problem;
      this.pushedCalls = pushedCalls;
      this.droppedCalls = droppedCalls;
      this.unpushedCalls = unpushedCalls;
      this.duplicatePushes = duplicatePushes;
      this.instanceCalls = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(instanceCalls));
      this.readAt = readAt;
      this.fleetWide = fleetWide;
      this.windows = windows;
    }

    /** The service whose replicas form the fleet. */
    public String service() {
      return service;
    }

    /** This replica's instance id. */
    public String instanceId() {
      return instanceId;
    }

    /** Whether this replica holds the decider's lease now. */
    public boolean deciding() {
      return deciding;
    }

    /** The instance id of the replica holding the decider's lease, as last read; empty when none or not read yet. */
    public java.util.Optional<String> decider() {
      return java.util.Optional.ofNullable(decider);
    }

    /** Since when Redis has not answered; empty while it answers. */
    public java.util.Optional<java.time.Instant> unreachableSince() {
      return java.util.Optional.ofNullable(unreachableSince);
    }

    /** What is wrong with the fleet store (unreachable, state unknown, a key holding a value Burnguard did not write); empty when healthy. Never contains credentials. */
    public java.util.Optional<String> problem() {
      return java.util.Optional.ofNullable(problem);
    }

    /** Calls this replica pushed and Redis counted. */
    public long pushedCalls() {
      return pushedCalls;
    }

    /** Calls this replica pushed that could not be counted (too late for their bucket, or under a bad key). */
    public long droppedCalls() {
      return droppedCalls;
    }

    /** Calls recorded here and not yet acknowledged by Redis (kept while it is unreachable). */
    public long unpushedCalls() {
      return unpushedCalls;
    }

    /** Pushes re-sent after a lost reply that Redis had already counted (refused as duplicates). */
    public long duplicatePushes() {
      return duplicatePushes;
    }

    /**
     * Each instance's calls pushed in the current and the previous minute (by the pushing
     * replicas' clocks), by instance id, as last read; instances that pushed nothing for a minute
     * are left out.
     */
    public java.util.Map<String, Long> instanceCalls() {
      return instanceCalls;
    }

    /** When the decider and the instances' calls were last read from Redis; empty when never. */
    public java.util.Optional<java.time.Instant> readAt() {
      return java.util.Optional.ofNullable(readAt);
    }

    /** Whether {@link #counts} are the fleet's sums (false: Redis not read yet or unreachable). */
    public boolean fleetWide() {
      return fleetWide;
    }

    /** The fleet-wide counts of one variant over {@code window}, as the decider judges them (the sum over every replica). */
    public dev.burnguard.outcome.Outcomes.WindowCounts counts(String flagKey, String variant, java.time.Duration window) {
      long[] out = new long[2 + windows.latencyThresholds().size()];
      windows.windows(flagKey).counts(variant, window, out);
      return new dev.burnguard.outcome.Outcomes.WindowCounts(window, out[0], out[1],
          java.util.Arrays.copyOfRange(out, 2, out.length));
    }

    @Override
    public String toString() {
      return "fleet " + service + " as " + instanceId + (deciding ? " (deciding)" : ", decider " + decider)
          + (problem == null ? "" : ": " + problem);
    }
  }
}
