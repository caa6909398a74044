package dev.burnguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.store.ControlRequests;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 3: the store commands against a state directory, first while a provider in this
 * JVM runs on it (reads work, changes are made by the service at its next tick, or withdrawn when it
 * does not answer in time, changing nothing), then after it stopped (changes are made here, and a
 * provider started again on the directory serves them).
 */
class StoreCommandsTest {
  @TempDir Path dir;
  private Path flags;
  private Path state;
  private final ManualClock clock = new ManualClock();

  @BeforeEach
  void writeTheFlagFile() throws Exception {
    flags = Files.writeString(dir.resolve("flags.json"), ValidateAndSimulateTest.GOOD);
    state = dir.resolve("state");
  }

  private BurnguardProvider start(Path flags, Path state, ManualClock clock) throws Exception {
    BurnguardProvider p = BurnguardProvider.builder().source(FlagSource.file(flags)).clock(clock).stateDirectory(state)
        .guardianTicking(false).build();
    p.initialize(new ImmutableContext());
    return p;
  }

  @Test
  void readsWhileTheServiceRunsAndWithdrawsAChangeTheServiceDoesNotTake() throws Exception {
    BurnguardProvider service = start(flags, state, clock);
    try {
      service.rollouts().tick();
      assertThat(service.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);

      Cli status = Cli.run("status", "--state-dir", state.toString());
      assertThat(status.code).as(status.toString()).isZero();
      assertThat(status.out).contains("checkout: RAMPING, stage 0, exposure 50.00 %, version 0")
          .contains("last decision: START");
      Cli json = Cli.run("status", "--state-dir", state.toString(), "--format", "json");
      assertThat(json.code).isZero();
      assertThat(JsonReader.read(json.out.trim()).toString()).contains("RAMPING");
      Cli decisions = Cli.run("decisions", "--state-dir", state.toString(), "--flag", "checkout");
      assertThat(decisions.code).as(decisions.toString()).isZero();
      assertThat(decisions.out).contains("checkout: START by");
      Path report = dir.resolve("report.md");
      Cli rep = Cli.run("report", "--state-dir", state.toString(), "--flag", "checkout", "--format", "markdown",
          "--output", report.toString());
      assertThat(rep.code).as(rep.toString()).isZero();
      assertThat(Files.readString(report)).startsWith("# Rollout report: checkout").contains("START");

      // a change goes to the service, which takes it at its guardian's next tick: this one does not tick,
      // so each request is withdrawn after --wait and nothing changes
      Map<String, String> before = Cli.digests(state);
      for (String command : List.of("pause", "resume", "promote", "rollback", "reset")) {
        Cli unanswered = Cli.run(command, "--state-dir", state.toString(), "--flags", flags.toString(), "--flag",
            "checkout", "--wait", "300ms");
        assertThat(unanswered.code).as(command + ": " + unanswered).isEqualTo(6);
        assertThat(unanswered.err).contains("the service holding " + state + " (pid " + ProcessHandle.current().pid()
            + ") did not take the " + command + " request within 300 ms").contains("withdrawn; nothing was changed");
      }
      assertThat(Cli.digests(state)).isEqualTo(before);
      assertThat(service.rollouts().recentDecisions("checkout")).extracting(d -> d.action())
          .containsExactly(DecisionAction.START);
      Cli badWait = Cli.run("pause", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout",
          "--wait", "soon");
      assertThat(badWait.code).isEqualTo(2);
      assertThat(badWait.err).contains("--wait: \"soon\" is not a duration");

      Cli unknown = Cli.run("status", "--state-dir", state.toString(), "--flag", "nope");
      assertThat(unknown.code).isEqualTo(3);
      assertThat(unknown.err).contains("no rollout for flag \"nope\"").contains("[checkout]");
      Cli noDecisions = Cli.run("decisions", "--state-dir", state.toString(), "--flag", "nope");
      assertThat(noDecisions.code).isEqualTo(3);
      Cli noReport = Cli.run("report", "--state-dir", state.toString(), "--flag", "nope");
      assertThat(noReport.code).isEqualTo(3);
      Cli badFormat = Cli.run("report", "--state-dir", state.toString(), "--flag", "checkout", "--format", "pdf");
      assertThat(badFormat.code).isEqualTo(2);
      assertThat(badFormat.err).contains("unknown report format \"pdf\"");
      assertThat(Cli.digests(state)).isEqualTo(before);
    } finally {
      service.shutdown();
    }
  }

  /** Runs the command line while the service ticks, as its guardian's timer would, until the command ends. */
  private static Cli whileTicking(BurnguardProvider service, String... args) {
    CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> Cli.run(args));
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      service.rollouts().tick();
      return run.isDone();
    });
    return run.join();
  }

  @Test
  void changesARunningServicesRolloutThroughTheServiceItself() throws Exception {
    BurnguardProvider service = start(flags, state, clock);
    try {
      service.rollouts().tick();
      Cli pause = whileTicking(service, "pause", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag",
          "checkout", "--actor", "person:alice");
      assertThat(pause.code).as(pause.toString()).isZero();
      assertThat(pause.out).contains("checkout: PAUSE by person:alice at exposure 50.00% (PAUSED, stage 0)");
      assertThat(service.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);

      // refused by the service as its own API refuses: exit 4, nothing changed
      Cli again = whileTicking(service, "pause", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag",
          "checkout");
      assertThat(again.code).as(again.toString()).isEqualTo(4);
      assertThat(again.err).contains("refused the pause").contains("PAUSED").contains("nothing was changed");
      // checked here before asking: another plan (4), a flag without a rollout (3)
      Path other = Files.writeString(dir.resolve("other.json"), ValidateAndSimulateTest.GOOD.replace("\"2m\"", "\"3m\""));
      Cli mismatch = Cli.run("resume", "--state-dir", state.toString(), "--flags", other.toString(), "--flag", "checkout");
      assertThat(mismatch.code).as(mismatch.toString()).isEqualTo(4);
      assertThat(mismatch.err).contains("is not the one the rollout runs under");
      assertThat(Cli.run("resume", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "plain").code)
          .isEqualTo(3);

      for (String command : List.of("resume", "promote", "rollback")) {
        Cli c = whileTicking(service, command, "--state-dir", state.toString(), "--flags", flags.toString(), "--flag",
            "checkout", "--actor", "person:bob", "--format", "json");
        assertThat(c.code).as(c.toString()).isZero();
        assertThat(((Map<?, ?>) JsonReader.read(c.out.trim())).get("action")).isEqualTo(command.toUpperCase(java.util.Locale.ROOT));
      }
      assertThat(service.getBooleanEvaluation("checkout", true, new ImmutableContext("u1")).getValue()).isFalse();
      Cli reset = whileTicking(service, "reset", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag",
          "checkout", "--actor", "person:bob");
      assertThat(reset.code).as(reset.toString()).isZero();
      assertThat(service.rollouts().recentDecisions("checkout")).extracting(d -> d.action() + " " + d.actor())
          .containsExactly("START guardian", "PAUSE person:alice", "RESUME person:bob", "PROMOTE person:bob",
              "ROLLBACK person:bob", "RESET person:bob");
      // what the service wrote is what a reader of the directory sees
      assertThat(Cli.run("status", "--state-dir", state.toString()).out).contains("checkout: RAMPING, stage 0");
      try (Stream<Path> left = Files.list(state.resolve("requests"))) {
        assertThat(left).isEmpty();
      }
    } finally {
      service.shutdown();
    }
  }

  @Test
  void saysSoWhenTheServiceTookTheRequestButDidNotAnswer() throws Exception {
    BurnguardProvider service = start(flags, state, clock);
    try {
      service.rollouts().tick();
      CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> Cli.run("rollback", "--state-dir",
          state.toString(), "--flags", flags.toString(), "--flag", "checkout", "--wait", "2s"));
      // a service that takes the request (as its tick does) and then hangs
      Path requests = state.resolve("requests");
      Path asked = await().atMost(Duration.ofSeconds(10)).until(() -> {
        if (!Files.isDirectory(requests)) {
          return null;
        }
        try (Stream<Path> files = Files.list(requests)) {
          return files.filter(f -> f.toString().endsWith(".request")).findFirst().orElse(null);
        }
      }, java.util.Objects::nonNull);
      Files.move(asked, asked.resolveSibling(asked.getFileName().toString().replace(".request", ".taken")));
      Cli c = run.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(c.code).as(c.toString()).isEqualTo(6);
      assertThat(c.err).contains("took the rollback request but did not answer within 2 s: it may still apply it")
          .contains("burnguard decisions --state-dir " + state + " --flag checkout");
    } finally {
      service.shutdown();
    }
  }

  @Test
  void warnsWhenTheServiceMadeTheChangeButHasNotWrittenItYet() throws Exception {
    BurnguardProvider service = start(flags, state, clock);
    try {
      service.rollouts().tick();
      Decision start = service.rollouts().recentDecisions("checkout").get(0);
      CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> Cli.run("pause", "--state-dir", state.toString(),
          "--flags", flags.toString(), "--flag", "checkout"));
      // a service whose disk is full: it answers with the decision, not yet written
      ControlRequests requests = ControlRequests.in(state);
      await().atMost(Duration.ofSeconds(20)).until(() -> !requests.serve(
          r -> ControlRequests.Answer.applied(start, false, "No space left on device"), 0).isEmpty());
      Cli c = run.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(c.code).as(c.toString()).isZero();
      assertThat(c.err).contains("burnguard pause: warning: the service holding " + state)
          .contains("made the pause but has not written it to its state directory yet (No space left on device)");
    } finally {
      service.shutdown();
    }
  }

  @Test
  void changesTheRolloutOnceTheServiceStoppedAndTheServiceTakesThemOnRestart() throws Exception {
    BurnguardProvider service = start(flags, state, clock);
    service.rollouts().tick();
    service.shutdown();

    Cli pause = Cli.run("pause", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout",
        "--actor", "person:alice");
    assertThat(pause.code).as(pause.toString()).isZero();
    assertThat(pause.out).contains("checkout: PAUSE by person:alice at exposure 50.00% (PAUSED, stage 0)");

    Map<String, String> paused = Cli.digests(state);
    Cli again = Cli.run("pause", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout");
    assertThat(again.code).as(again.toString()).isEqualTo(4);
    assertThat(again.err).contains("PAUSED").contains("nothing was changed");
    // a flag file whose plan is not the one in force is refused
    Path other = Files.writeString(dir.resolve("other.json"), ValidateAndSimulateTest.GOOD.replace("\"2m\"", "\"3m\""));
    Cli mismatch = Cli.run("resume", "--state-dir", state.toString(), "--flags", other.toString(), "--flag", "checkout");
    assertThat(mismatch.code).as(mismatch.toString()).isEqualTo(4);
    assertThat(mismatch.err).contains("is not the one the rollout runs under");
    Cli noFlag = Cli.run("resume", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "plain");
    assertThat(noFlag.code).isEqualTo(3);
    Cli missingFile = Cli.run("resume", "--state-dir", state.toString(), "--flags", dir.resolve("x.json").toString(),
        "--flag", "checkout");
    assertThat(missingFile.code).isEqualTo(3);
    Cli missingDir = Cli.run("resume", "--state-dir", dir.resolve("nowhere").toString(), "--flags", flags.toString(),
        "--flag", "checkout");
    assertThat(missingDir.code).isEqualTo(3);
    assertThat(missingDir.err).contains("no such state directory");
    assertThat(Files.exists(dir.resolve("nowhere"))).isFalse();
    Cli noStore = Cli.run("resume", "--flags", flags.toString(), "--flag", "checkout");
    assertThat(noStore.code).isEqualTo(2);
    assertThat(noStore.err).contains("name the rollout store");
    Cli both = Cli.run("status", "--state-dir", state.toString(), "--redis", "redis://127.0.0.1:1");
    assertThat(both.code).isEqualTo(2);
    assertThat(Cli.digests(state)).isEqualTo(paused);

    assertThat(Cli.run("resume", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout").code)
        .isZero();
    assertThat(Cli.run("promote", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout").code)
        .isZero();
    Cli rollback = Cli.run("rollback", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout",
        "--format", "json");
    assertThat(rollback.code).as(rollback.toString()).isZero();
    assertThat(((Map<?, ?>) JsonReader.read(rollback.out.trim())).get("action")).isEqualTo("ROLLBACK");

    BurnguardProvider restarted = start(flags, state, clock);
    try {
      assertThat(restarted.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
      assertThat(restarted.rollouts().recentDecisions("checkout")).extracting(d -> d.action()).containsExactly(
          DecisionAction.START, DecisionAction.PAUSE, DecisionAction.RESUME, DecisionAction.PROMOTE, DecisionAction.ROLLBACK);
      assertThat(restarted.getBooleanEvaluation("checkout", true, new ImmutableContext("u1")).getValue()).isFalse();
    } finally {
      restarted.shutdown();
    }
    clock.advance(Duration.ofMinutes(1));
    Cli reset = Cli.run("reset", "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout");
    assertThat(reset.code).as(reset.toString()).isZero();
    assertThat(Cli.run("status", "--state-dir", state.toString()).out).contains("checkout: RAMPING, stage 0");
  }
}
