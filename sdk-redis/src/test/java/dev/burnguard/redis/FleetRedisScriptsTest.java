package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Lua scripts against a real redis-server: CAS, seeding, lease and exactly-once pushes. */
class FleetRedisScriptsTest {
  private static RedisServer server;
  private FleetRedis redis;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-05T12:00:00Z"));

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void connect() throws Exception {
    server.flushAll();
    redis = new FleetRedis(server.uri(), new FleetKeys("checkout"), clock, Duration.ofSeconds(2));
  }

  @org.junit.jupiter.api.AfterEach
  void disconnect() {
    redis.close();
  }

  @Test
  void compareAndSetAppliesOnlyOnTheExpectedVersionAndAppendsTheDecision() {
    assertThat(redis.compareAndSet("f", -1, 0, "{\"s\":0}", "{\"d\":0}", 100).applied()).isTrue();
    FleetRedis.CasResult stale = redis.compareAndSet("f", -1, 0, "{\"s\":9}", "{\"d\":9}", 100);
    assertThat(stale.applied()).isFalse();
    assertThat(stale.currentVersion()).isZero();
    assertThat(stale.currentState()).isEqualTo("{\"s\":0}");
    assertThat(redis.compareAndSet("f", 0, 1, "{\"s\":1}", "{\"d\":1}", 100).applied()).isTrue();
    assertThat(redis.compareAndSet("f", 0, 1, "{\"s\":2}", "{\"d\":2}", 100).applied()).isFalse();
    assertThat(redis.state("f")).isEqualTo(new FleetRedis.Stored("1", "{\"s\":1}"));
    assertThat(redis.decisions("f", 10)).containsExactly("{\"d\":0}", "{\"d\":1}");
    assertThat(redis.states()).containsOnlyKeys("f");
  }

  @Test
  void aMissingStateIsAConflictForAReplicaThatKnewOneAndSeedingKeepsTheHighestVersion() {
    FleetRedis.CasResult lost = redis.compareAndSet("f", 4, 5, "{}", "{}", 100);
    assertThat(lost.applied()).isFalse();
    assertThat(lost.currentVersion()).isEqualTo(-1);
    assertThat(redis.seed("f", 4, "{\"v\":4}")).isTrue();
    assertThat(redis.seed("f", 3, "{\"v\":3}")).isFalse();
    assertThat(redis.seed("f", 4, "{\"v\":4b}")).isFalse();
    assertThat(redis.seed("f", 7, "{\"v\":7}")).isTrue();
    assertThat(redis.state("f")).isEqualTo(new FleetRedis.Stored("7", "{\"v\":7}"));
  }

  @Test
  void theLeaseHasOneHolderUntilItExpires() {
    assertThat(redis.lease("a", Duration.ofSeconds(30))).isTrue();
    assertThat(redis.lease("b", Duration.ofSeconds(30))).isFalse();
    assertThat(redis.lease("a", Duration.ofSeconds(30))).isTrue();
    assertThat(redis.leader()).isEqualTo("a");
  }

  @Test
  void aRetriedPushCountsOnceAndEveryResolutionHoldsTheSum() {
    FleetKeys keys = redis.keys();
    List<String> rings = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      rings.add(keys.ring(r, "f", "on"));
    }
    long second = 1_764_936_005L; // 5 s into a 10-s bucket
    List<String> entry = List.of(Long.toString(second), "10", "2", "1");
    assertThat(redis.push("replica-1", 1, Duration.ofHours(1), 3, rings, entry).applied()).isTrue();
    assertThat(redis.push("replica-1", 1, Duration.ofHours(1), 3, rings, entry).applied()).isFalse(); // the retry
    assertThat(redis.push("replica-1", 2, Duration.ofHours(1), 3, rings, List.of(Long.toString(second + 1), "5", "0",
        "0")).applied()).isTrue();
    assertThat(redis.push("replica-2", 1, Duration.ofHours(1), 3, rings, entry).applied()).isTrue();
    List<Map<String, String>> read = redis.rings(rings);
    long[] widths = {10, 60, 600, 3600};
    long[] slots = {38, 62, 38, 74};
    for (int r = 0; r < 4; r++) {
      long bucket = Math.floorDiv(second, widths[r]);
      assertThat(read.get(r)).containsExactly(Map.entry(Long.toString(bucket % slots[r]), bucket + ":25:4:2"));
    }
  }

  @Test
  void aRingsExpiryAndTheSeriesIndexAreWrittenOnlyWhenASlotTakesANewBucket() throws Exception {
    FleetKeys keys = redis.keys();
    List<String> rings = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      rings.add(keys.ring(r, "f", "on"));
    }
    String tenSeconds = rings.get(0);
    long second = 1_764_936_000L; // the start of a 10-s (and 1-min, 10-min, 1-h) bucket
    long sequence = 0;
    assertThat(redis.push("r", ++sequence, Duration.ofHours(1), 3, rings, List.of(Long.toString(second), "1", "0", "0"))
        .applied()).isTrue();
    long ttl = Long.parseLong(server.command("PTTL", tenSeconds).substring(1));
    assertThat(ttl).isBetween(370_000L, 380_000L); // 38 slots × 10 s
    assertThat(server.command("SISMEMBER", keys.series(), tenSeconds)).isEqualTo(":1");
    // the same buckets again: neither the expiry nor the index is touched (PERSIST and SREM stay visible)
    server.command("PERSIST", tenSeconds);
    server.command("SREM", keys.series(), tenSeconds);
    for (int s = 1; s < 10; s++) {
      redis.push("r", ++sequence, Duration.ofHours(1), 3, rings, List.of(Long.toString(second + s), "1", "0", "0"));
    }
    assertThat(server.command("PTTL", tenSeconds)).isEqualTo(":-1");
    assertThat(server.command("SISMEMBER", keys.series(), tenSeconds)).isEqualTo(":0");
    assertThat(redis.rings(List.of(tenSeconds)).get(0)).containsValue(Math.floorDiv(second, 10) + ":10:0:0");
    // the next 10-s bucket: expiry and index written again
    redis.push("r", ++sequence, Duration.ofHours(1), 3, rings, List.of(Long.toString(second + 10), "1", "0", "0"));
    assertThat(Long.parseLong(server.command("PTTL", tenSeconds).substring(1))).isBetween(370_000L, 380_000L);
    assertThat(server.command("SISMEMBER", keys.series(), tenSeconds)).isEqualTo(":1");
    assertThat(server.command("PTTL", rings.get(1))).isNotEqualTo(":-1"); // the 1-min ring kept its first expiry
  }

  @Test
  void aValueWeDidNotWriteIsAnErrorNamingTheKey() throws Exception {
    server.command("SET", "burnguard:{checkout}:state:f", "hello");
    assertThatThrownBy(() -> redis.compareAndSet("f", 0, 1, "{}", "{}", 100))
        .isInstanceOf(FleetStoreException.class)
        .hasMessageContaining("burnguard:{checkout}:state:f")
        .hasMessageContaining("WRONGTYPE");
    server.command("DEL", "burnguard:{checkout}:state:f");
    server.command("HSET", "burnguard:{checkout}:state:f", "version", "x1");
    assertThatThrownBy(() -> redis.compareAndSet("f", 0, 1, "{}", "{}", 100))
        .isInstanceOf(FleetStoreException.class)
        .hasMessageContaining("burnguard:{checkout}:state:f holds version \"x1\"");
    assertThat(redis.unreachableSince()).isNull();
  }

  @Test
  void aDeadRedisIsUnreachableSinceTheClocksNowAndTheMessageHidesThePassword() throws Exception {
    try (RedisServer secured = RedisServer.start("s3cret-pw")) {
      FleetRedis wrong = new FleetRedis(secured.uri().replace("s3cret-pw", "wrong-pw"), new FleetKeys("checkout"),
          clock, Duration.ofSeconds(1));
      try {
        assertThatThrownBy(() -> wrong.lease("a", Duration.ofSeconds(1)))
            .isInstanceOf(FleetStoreException.class)
            .hasMessageContaining("redis://***@127.0.0.1:" + secured.port())
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pw"));
        assertThat(wrong.unreachableSince()).isEqualTo(clock.now());
      } finally {
        wrong.close();
      }
      FleetRedis right = new FleetRedis(secured.uri(), new FleetKeys("checkout"), clock, Duration.ofSeconds(1));
      try {
        assertThat(right.lease("a", Duration.ofSeconds(1))).isTrue();
        secured.kill();
        assertThatThrownBy(() -> right.lease("a", Duration.ofSeconds(1))).isInstanceOf(FleetStoreException.class)
            .hasMessageContaining("did not answer");
        assertThat(right.unreachableSince()).isNotNull();
      } finally {
        right.close();
      }
    }
  }

  @Test
  void aRefusedPasswordStaysInTheErrorWhenALaterAttemptOnlySaysTheConnectionClosed() {
    // CI saw Lettuce report a refused handshake as "Connection closed prematurely" (the channel closed
    // before the WRONGPASS reply was handled): the reason a user must fix may not be hidden by that
    FleetRedis wrong = new FleetRedis("redis://:pw@127.0.0.1:" + server.port(), new FleetKeys("checkout"), clock,
        Duration.ofSeconds(1));
    try {
      wrong.unreachable("lease failed: Redis at redis://***@127.0.0.1 did not answer (Unable to connect: WRONGPASS "
          + "invalid username-password pair or user is disabled.)");
      wrong.unreachable("read burnguard:{checkout}:flags failed: Redis at redis://***@127.0.0.1 did not answer "
          + "(Unable to connect: Connection closed prematurely)");
      assertThat(wrong.lastError()).startsWith("read burnguard:{checkout}:flags failed")
          .endsWith("; Redis refused this replica's credentials earlier: WRONGPASS invalid username-password pair "
              + "or user is disabled");
      wrong.unreachable("lease failed: NOAUTH Authentication required.");
      assertThat(wrong.lastError()).isEqualTo("lease failed: NOAUTH Authentication required.");
    } finally {
      wrong.close();
    }
  }

  @Test
  void theAclDocumentedInDocsFleetMdIsEnoughForEveryCommand() throws Exception {
    server.command("ACL", "SETUSER", "burnguard", "reset", "on", ">acl-pw", "~burnguard:*", "&burnguard:*", "+@read",
        "+@write", "+@scripting", "+@pubsub", "+@stream", "+ping");
    FleetRedis acl = new FleetRedis("redis://burnguard:acl-pw@127.0.0.1:" + server.port(), new FleetKeys("checkout"),
        clock, Duration.ofSeconds(2));
    try {
      java.util.List<String> notified = new java.util.concurrent.CopyOnWriteArrayList<>();
      acl.subscribe(notified::add);
      assertThat(acl.subscribed()).isTrue();
      assertThat(acl.compareAndSet("f", -1, 0, "{}", "{}", 100).applied()).isTrue();
      assertThat(acl.seed("g", 1, "{}")).isTrue();
      assertThat(acl.lease("a", Duration.ofSeconds(1))).isTrue();
      assertThat(acl.decisions("f", 1)).containsExactly("{}");
      assertThat(acl.states()).containsOnlyKeys("f", "g");
      List<String> rings = List.of(acl.keys().ring(0, "f", "on"), acl.keys().ring(1, "f", "on"),
          acl.keys().ring(2, "f", "on"), acl.keys().ring(3, "f", "on"));
      assertThat(acl.push("r", 1, Duration.ofHours(1), 2, rings, List.of("100", "1", "0")).applied()).isTrue();
      assertThat(acl.series()).containsExactly(rings.get(0));
      assertThat(acl.rings(rings)).hasSize(4);
      assertThat(acl.forget("g", 1)).isTrue();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> notified.contains("f@0"));
    } finally {
      acl.close();
    }
  }

  @Test
  void aMalformedUriIsRejectedWithoutItsPassword() {
    assertThatThrownBy(() -> new FleetRedis("http://user:pw@host", new FleetKeys("x"), clock, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://***@host")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw@"));
    assertThatThrownBy(() -> new FleetRedis("redis://:pw@host:99999", new FleetKeys("x"), clock,
        Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed Redis URI redis://***@host:99999");
    assertThatThrownBy(() -> new FleetKeys("a{b}")).hasMessageContaining("hash tag");
  }
}
