package dev.burnguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.json.JsonReader;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 3: the store commands against a state directory, first while a provider in this
 * JVM runs on it (reads work, changes are refused naming the holder, nothing changes), then after
 * it stopped (changes are made, and a provider started again on the directory serves them).
 */
class StoreCommandsTest {
  @TempDir Path dir;

  private BurnguardProvider start(Path flags, Path state, ManualClock clock) throws Exception {
    BurnguardProvider p = BurnguardProvider.builder().source(FlagSource.file(flags)).clock(clock).stateDirectory(state)
        .guardianTicking(false).build();
    p.initialize(new ImmutableContext());
    return p;
  }

  @Test
  void readsWhileTheServiceRunsAndRefusesToChangeWhatItHolds() throws Exception {
    Path flags = Files.writeString(dir.resolve("flags.json"), ValidateAndSimulateTest.GOOD);
    Path state = dir.resolve("state");
    ManualClock clock = new ManualClock();
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

      Map<String, String> before = Cli.digests(state);
      for (String command : List.of("pause", "resume", "promote", "rollback", "reset")) {
        Cli refused = Cli.run(command, "--state-dir", state.toString(), "--flags", flags.toString(), "--flag", "checkout");
        assertThat(refused.code).as(command + ": " + refused).isEqualTo(4);
        assertThat(refused.err).contains("is held by a running service (pid " + ProcessHandle.current().pid() + ")")
            .contains("nothing was changed");
      }
      assertThat(Cli.digests(state)).isEqualTo(before);
      assertThat(service.rollouts().recentDecisions("checkout")).extracting(d -> d.action())
          .containsExactly(DecisionAction.START);

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

  @Test
  void changesTheRolloutOnceTheServiceStoppedAndTheServiceTakesThemOnRestart() throws Exception {
    Path flags = Files.writeString(dir.resolve("flags.json"), ValidateAndSimulateTest.GOOD);
    Path state = dir.resolve("state");
    ManualClock clock = new ManualClock();
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
