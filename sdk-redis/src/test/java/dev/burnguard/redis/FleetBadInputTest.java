package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.openfeature.sdk.ImmutableContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to a fleet: TLS against a real TLS-enabled redis-server (certificates made by
 * {@code openssl} for the test), a wrong password, a malformed URI, and values under our keys that
 * Burnguard did not write. Each gives a clear error naming what and where, never a credential (in
 * messages or in the log), and the replica keeps serving.
 */
class FleetBadInputTest {
  private static final String PASSWORD = "tls-s3cret-pw";
  private static final RolloutPlan HALF = RolloutPlan.builder("old", "new")
      .stages(List.of(new Stage(50, Duration.ofMinutes(15), 0), new Stage(100, Duration.ofMinutes(15), 0)))
      .watch(Duration.ofDays(1)).build();

  @TempDir
  Path certs;

  /** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl. */
  private Path makeCertificates() throws Exception {
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=burnguard-test-ca");
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
        "/CN=127.0.0.1");
    Files.writeString(certs.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
    return certs.resolve("ca.pem");
  }

  private void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(certs.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
  }

  /** redis-server with a password, its plain port for the test's own commands and a TLS port. */
  private RedisServer tlsServer(int tlsPort) {
    return RedisServer.start(PASSWORD, List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file",
        certs.resolve("server.pem").toString(), "--tls-key-file", certs.resolve("server.key").toString(),
        "--tls-ca-cert-file", certs.resolve("ca.pem").toString(), "--tls-auth-clients", "no"));
  }

  /** What the code logs (slf4j-simple writes to System.err) while {@code body} runs, and its own output. */
  private static String logged(ThrowingRunnable body) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    original.print(log);
    return log;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  @Timeout(120)
  void aRedissUriWithTheRightCaWorksEndToEnd() throws Exception {
    Path ca = makeCertificates();
    int tlsPort = RedisServer.freePort();
    try (RedisServer server = tlsServer(tlsPort);
        FleetHarness fleet = new FleetHarness("rediss://:" + PASSWORD + "@127.0.0.1:" + tlsPort, 2, HALF,
            b -> b.trustedCertificates(ca))) {
      fleet.run(Duration.ofSeconds(20), 30);
      fleet.second(0);
      assertThat(fleet.replicas.get(0).health().store().healthy()).isTrue();
      long recorded = fleet.recordedCalls[0] + fleet.recordedCalls[1];
      long[] newCalls = fleet.fleetCounts(1, "new");
      long[] oldCalls = fleet.fleetCounts(1, "old");
      assertThat(newCalls[0] + oldCalls[0]).isEqualTo(recorded);
      // the state went over TLS: read it back on the plain port
      assertThat(server.command("HGET", "burnguard:{checkout-service}:state:checkout", "version")).isEqualTo("0");
      assertThat(fleet.state(0).status()).isEqualTo(RolloutStatus.RAMPING);
      assertThat(fleet.exposure(1)).isEqualTo(0.5);
      System.out.printf("TLS: 2 replicas over rediss:// with the test's CA: %d calls pushed and counted, state in "
          + "Redis%n", recorded);
    }
  }

  @Test
  @Timeout(120)
  void wrongTlsIsAClearErrorWithoutCredentialsAndTheReplicaServesTheControl() throws Exception {
    makeCertificates();
    int tlsPort = RedisServer.freePort();
    try (RedisServer server = tlsServer(tlsPort)) {
      String log = logged(() -> {
        // the server's CA is not trusted (the JVM's trust store does not have it)
        try (FleetHarness untrusted = new FleetHarness("rediss://:" + PASSWORD + "@127.0.0.1:" + tlsPort, 1, HALF,
            b -> b)) {
          untrusted.run(Duration.ofSeconds(3), 30);
          String error = untrusted.replicas.get(0).health().store().lastError();
          System.out.println("untrusted certificate: " + error);
          assertThat(error).startsWith("fleet state unknown").contains("rediss://***@127.0.0.1:" + tlsPort)
              .containsIgnoringCase("certificat").doesNotContain(PASSWORD);
          assertThat(untrusted.exposure(0)).isZero();
          assertThat(untrusted.replicas.get(0).getBooleanEvaluation(FleetHarness.FLAG, true,
              new ImmutableContext("u")).getValue()).isFalse(); // the control, served without Redis
        }
        // plain redis:// to the TLS port
        try (FleetHarness plain = new FleetHarness("redis://:" + PASSWORD + "@127.0.0.1:" + tlsPort, 1, HALF,
            b -> b.commandTimeout(Duration.ofMillis(300)))) {
          plain.run(Duration.ofSeconds(3), 30);
          String error = plain.replicas.get(0).health().store().lastError();
          System.out.println("plain to a TLS port: " + error);
          assertThat(error).startsWith("fleet state unknown").contains("redis://***@127.0.0.1:" + tlsPort)
              .contains("did not answer").doesNotContain(PASSWORD);
          assertThat(plain.exposure(0)).isZero();
        }
      });
      assertThat(log).doesNotContain(PASSWORD);
    }
  }

  @Test
  @Timeout(60)
  void aWrongPasswordAndAMalformedUriNeverShowTheirCredentials() throws Exception {
    try (RedisServer server = RedisServer.start("right-pw")) {
      String log = logged(() -> {
        assertThatThrownBy(() -> RedisFleet.builder("redis://user:wrong-pw@127.0.0.1:99999"))
            .hasMessageStartingWith("malformed Redis URI redis://***@127.0.0.1:99999 (").hasMessageNotContaining("wrong-pw");
        assertThatThrownBy(() -> RedisFleet.builder("https://user:wrong-pw@127.0.0.1:6379"))
            .hasMessageContaining("must start with redis://").hasMessageNotContaining("wrong-pw");
        assertThatThrownBy(() -> RedisFleet.builder("redis://user:wrong-pw@[::1"))
            .hasMessageStartingWith("malformed Redis URI redis://***@").hasMessageNotContaining("wrong-pw");
        try (FleetHarness fleet = new FleetHarness("redis://burnguard:wrong-pw@127.0.0.1:" + server.port(), 1, HALF,
            b -> b)) {
          fleet.run(Duration.ofSeconds(3), 30);
          String error = fleet.replicas.get(0).health().store().lastError();
          assertThat(error).contains("WRONGPASS").contains("redis://***@127.0.0.1:").doesNotContain("wrong-pw");
          assertThat(fleet.fleets.get(0).status().orElseThrow().problem()).hasValueSatisfying(p ->
              assertThat(p).contains("WRONGPASS").doesNotContain("wrong-pw"));
          assertThat(fleet.fleets.get(0).toString()).doesNotContain("wrong-pw");
        }
      });
      assertThat(log).contains("WRONGPASS").doesNotContain("wrong-pw");
    }
  }

  @Test
  @Timeout(60)
  void aRefusedPasswordIsLoggedEvenWhenTheFirstAttemptOnlySawTheConnectionClose() throws Exception {
    // Lettuce may report a refused handshake as "connection closed": here the first connection is
    // closed before Redis answers, the next ones reach Redis, which refuses the password
    try (RedisServer server = RedisServer.start("right-pw");
        SlowProxy proxy = new SlowProxy(server.port(), Duration.ZERO, 1)) {
      String uri = proxy.uri().replace("redis://", "redis://burnguard:wrong-pw@");
      String log = logged(() -> {
        try (FleetHarness fleet = new FleetHarness(uri, 1, HALF, b -> b.commandTimeout(Duration.ofSeconds(1)))) {
          fleet.run(Duration.ofSeconds(3), 30);
          assertThat(proxy.connections()).isGreaterThan(1);
        }
      });
      assertThat(log).contains("refuses this replica's credentials: WRONGPASS").doesNotContain("wrong-pw");
      // said once, not at every tick
      assertThat(log.split("refuses this replica's credentials", -1)).hasSize(2);
    }
  }

  @Test
  @Timeout(120)
  void valuesWeDidNotWriteAreNamedByKeyWhileTheReplicaKeepsServingAndPushingTheOtherSeries() throws Exception {
    try (RedisServer server = RedisServer.start();
        FleetHarness fleet = new FleetHarness(server.uri(), 2, HALF, b -> b)) {
      fleet.run(Duration.ofSeconds(10), 30);
      String prefix = "burnguard:{checkout-service}:";
      String newRing = prefix + "sli:0:8:checkout:new";
      String stream = prefix + "decisions:checkout";
      // the candidate's 10-s ring replaced by a string; a decision entry Burnguard did not write
      assertThat(server.command("DEL", newRing)).isEqualTo(":1");
      server.command("SET", newRing, "hand-written");
      server.command("XADD", stream, "*", "note", "hand-written");
      // ... and the state bumped to a new version with it, so that the replicas read the stream
      String state = fleet.members.get(0).redis().state(FleetHarness.FLAG).stateJson();
      server.command("HSET", prefix + "state:checkout", "version", "1", "state", state.replace("\"version\":0",
          "\"version\":1"));
      long[] oldBefore = fleet.fleetCounts(0, "old");
      fleet.run(Duration.ofSeconds(10), 30);
      fleet.second(0);

      String error = fleet.replicas.get(1).health().store().lastError();
      System.out.println("hand-written values: " + error);
      assertThat(error).contains(newRing + " hold(s) a value Burnguard did not write")
          .contains(stream + " entry ").contains("has no \"decision\" field; it was not written by Burnguard");
      assertThat(fleet.fleets.get(1).status().orElseThrow().problem()).contains(error);
      // serving goes on, the state of version 1 was taken, the control's series is still pushed and counted
      assertThat(fleet.state(1).version()).isEqualTo(1);
      assertThat(fleet.replicas.get(1).getBooleanEvaluation(FleetHarness.FLAG, false, new ImmutableContext("u"))
          .getErrorCode()).isNull();
      long[] oldAfter = fleet.fleetCounts(0, "old");
      assertThat(oldAfter[0] - oldBefore[0]).isGreaterThan(100);
      long dropped = fleet.members.stream().mapToLong(m -> m.sliPush().droppedCalls()).sum();
      assertThat(dropped).isGreaterThan(0); // the candidate's calls under the bad key: counted as dropped
      System.out.printf("hand-written ring: %d calls of the candidate dropped (counted), %d calls of the control "
          + "pushed meanwhile%n", dropped, oldAfter[0] - oldBefore[0]);

      // repaired: deleting the keys clears the health
      server.command("DEL", newRing);
      server.command("DEL", stream);
      fleet.run(Duration.ofSeconds(3), 30);
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
        fleet.second(30);
        return fleet.replicas.get(1).health().store().healthy();
      });
    }
  }
}
