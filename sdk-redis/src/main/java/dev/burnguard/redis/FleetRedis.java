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
 * <p>Concurrency: thread-safe. Lettuce connections are thread-safe; the connection is opened
 * lazily (and again after a failed first attempt) under this object's lock. Reachability is two
 * volatile fields. Change notifications arrive on a Lettuce thread and are handed to the listener
 * given to {@link #subscribe}, which must not block.
 */
final class FleetRedis implements AutoCloseable {
  private static final String[] SCRIPTS = {"cas", "seed", "forget", "lease", "push"};

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

  private final Object lock = new Object();
  private StatefulConnection<String, String> connection; // guarded by lock
  private StatefulRedisPubSubConnection<String, String> pubSub; // guarded by lock
  private Consumer<String> changeListener; // guarded by lock
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
    this.cluster = cluster;
    this.redactedUri = redact(redisUri);
    this.uri = parse(redisUri, redactedUri);
    this.uri.setTimeout(timeout);
    this.keys = keys;
    this.clock = clock;
    this.timeout = timeout;
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
          .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
          .sslOptions(ssl(trustedCertificates))
          .build());
      this.client = c;
    } else {
      RedisClient c = RedisClient.create(resources, uri);
      c.setOptions(ClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
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
    List<String> bad = new ArrayList<>();
    for (int i = 2; i < reply.size(); i++) {
      bad.add(text(reply.get(i)));
    }
    return new PushResult(((Long) reply.get(0)) == 1L, (Long) reply.get(1), bad);
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
    return call("read " + keys.flags() + " and " + keys.prefix() + "state:*", c -> {
      Set<String> flags = c.smembers(keys.flags()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, RedisFuture<List<KeyValue<String, String>>>> pending = new LinkedHashMap<>();
      for (String flag : flags) {
        pending.put(flag, c.hmget(keys.state(flag), "version", "state"));
      }
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
    return call("read " + keys.prefix() + "sli:*", c -> {
      List<RedisFuture<List<KeyValue<String, String>>>> pending = new ArrayList<>(ringKeys.size());
      for (int i = 0; i < ringKeys.size(); i++) {
        pending.add(c.hmget(ringKeys.get(i), fields.get(i).toArray(new String[0])));
      }
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
    return call("read " + keys.prefix() + "sli:*", c -> {
      List<RedisFuture<Map<String, String>>> pending = new ArrayList<>(ringKeys.size());
      for (String key : ringKeys) {
        pending.add(c.hgetall(key));
      }
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


  @SuppressWarnings("unchecked")
  private RedisClusterAsyncCommands<String, String> commands() {
    synchronized (lock) {
      if (connection == null) {
        connection = cluster ? ((RedisClusterClient) client).connect() : ((RedisClient) client).connect();
        connection.setTimeout(timeout);
      }
      return cluster ? ((StatefulRedisClusterConnection<String, String>) connection).async()
          : ((StatefulRedisConnection<String, String>) connection).async();
    }
  }

  /**
   * Subscribes {@code listener} to change notifications ({@code "<flag>@<version>"}); Lettuce
   * re-subscribes after a reconnect. A failure to subscribe now is retried by the next call.
   */
  void subscribe(Consumer<String> listener) {
    synchronized (lock) {
      changeListener = listener;
      if (pubSub != null || closed) {
        return;
      }
      try {
        StatefulRedisPubSubConnection<String, String> ps = cluster ? ((RedisClusterClient) client).connectPubSub()
            : ((RedisClient) client).connectPubSub();
        ps.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            Consumer<String> l = changeListener;
            if (l != null) {
              l.accept(message);
            }
          }
        });
        ps.async().subscribe(keys.changes()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        pubSub = ps;
      } catch (Exception e) {
        // polling covers the changes until a later call subscribes
      }
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
      if (connection != null) {
        connection.closeAsync();
      }
    }
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
