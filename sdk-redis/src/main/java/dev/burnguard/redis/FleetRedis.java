package dev.burnguard.redis;

import dev.burnguard.time.Clock;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One service's fleet keys on one Redis (or Redis Cluster shard: all keys share a hash tag), over
 * Lettuce: the atomic Lua scripts, the reads, the change channel, and whether Redis is reachable.
 *
 * <p>Every command runs with the configured timeout and fails fast while disconnected (Lettuce's
 * {@code REJECT_COMMANDS}: nothing queues up behind an outage); a failure is rethrown as a
 * {@link FleetStoreException} whose message never contains the URI's credentials, and marks the
 * store unreachable since the clock's now until a command succeeds again.
 *
 * <p><b>Connecting</b> is not a command: the first command starts connecting in the background,
 * with its own connect timeout (default {@link RedisFleet#DEFAULT_CONNECT_TIMEOUT}, covering TCP,
 * TLS and the handshake), and waits for it at most one command timeout. A connect that takes
 * longer (a cold JVM, TLS, a slow network) goes on in the background: meanwhile commands fail fast
 * ("still connecting") and Redis counts as unreachable, so the replica serves what it knows, as
 * when Redis is down; the tick after the connect completes uses it. A failed connect is retried by
 * the next command.
 *
 * <p><b>Two connections:</b> single commands go through one (auto-flushed); the bulk reads (every
 * flag's state, the SLI rings) are queued on a second one whose commands are written only when a
 * read has queued all of them ({@code flushCommands}), so a read of thousands of keys is one write
 * and one round trip instead of one socket write per command.
 *
 * <p>Concurrency: thread-safe. Lettuce connections are thread-safe; connecting is under this
 * object's lock; bulk reads are serialized on their own lock (their connection's queue is shared).
 * Reachability is two volatile fields. Change notifications arrive on a Lettuce thread and are
 * handed to the listener given to {@link #subscribe}, which must not block.
 */
final class FleetRedis implements AutoCloseable {
  private static final String[] SCRIPTS = {"cas", "seed", "forget", "lease", "release", "push", "budget"};

  private final RedisURI uri;
  private final String redactedUri;
  private final FleetKeys keys;
  private final Clock clock;
  private final Duration timeout;
  private final io.lettuce.core.resource.ClientResources resources;
  /** A {@link RedisClient}, or a {@link RedisClusterClient} for a Redis Cluster. */
  private final AbstractRedisClient client;
  private final boolean cluster;
  private final Map<String, String> scripts = new LinkedHashMap<>();
  private final Map<String, String> digests = new java.util.concurrent.ConcurrentHashMap<>();

  private final Duration connectTimeout;
  private final Object lock = new Object();
  /** Both connections once connected; null before. Guarded by lock (read without it once set: volatile). */
  private volatile Connections connections;
  /** The connect in progress; null when none. Guarded by lock. */
  private java.util.concurrent.CompletableFuture<Connections> connecting;
  private final Object bulkLock = new Object();
  /** Runs a Redis Cluster client's blocking connects in the background (daemon threads, idle ones end). */
  private final java.util.concurrent.ExecutorService connectThreads = java.util.concurrent.Executors.newCachedThreadPool(
      r -> {
        Thread t = new Thread(r, "burnguard-fleet-connect");
        t.setDaemon(true);
        return t;
      });
  private StatefulRedisPubSubConnection<String, String> pubSub; // guarded by lock
  private volatile Consumer<String> changeListener; // written under lock
  /** The subscription being made; null when none. Guarded by lock. */
  private java.util.concurrent.CompletableFuture<StatefulRedisPubSubConnection<String, String>> subscribing;
  private volatile Instant unreachableSince;
  private volatile String lastError;

  /** Redis's replies refusing a connection's credentials or rights, up to the end of their sentence. */
  private static final Pattern REFUSAL = Pattern.compile("\\b(WRONGPASS|NOAUTH|NOPERM)\\b[^.;)]*");
  // the last refusal of this replica's credentials (WRONGPASS, NOAUTH, NOPERM) since Redis last
  // answered: Lettuce may report a refused handshake as "Connection closed prematurely" when the
  // channel closes first, and a wrong password must not hide behind that
  private volatile String refusal;
  private volatile boolean closed;

  FleetRedis(String redisUri, FleetKeys keys, Clock clock, Duration timeout) {
    this(redisUri, keys, clock, timeout, false);
  }

  /** @param cluster the URI names a node of a Redis Cluster; the client finds the others and follows redirects */
  FleetRedis(String redisUri, FleetKeys keys, Clock clock, Duration timeout, boolean cluster) {
    this(redisUri, keys, clock, timeout, cluster, null);
  }

  /**
   * @param trustedCertificates PEM file of the certificates (e.g. a private CA) trusted for a
   *     {@code rediss://} server, instead of the JVM's trust store; null for the JVM's
   */
  FleetRedis(String redisUri, FleetKeys keys, Clock clock, Duration timeout, boolean cluster,
      java.nio.file.Path trustedCertificates) {
    this(redisUri, keys, clock, timeout, cluster, trustedCertificates, RedisFleet.DEFAULT_CONNECT_TIMEOUT);
  }

  /** @param connectTimeout how long a connect (TCP, TLS, handshake) may take, in the background */
  FleetRedis(String redisUri, FleetKeys keys, Clock clock, Duration timeout, boolean cluster,
      java.nio.file.Path trustedCertificates, Duration connectTimeout) {
    this.cluster = cluster;
    this.redactedUri = redact(redisUri);
    this.uri = parse(redisUri, redactedUri);
    this.uri.setTimeout(connectTimeout); // the handshake's commands (HELLO, AUTH); commands get `timeout` below
    this.keys = keys;
    this.clock = clock;
    this.timeout = timeout;
    this.connectTimeout = connectTimeout;
    for (String name : SCRIPTS) {
      scripts.put(name, resource(name + ".lua"));
    }
    // reconnect attempts back off from 10 ms to at most 1 s (Lettuce's default goes to 30 s), so a
    // replica finds a returning Redis within about a second plus a tick
    this.resources = io.lettuce.core.resource.DefaultClientResources.builder()
        .reconnectDelay(io.lettuce.core.resource.Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
            TimeUnit.MILLISECONDS))
        .build();
    if (cluster) {
      RedisClusterClient c = RedisClusterClient.create(resources, uri);
      c.setOptions(ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
          .sslOptions(ssl(trustedCertificates))
          .build());
      this.client = c;
    } else {
      RedisClient c = RedisClient.create(resources, uri);
      c.setOptions(ClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
          .sslOptions(ssl(trustedCertificates))
          .build());
      this.client = c;
    }
  }

  private static io.lettuce.core.SslOptions ssl(java.nio.file.Path trustedCertificates) {
    io.lettuce.core.SslOptions.Builder b = io.lettuce.core.SslOptions.builder().jdkSslProvider();
    if (trustedCertificates != null) {
      b.trustManager(trustedCertificates.toFile());
    }
    return b.build();
  }

  /** The URI with its user and password replaced by {@code ***}, for messages and logs. */
  static String redact(String redisUri) {
    if (redisUri == null) {
      return "null";
    }
    int scheme = redisUri.indexOf("://");
    int at = redisUri.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      return redisUri.substring(0, scheme + 3) + "***@" + redisUri.substring(at + 1);
    }
    return redisUri;
  }

  /** Checks a URI as {@link RedisFleet.Builder} is given it; throws naming the URI without credentials. */
  static void checkUri(String redisUri) {
    parse(redisUri, redact(redisUri));
  }

  private static RedisURI parse(String redisUri, String redacted) {
    Objects.requireNonNull(redisUri, "redisUri");
    if (!(redisUri.startsWith("redis://") || redisUri.startsWith("rediss://")
        || redisUri.startsWith("redis-sentinel://") || redisUri.startsWith("rediss-sentinel://"))) {
      throw new IllegalArgumentException("the Redis URI must start with redis://, rediss:// (TLS), redis-sentinel:// "
          + "or rediss-sentinel://, got " + redacted);
    }
    try {
      RedisURI parsed = RedisURI.create(redisUri);
      if (parsed.getSentinels().isEmpty() && (parsed.getHost() == null || parsed.getHost().isEmpty()
          || parsed.getPort() < 1 || parsed.getPort() > 65535)) {
        throw new IllegalArgumentException("no host, or a port outside 1..65535");
      }
      return parsed;
    } catch (RuntimeException e) {
      // Lettuce's message may quote the URI: never pass it on
      throw new IllegalArgumentException("malformed Redis URI " + redacted + " (" + (e.getMessage() != null
          && e.getMessage().startsWith("no host") ? e.getMessage() : e.getClass().getSimpleName()) + ")");
    }
  }

  private static String resource(String name) {
    try (InputStream in = FleetRedis.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing script " + name + " in the burnguard-redis jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read script " + name + ": " + e.getMessage(), e);
    }
  }

  String redactedUri() {
    return redactedUri;
  }

  FleetKeys keys() {
    return keys;
  }

  /** Since when Redis has not answered, by the clock; null while it answers. */
  Instant unreachableSince() {
    return unreachableSince;
  }

  /** Why Redis last failed to answer (credentials redacted); null while it answers. */
  String lastError() {
    return lastError;
  }

  /** Redis' last refusal of this replica's credentials (WRONGPASS, NOAUTH, NOPERM) since it last answered; null if none. */
  String refusal() {
    return refusal;
  }

  // ------------------------------------------------------------------------------------ commands

  /** The outcome of a compare-and-set. */
  record CasResult(boolean applied, long currentVersion, String currentState) {}

  /** CAS of a flag's state on {@code expectedVersion} (-1: none stored), with its decision appended. */
  CasResult compareAndSet(String flagKey, long expectedVersion, long newVersion, String stateJson, String decisionJson,
      int decisionsKept) {
    List<Object> reply = script("cas", List.of(keys.state(flagKey), keys.decisions(flagKey), keys.flags()),
        List.of(Long.toString(expectedVersion), Long.toString(newVersion), stateJson,
            decisionJson == null ? "" : decisionJson, Integer.toString(decisionsKept), keys.changes(), flagKey),
        "compare-and-set " + keys.state(flagKey));
    boolean applied = ((Long) reply.get(0)) == 1L;
    String version = text(reply.get(1));
    long current;
    try {
      current = Long.parseLong(version);
    } catch (NumberFormatException e) {
      throw new FleetStoreException(keys.state(flagKey) + " holds version \"" + version
          + "\", not a whole number; delete the key (the replicas re-seed it) or repair it", null, true);
    }
    return new CasResult(applied, current, applied ? stateJson : (reply.size() > 2 ? text(reply.get(2)) : ""));
  }

  /** Writes a state known to a replica where none, or an older one, is stored; true when written. */
  boolean seed(String flagKey, long version, String stateJson) {
    List<Object> reply = script("seed", List.of(keys.state(flagKey), keys.flags()),
        List.of(Long.toString(version), stateJson, keys.changes(), flagKey), "seed " + keys.state(flagKey));
    return ((Long) reply.get(0)) == 1L;
  }

  /** Drops a flag's state if it still has {@code version}; true when dropped or already gone. */
  boolean forget(String flagKey, long version) {
    List<Object> reply = script("forget", List.of(keys.state(flagKey), keys.flags()),
        List.of(Long.toString(version), flagKey), "forget " + keys.state(flagKey));
    return ((Long) reply.get(0)) == 1L;
  }

  /** Takes or renews the decider's lease for {@code holder}; true when the holder leads. */
  boolean lease(String holder, Duration lease) {
    List<Object> reply = script("lease", List.of(keys.leader()), List.of(holder, Long.toString(lease.toMillis())),
        "lease " + keys.leader());
    return ((Long) reply.get(0)) == 1L;
  }

  /** Gives the lease back if {@code holder} holds it (compare-and-delete); true when it did. */
  boolean release(String holder) {
    List<Object> reply = script("release", List.of(keys.leader()), List.of(holder), "release " + keys.leader());
    return ((Long) reply.get(0)) == 1L;
  }

  /** The current decider, or null. */
  String leader() {
    return call("read " + keys.leader(), c -> c.get(keys.leader()).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /**
   * The outcome of a push: whether it was applied (false: a duplicate), calls that could not be
   * counted (too old for any bucket, or under a ring key holding something else), and those keys.
   */
  record PushResult(boolean applied, long droppedCalls, List<String> badKeys) {}

  /** As the full push, without adding to an instance's recent calls. */
  PushResult push(String replica, long sequence, Duration sequenceTtl, int words, List<String> ringKeys,
      List<String> entries) {
    return push(replica, sequence, sequenceTtl, words, ringKeys, entries, "", "", 0);
  }

  /**
   * Adds a replica's batch of SLI deltas exactly once (see push.lua).
   *
   * @param ringKeys 4 ring keys per entry
   * @param entries per entry: second, then {@code words} counters
   * @param instance the instance id whose recent calls the batch adds to ({@link #instances}); "" for none
   * @param holder the instance's lease holder id (to tell which instance decides)
   * @param minute the push's epoch minute
   */
  PushResult push(String replica, long sequence, Duration sequenceTtl, int words, List<String> ringKeys,
      List<String> entries, String instance, String holder, long minute) {
    List<String> k = new ArrayList<>(ringKeys.size() + 3);
    k.add(keys.pushSequence(replica));
    k.add(keys.series());
    k.add(keys.replicas());
    k.addAll(ringKeys);
    List<String> args = new ArrayList<>(entries.size() + 6);
    args.add(Long.toString(sequence));
    args.add(Long.toString(sequenceTtl.toMillis()));
    args.add(Integer.toString(words));
    args.add(instance);
    args.add(holder);
    args.add(Long.toString(minute));
    args.addAll(entries);
    List<Object> reply = script("push", k, args, "push to " + keys.prefix() + "sli:*");
    return pushResult(reply);
  }

  private static PushResult pushResult(List<Object> reply) {
    List<String> bad = new ArrayList<>();
    for (int i = 2; i < reply.size(); i++) {
      bad.add(text(reply.get(i)));
    }
    return new PushResult(((Long) reply.get(0)) == 1L, (Long) reply.get(1), bad);
  }

  /**
   * Adds a replica's batch of journey-SLO counts exactly once (see budget.lua); true when applied,
   * false for a duplicate.
   *
   * @param entries per SLO key: {hour, calls, bad} rows
   */
  boolean pushBudgets(String replica, long sequence, Duration sequenceTtl, long keptHours, Duration keyTtl,
      Map<String, List<long[]>> entries) {
    List<String> k = new ArrayList<>(entries.size() + 1);
    k.add(keys.budgetSequence(replica));
    List<String> args = new ArrayList<>();
    args.add(Long.toString(sequence));
    args.add(Long.toString(sequenceTtl.toMillis()));
    args.add(Long.toString(keptHours));
    args.add(Long.toString(keyTtl.toMillis()));
    entries.forEach((slo, rows) -> {
      k.add(keys.budget(slo));
      args.add(Integer.toString(rows.size()));
      for (long[] row : rows) {
        args.add(Long.toString(row[0]));
        args.add(Long.toString(row[1]));
        args.add(Long.toString(row[2]));
      }
    });
    List<Object> reply = script("budget", k, args, "push to " + keys.prefix() + "budget:*");
    return ((Long) reply.get(0)) == 1L;
  }

  /** Whole hashes in one pipelined round: per key, field to value, or null for a key that holds another type. */
  List<Map<String, String>> hashes(List<String> hashKeys, String what) {
    return bulk("read " + what, (c, flush) -> {
      List<RedisFuture<Map<String, String>>> pending = new ArrayList<>(hashKeys.size());
      for (String key : hashKeys) {
        pending.add(c.hgetall(key));
      }
      flush.run();
      List<Map<String, String>> out = new ArrayList<>(hashKeys.size());
      for (RedisFuture<Map<String, String>> f : pending) {
        out.add(unlessWrongType(f));
      }
      return out;
    });
  }

  /** One instance's recent calls as pushed: calls in its last push's minute and the minute before, and its holder id. */
  record InstanceCalls(long minute, long calls, long callsMinuteBefore, String holder) {}

  /** Every instance's recent calls, by instance id; a field we did not write is named in a {@link FleetStoreException}. */
  Map<String, InstanceCalls> instances() {
    Map<String, String> raw = call("read " + keys.replicas(),
        c -> c.hgetall(keys.replicas()).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    Map<String, InstanceCalls> out = new java.util.TreeMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String[] f = e.getValue().split(":", 4);
      try {
        out.put(e.getKey(), new InstanceCalls(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
            f.length > 3 ? f[3] : ""));
      } catch (RuntimeException bad) {
        throw new FleetStoreException(keys.replicas() + " field " + e.getKey() + " holds \"" + e.getValue()
            + "\", not minute:calls:calls:holder; delete the key", null, true);
      }
    }
    return out;
  }

  /** A stored state: its version and JSON, as written (not yet checked). */
  record Stored(String versionText, String stateJson) {}

  /** Every stored state, by flag; one round trip for the index and one pipelined round for the states. */
  Map<String, Stored> states() {
    return bulk("read " + keys.flags() + " and " + keys.prefix() + "state:*", (c, flush) -> {
      RedisFuture<Set<String>> index = c.smembers(keys.flags());
      flush.run();
      Set<String> flags = index.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, RedisFuture<List<KeyValue<String, String>>>> pending = new LinkedHashMap<>();
      for (String flag : flags) {
        pending.put(flag, c.hmget(keys.state(flag), "version", "state"));
      }
      flush.run();
      Map<String, Stored> out = new LinkedHashMap<>();
      for (Map.Entry<String, RedisFuture<List<KeyValue<String, String>>>> e : pending.entrySet()) {
        List<KeyValue<String, String>> kv = e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (kv.get(0).hasValue()) {
          out.put(e.getKey(), new Stored(kv.get(0).getValue(), kv.get(1).getValueOrElse(null)));
        }
      }
      return out;
    });
  }

  /** One flag's stored state, or null. */
  Stored state(String flagKey) {
    return call("read " + keys.state(flagKey), c -> {
      List<KeyValue<String, String>> kv = c.hmget(keys.state(flagKey), "version", "state")
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return kv.get(0).hasValue() ? new Stored(kv.get(0).getValue(), kv.get(1).getValueOrElse(null)) : null;
    });
  }

  /** The flag's last {@code count} decisions' JSON, oldest first. */
  List<String> decisions(String flagKey, int count) {
    return call("read " + keys.decisions(flagKey), c -> {
      List<StreamMessage<String, String>> newestFirst = c.xrevrange(keys.decisions(flagKey), Range.create("-", "+"),
          io.lettuce.core.Limit.from(count)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<String> out = new ArrayList<>(newestFirst.size());
      for (int i = newestFirst.size() - 1; i >= 0; i--) {
        String d = newestFirst.get(i).getBody().get("decision");
        if (d == null) {
          throw new FleetStoreException(keys.decisions(flagKey) + " entry " + newestFirst.get(i).getId()
              + " has no \"decision\" field; it was not written by Burnguard", null, true);
        }
        out.add(d);
      }
      return out;
    });
  }

  /** The guardian's evidence text kept with the fleet's state, or null. */
  String evidence() {
    return call("read " + keys.evidence(), c -> c.get(keys.evidence()).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Keeps the guardian's evidence text. */
  void keepEvidence(String text) {
    call("write " + keys.evidence(), c -> c.set(keys.evidence(), text).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Publishes the decider's read of the fleet's sums for the followers; it expires after {@code ttl}. */
  void publishSums(String text, Duration ttl) {
    call("write " + keys.sums(), c -> c.psetex(keys.sums(), ttl.toMillis(), text)
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** The decider's last published read of the fleet's sums, or null (none, or expired). */
  String sums() {
    return call("read " + keys.sums(), c -> c.get(keys.sums()).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** The 10-s ring key of every series any replica pushed. */
  List<String> series() {
    return call("read " + keys.series(), c -> new ArrayList<>(c.smembers(keys.series())
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS)));
  }

  /**
   * Some slots of several hash rings in one pipelined round: per key, slot field to value (absent
   * slots left out), or null for a key that holds something else than a hash.
   */
  List<Map<String, String>> ringSlots(List<String> ringKeys, List<List<String>> fields) {
    return bulk("read " + keys.prefix() + "sli:*", (c, flush) -> {
      List<RedisFuture<List<KeyValue<String, String>>>> pending = new ArrayList<>(ringKeys.size());
      for (int i = 0; i < ringKeys.size(); i++) {
        pending.add(c.hmget(ringKeys.get(i), fields.get(i).toArray(new String[0])));
      }
      flush.run();
      List<Map<String, String>> out = new ArrayList<>(ringKeys.size());
      for (RedisFuture<List<KeyValue<String, String>>> f : pending) {
        List<KeyValue<String, String>> slots = unlessWrongType(f);
        if (slots == null) {
          out.add(null);
          continue;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (KeyValue<String, String> kv : slots) {
          if (kv.hasValue()) {
            m.put(kv.getKey(), kv.getValue());
          }
        }
        out.add(m);
      }
      return out;
    });
  }

  /** The contents of several hash rings in one pipelined round: per key, slot field to value, or null as above. */
  List<Map<String, String>> rings(List<String> ringKeys) {
    return bulk("read " + keys.prefix() + "sli:*", (c, flush) -> {
      List<RedisFuture<Map<String, String>>> pending = new ArrayList<>(ringKeys.size());
      for (String key : ringKeys) {
        pending.add(c.hgetall(key));
      }
      flush.run();
      List<Map<String, String>> out = new ArrayList<>(ringKeys.size());
      for (RedisFuture<Map<String, String>> f : pending) {
        out.add(unlessWrongType(f));
      }
      return out;
    });
  }

  /** The future's value, or null when Redis answered WRONGTYPE (the key holds something we did not write). */
  private <T> T unlessWrongType(RedisFuture<T> f) throws Exception {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() != null && e.getCause().getMessage() != null
          && e.getCause().getMessage().startsWith("WRONGTYPE")) {
        return null;
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------------------------ plumbing

  @SuppressWarnings("unchecked")
  private List<Object> script(String name, List<String> scriptKeys, List<String> args, String what) {
    String[] k = scriptKeys.toArray(new String[0]);
    String[] a = args.toArray(new String[0]);
    return call(what, c -> {
      if (cluster) {
        // scripts are cached per node: send the text, routed by its keys' slot (one slot per service)
        return (List<Object>) c.<List<Object>>eval(scripts.get(name), ScriptOutputType.MULTI, k, a)
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      String digest = digests.get(name);
      if (digest != null) {
        try {
          return (List<Object>) c.<List<Object>>evalsha(digest, ScriptOutputType.MULTI, k, a)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RedisNoScriptException)) {
            throw e;
          }
          // Redis restarted or flushed its scripts: load it again below
        }
      }
      digests.put(name, c.scriptLoad(scripts.get(name)).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      return (List<Object>) c.<List<Object>>evalsha(digests.get(name), ScriptOutputType.MULTI, k, a)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    });
  }

  private interface Command<T> {
    T run(RedisClusterAsyncCommands<String, String> commands) throws Exception;
  }

  /** A pipelined read: queues its commands, runs {@code flush} to write them in one go, then waits for the replies. */
  private interface BulkCommand<T> {
    T run(RedisClusterAsyncCommands<String, String> commands, Runnable flush) throws Exception;
  }

  /** Runs {@code command} on the bulk connection (one bulk read at a time); as {@link #call} otherwise. */
  private <T> T bulk(String what, BulkCommand<T> command) {
    synchronized (bulkLock) {
      return call(what, c -> {
        StatefulConnection<String, String> bulk = connections.bulk();
        return command.run(async(bulk), bulk::flushCommands);
      });
    }
  }

  /** Runs {@code command}, tracking reachability; every failure becomes a {@link FleetStoreException}. */
  private <T> T call(String what, Command<T> command) {
    if (closed) {
      throw new FleetStoreException("the fleet store for " + redactedUri + " is closed", null, false);
    }
    try {
      T result = command.run(commands());
      unreachableSince = null;
      lastError = null;
      refusal = null;
      return result;
    } catch (FleetStoreException e) {
      if (!e.corrupt()) {
        unreachable(e.getMessage());
      }
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (message.startsWith("WRONGTYPE") || message.contains("ERR Error running script")
          || message.contains("user_script")) {
        // the reply of Redis itself: a key of ours holds something we did not write
        throw new FleetStoreException(what + " failed on " + redactedUri + ": " + redact(message)
            + " (a key under " + keys.prefix() + " holds a value Burnguard did not write; delete it)", cause, true);
      }
      throw unreachable(what, cause);
    } catch (StillConnecting e) {
      throw unreachable(what, e);
    } catch (TimeoutException e) {
      throw unreachable(what, new TimeoutException("no reply within " + timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(what, e);
    } catch (Exception e) {
      throw unreachable(what, e);
    }
  }

  private FleetStoreException unreachable(String what, Throwable cause) {
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != cause && root.getMessage() != null) {
      message += ": " + root.getMessage(); // e.g. WRONGPASS, or the TLS handshake's reason
    }
    String text = what + " failed: Redis at " + redactedUri + " did not answer (" + redact(message) + ")";
    unreachable(text);
    return new FleetStoreException(text, cause, false);
  }

  /** Notes a failure to reach Redis; package-private for the test that races Lettuce's handshake. */
  void unreachable(String message) {
    if (unreachableSince == null) {
      unreachableSince = Instant.ofEpochMilli(clock.wallMillis());
    }
    Matcher refused = REFUSAL.matcher(message);
    if (refused.find()) {
      refusal = refused.group();
      lastError = message;
    } else {
      String earlier = refusal;
      lastError = earlier == null ? message : message + "; Redis refused this replica's credentials earlier: " + earlier;
    }
  }

  /** A command found the connect still in progress after waiting one command timeout for it. */
  private static final class StillConnecting extends Exception {
    StillConnecting(String message) {
      super(message, null, false, false);
    }
  }

  /** The single-command connection and the bulk-read one (auto-flush off). */
  private record Connections(StatefulConnection<String, String> single, StatefulConnection<String, String> bulk) {
    void closeAsync() {
      single.closeAsync();
      bulk.closeAsync();
    }
  }

  /**
   * The single-command connection's commands; connects first if needed: the connect runs in the
   * background with the connect timeout, and this waits for it at most one command timeout
   * (throwing "still connecting" after that, the connect going on).
   */
  private RedisClusterAsyncCommands<String, String> commands() throws Exception {
    Connections c = connections;
    if (c != null) {
      return async(c.single());
    }
    java.util.concurrent.CompletableFuture<Connections> pending;
    synchronized (lock) {
      if (connections != null) {
        return async(connections.single());
      }
      if (connecting == null || connecting.isCompletedExceptionally()) {
        connecting = connect(); // a failed connect is retried by the next command
      }
      pending = connecting;
    }
    try {
      Connections made = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return async(made.single());
    } catch (TimeoutException e) {
      throw new StillConnecting("still connecting (connect timeout " + connectTimeout + "; a command waits for it at "
          + "most " + timeout + ", the connect goes on in the background)");
    }
  }

  /** Opens both connections in the background; on success they become {@link #connections}. */
  private java.util.concurrent.CompletableFuture<Connections> connect() {
    java.util.concurrent.CompletableFuture<StatefulConnection<String, String>> single = open();
    java.util.concurrent.CompletableFuture<StatefulConnection<String, String>> bulk = open();
    java.util.concurrent.CompletableFuture<Connections> both = single.thenCombine(bulk, (s, b) -> {
      s.setTimeout(timeout);
      b.setTimeout(timeout);
      b.setAutoFlushCommands(false);
      return new Connections(s, b);
    });
    both.whenComplete((made, failure) -> {
      if (failure != null) {
        // the one that did open is not used: close it
        single.thenAccept(StatefulConnection::closeAsync);
        bulk.thenAccept(StatefulConnection::closeAsync);
        return;
      }
      synchronized (lock) {
        if (closed) {
          made.closeAsync();
        } else {
          connections = made;
        }
      }
    });
    return both;
  }

  private java.util.concurrent.CompletableFuture<StatefulConnection<String, String>> open() {
    io.lettuce.core.codec.StringCodec codec = io.lettuce.core.codec.StringCodec.UTF8;
    // a cluster client's asynchronous connect needs the topology read first: its blocking connect,
    // which reads it, runs on a connect thread instead
    return cluster
        ? java.util.concurrent.CompletableFuture.supplyAsync(() -> ((RedisClusterClient) client).connect(codec),
            connectThreads).thenApply(c -> (StatefulConnection<String, String>) c)
        : ((RedisClient) client).connectAsync(codec, uri).toCompletableFuture()
            .thenApply(c -> (StatefulConnection<String, String>) c);
  }

  @SuppressWarnings("unchecked")
  private RedisClusterAsyncCommands<String, String> async(StatefulConnection<String, String> connection) {
    return cluster ? ((StatefulRedisClusterConnection<String, String>) connection).async()
        : ((StatefulRedisConnection<String, String>) connection).async();
  }

  /**
   * Subscribes {@code listener} to change notifications ({@code "<flag>@<version>"}); Lettuce
   * re-subscribes after a reconnect. A failure to subscribe now is retried by the next call.
   */
  void subscribe(Consumer<String> listener) {
    java.util.concurrent.CompletableFuture<StatefulRedisPubSubConnection<String, String>> opening;
    synchronized (lock) {
      changeListener = listener;
      if (pubSub != null || subscribing != null || closed) {
        return;
      }
      io.lettuce.core.codec.StringCodec codec = io.lettuce.core.codec.StringCodec.UTF8;
      // connected in the background like the command connections (connect timeout, not the command timeout)
      java.util.concurrent.CompletableFuture<StatefulRedisPubSubConnection<String, String>> connect = cluster
          ? java.util.concurrent.CompletableFuture.supplyAsync(() -> ((RedisClusterClient) client).connectPubSub(codec),
              connectThreads).thenApply(c -> (StatefulRedisPubSubConnection<String, String>) c)
          : ((RedisClient) client).connectPubSubAsync(codec, uri).toCompletableFuture();
      opening = connect.thenCompose(ps -> {
        ps.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            Consumer<String> l = changeListener;
            if (l != null) {
              l.accept(message);
            }
          }
        });
        return ps.async().subscribe(keys.changes()).toCompletableFuture().thenApply(v -> ps);
      });
      subscribing = opening;
      opening.whenComplete((ps, failure) -> {
        synchronized (lock) {
          subscribing = null;
          if (failure == null && !closed) {
            pubSub = ps;
          } else if (ps != null) {
            ps.closeAsync();
          }
        }
        if (failure != null) {
          connect.thenAccept(StatefulRedisPubSubConnection::closeAsync); // subscribed failed on an open connection
        }
      });
    }
    try {
      opening.get(timeout.toMillis(), TimeUnit.MILLISECONDS); // usually done within this; else it goes on
    } catch (Exception e) {
      // polling covers the changes until the subscription is made (or a later call retries it)
    }
  }

  boolean subscribed() {
    synchronized (lock) {
      return pubSub != null && pubSub.isOpen();
    }
  }

  /** Drops the change subscription (tests of the polling fallback). */
  void unsubscribe() {
    synchronized (lock) {
      if (pubSub != null) {
        pubSub.closeAsync();
        pubSub = null;
      }
      changeListener = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      if (pubSub != null) {
        pubSub.closeAsync();
      }
      if (connections != null) {
        connections.closeAsync();
      }
    }
    connectThreads.shutdown();
    client.shutdownAsync(0, 2, TimeUnit.SECONDS).whenComplete((v, e) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }

  private static String text(Object o) {
    if (o == null) {
      return "";
    }
    if (o instanceof byte[]) {
      return new String((byte[]) o, StandardCharsets.UTF_8);
    }
    if (o instanceof java.nio.ByteBuffer) {
      return StandardCharsets.UTF_8.decode(((java.nio.ByteBuffer) o).duplicate()).toString();
    }
    return o.toString();
  }
}
