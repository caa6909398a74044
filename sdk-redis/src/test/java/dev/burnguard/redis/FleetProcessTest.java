package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.store.RolloutJson;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.time.Clock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three replicas in three child JVMs ({@link FleetChild}) and one redis-server: kill -9 the decider
 * mid-rollout → another replica leads within a few ticks, every decision the killed one had
 * acknowledged is in Redis, and the rollout continues from where it stood.
 */
class FleetProcessTest {
  private record Child(Process process, List<String> lines) {}

  private static Child start(String uri, String id) throws Exception {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-cp", System.getProperty("java.class.path"), FleetChild.class.getName(), uri, id);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        // the child died
      }
    }, "child-" + id);
    reader.setDaemon(true);
    reader.start();
    return new Child(p, lines);
  }

  @Test
  @Timeout(180)
  void killingTheDeciderMidRolloutLosesNothingAcknowledgedAndAnotherReplicaLeads() throws Exception {
    List<Child> children = new ArrayList<>();
    try (RedisServer server = RedisServer.start()) {
      for (int i = 0; i < 3; i++) {
        children.add(start(server.uri(), "child-" + i));
      }
      Child leader = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> children.stream().filter(c -> c.lines().stream().anyMatch(l -> l.startsWith("LEADS")))
              .findFirst().orElse(null), c -> c != null);
      // mid-rollout: at least two stage advances acknowledged
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> leader.lines().stream().filter(l -> l.contains(" ADVANCE")).count() >= 2);
      // the decider now: the last LEADS/FOLLOWS line of exactly one child is LEADS
      Child decider = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> {
            List<Child> leading = children.stream().filter(FleetProcessTest::leadsNow).toList();
            return leading.size() == 1 ? leading.get(0) : null;
          }, c -> c != null);
      int[] seen = children.stream().mapToInt(c -> c.lines().size()).toArray();
      decider.process().destroyForcibly(); // SIGKILL
      decider.process().waitFor();
      long killedAt = System.nanoTime();
      List<Long> acknowledged = decider.lines().stream().filter(l -> l.startsWith("ACK ")).map(l -> Long.parseLong(
          l.split(" ")[1])).toList();
      Child next = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> {
            for (int i = 0; i < children.size(); i++) {
              Child c = children.get(i);
              if (c != decider && c.lines().subList(seen[i], c.lines().size()).stream()
                  .anyMatch(l -> l.startsWith("LEADS"))) {
                return c;
              }
            }
            return null;
          }, c -> c != null);
      System.out.println("kill -9 of the decider (" + decider.lines().stream().filter(l -> l.startsWith("LEADS"))
          .reduce((a, b) -> b).orElseThrow().substring(6) + "): " + next.lines().stream().filter(l -> l.startsWith(
          "LEADS")).reduce((a, b) -> b).orElseThrow() + " " + (System.nanoTime() - killedAt) / 1_000_000
          + " ms later (lease 1 s, tick 200 ms); the killed one had acknowledged versions " + acknowledged);
      FleetRedis redis = new FleetRedis(server.uri(), new FleetKeys("process-test"), Clock.system(),
          Duration.ofSeconds(2));
      try {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> log(redis).stream().anyMatch(d -> d.action() == DecisionAction.COMPLETE));
        List<Decision> log = log(redis);
        List<Long> versions = log.stream().map(d -> d.after().version()).toList();
        assertThat(versions).containsAll(acknowledged);
        for (int i = 1; i < log.size(); i++) {
          assertThat(log.get(i).before()).isEqualTo(log.get(i - 1).after());
        }
        assertThat(log).filteredOn(d -> d.action() == DecisionAction.START).hasSize(1);
        System.out.println("the rollout continued to " + log.get(log.size() - 1).action() + " at version "
            + versions.get(versions.size() - 1) + ", one decision per version: " + log.stream()
            .map(d -> d.action().name()).toList());
      } finally {
        redis.close();
      }
    } finally {
      children.forEach(c -> c.process().destroyForcibly());
    }
  }

  private static boolean leadsNow(Child c) {
    return c.lines().stream().filter(l -> l.startsWith("LEADS") || l.startsWith("FOLLOWS")).reduce((a, b) -> b)
        .map(l -> l.startsWith("LEADS")).orElse(false);
  }

  private static List<Decision> log(FleetRedis redis) {
    return redis.decisions("checkout", 1000).stream()
        .map(json -> RolloutJson.readDecision(JsonReader.read(json), "log")).toList();
  }
}
