package dev.burnguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.store.ControlRequests;
import dev.burnguard.internal.store.ControlRequests.Answer;
import dev.burnguard.internal.store.ControlRequests.Control;
import dev.burnguard.internal.store.ControlRequests.Refusal;
import dev.burnguard.internal.store.ControlRequests.Request;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: a tool asks the service that holds a state directory for a manual control through a
 * request file ({@link ControlRequests}); the service makes it on its guardian's next tick with the
 * tool's actor, answers, and refuses what its own API would refuse. Requests left from before the
 * service opened the directory are dropped, not applied.
 */
class ControlRequestsTest {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"old\": false,"
      + " \"new\": true}, \"defaultVariant\": \"new\", \"rollout\": {\"control\": \"old\", \"candidate\": \"new\","
      + " \"stages\": [{\"exposure\": 50, \"bake\": \"1m\"}, {\"exposure\": 100}]}}}}";

  @TempDir Path dir;
  private Path flags;
  private Path state;
  private final ManualClock clock = new ManualClock();
  /** The service holding {@link #state}, started before each test (a test may replace it). */
  private BurnguardProvider service;

  @BeforeEach
  void startTheService() throws Exception {
    flags = Files.writeString(dir.resolve("flags.json"), FLAGS);
    state = dir.resolve("state");
    service = start(flags, state, clock);
  }

  @AfterEach
  void stopTheService() {
    service.shutdown();
  }

  private static BurnguardProvider start(Path flags, Path state, ManualClock clock) throws Exception {
    BurnguardProvider p = BurnguardProvider.builder().source(FlagSource.file(flags)).clock(clock).stateDirectory(state)
        .guardianTicking(false).build();
    p.initialize(new ImmutableContext());
    p.rollouts().tick(); // START
    return p;
  }

  private static String fingerprint(BurnguardProvider p) {
    return p.rollouts().plans().get("checkout").fingerprint();
  }

  private static List<String> files(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theServiceMakesARequestedControlAtItsNextTickWithTheToolsActorAndAnswers() throws Exception {
    ControlRequests tool = ControlRequests.in(state);
    String id = tool.submit(new Request("checkout", Control.PAUSE, "person:alice", fingerprint(service)));
    assertThat(files(tool.directory())).containsExactly(id + ".request");
    assertThat(tool.answer(id)).isEmpty();
    // nothing happens between ticks
    assertThat(service.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);

    service.rollouts().tick();
    assertThat(service.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.PAUSED);
    assertThat(service.rollouts().recentDecisions("checkout")).extracting(d -> d.action() + " " + d.actor())
        .containsExactly("START guardian", "PAUSE person:alice");
    assertThat(files(tool.directory())).containsExactly(id + ".answer");
    Answer answer = tool.answer(id).orElseThrow();
    assertThat(answer.refusal()).isNull();
    assertThat(answer.decision().action()).isEqualTo(DecisionAction.PAUSE);
    assertThat(answer.decision().actor()).isEqualTo("person:alice");
    assertThat(answer.stored()).isTrue();
    assertThat(files(tool.directory())).isEmpty(); // the tool took its answer away

    // what the service's API refuses, it refuses to a tool too, and changes nothing
    String again = tool.submit(new Request("checkout", Control.PAUSE, "person:bob", fingerprint(service)));
    String unknown = tool.submit(new Request("nope", Control.ROLLBACK, "person:bob", fingerprint(service)));
    String otherPlan = tool.submit(new Request("checkout", Control.ROLLBACK, "person:bob", "0123456789abcdef"));
    service.rollouts().tick();
    Answer a = tool.answer(again).orElseThrow();
    assertThat(a.refusal()).isEqualTo(Refusal.REFUSED);
    assertThat(a.message()).contains("PAUSED").contains("nothing was changed");
    Answer u = tool.answer(unknown).orElseThrow();
    assertThat(u.refusal()).isEqualTo(Refusal.NOT_FOUND);
    assertThat(u.message()).contains("no rollout plan for flag \"nope\"").contains("[checkout]");
    Answer o = tool.answer(otherPlan).orElseThrow();
    assertThat(o.refusal()).isEqualTo(Refusal.REFUSED);
    assertThat(o.message()).contains("under plan " + fingerprint(service)).contains("0123456789abcdef");
    assertThat(service.rollouts().recentDecisions("checkout")).hasSize(2);

    // resume, promote, rollback, reset: each the service's own transition, with the tool's actor
    for (Control c : List.of(Control.RESUME, Control.PROMOTE, Control.ROLLBACK, Control.RESET)) {
      String r = tool.submit(new Request("checkout", c, "person:carol", fingerprint(service)));
      service.rollouts().tick();
      assertThat(tool.answer(r).orElseThrow().decision().action().name()).isEqualTo(c.name());
    }
    assertThat(service.rollouts().recentDecisions("checkout")).extracting(d -> d.action() + " " + d.actor())
        .containsExactly("START guardian", "PAUSE person:alice", "RESUME person:carol", "PROMOTE person:carol",
            "ROLLBACK person:carol", "RESET person:carol");
  }

  @Test
  void aWithdrawnRequestIsNeverAppliedAndATakenOneCannotBeWithdrawn() throws Exception {
    ControlRequests tool = ControlRequests.in(state);
    String id = tool.submit(new Request("checkout", Control.ROLLBACK, "person:alice", fingerprint(service)));
    assertThat(tool.withdraw(id)).isTrue();
    service.rollouts().tick();
    assertThat(service.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(tool.answer(id)).isEmpty();
    assertThat(files(tool.directory())).isEmpty();

    String taken = tool.submit(new Request("checkout", Control.ROLLBACK, "person:alice", fingerprint(service)));
    service.rollouts().tick();
    assertThat(tool.withdraw(taken)).isFalse(); // the service took it: applied, answered
    assertThat(service.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(tool.answer(taken)).map(a -> a.decision().action()).contains(DecisionAction.ROLLBACK);
  }

  @Test
  void requestsLeftFromBeforeTheServiceStartedAreDroppedNotApplied() throws Exception {
    String fingerprint = fingerprint(service);
    service.shutdown();
    ControlRequests tool = ControlRequests.in(state);
    tool.submit(new Request("checkout", Control.ROLLBACK, "person:gone", fingerprint)); // its tool was killed
    Files.writeString(tool.directory().resolve("x.answer"), "{}"); // an answer nobody collected

    service = start(flags, state, clock);
    service.rollouts().tick();
    assertThat(service.rollouts().state("checkout").orElseThrow().status()).isEqualTo(RolloutStatus.RAMPING);
    assertThat(service.rollouts().recentDecisions("checkout")).extracting(d -> d.action())
        .containsExactly(DecisionAction.START);
    assertThat(files(tool.directory())).isEmpty();
  }

  @Test
  void aRequestThatIsNotOneIsAnsweredWithWhatIsWrongAndWhereAndChangesNothing() throws Exception {
    ControlRequests tool = ControlRequests.in(state);
    Path folder = Files.createDirectories(tool.directory());
    Files.writeString(folder.resolve("a.request"), "{\"flag\": \"checkout\", \"control\": \"explode\", \"actor\": \"x\","
        + " \"planFingerprint\": \"f\"}");
    Files.writeString(folder.resolve("b.request"), "{\"flag\": \"checkout\", \"control\": \"pause\", \"actor\": 7,"
        + " \"planFingerprint\": \"f\"}");
    Files.writeString(folder.resolve("c.request"), "{\"flag\": ");
    Files.writeString(folder.resolve("d.request"), "[1, 2]");
    Files.writeString(folder.resolve("e.request"), " ".repeat((int) ControlRequests.MAX_REQUEST_BYTES + 1));
    service.rollouts().tick();
    Answer a = tool.answer("a").orElseThrow();
    assertThat(a.refusal()).isEqualTo(Refusal.INVALID);
    assertThat(a.message()).contains(folder.resolve("a.request") + " at $.control: unknown control \"explode\"");
    assertThat(tool.answer("b").orElseThrow().message()).contains(folder.resolve("b.request") + " at $.actor: not a "
        + "non-blank string: 7");
    assertThat(tool.answer("c").orElseThrow().message()).contains(folder.resolve("c.request") + ": not JSON");
    assertThat(tool.answer("d").orElseThrow().message()).contains("at $: a request is a JSON object");
    assertThat(tool.answer("e").orElseThrow().message()).contains("a request of 16385 bytes, more than 16384");
    assertThat(service.rollouts().recentDecisions("checkout")).extracting(d -> d.action())
        .containsExactly(DecisionAction.START);
    assertThat(files(folder)).isEmpty();
  }

  @Test
  void atMostMaxPerTickRequestsAreTakenInOneTickAndUncollectedAnswersGoAfterTheirRetention() throws Exception {
    ControlRequests tool = ControlRequests.in(state);
    int asked = ControlRequests.MAX_PER_TICK + 3;
    for (int i = 0; i < asked; i++) {
      tool.submit(new Request("nope", Control.PAUSE, "person:a", "f"));
    }
    service.rollouts().tick();
    assertThat(files(tool.directory()).stream().filter(f -> f.endsWith(".answer"))).hasSize(ControlRequests.MAX_PER_TICK);
    assertThat(files(tool.directory()).stream().filter(f -> f.endsWith(".request"))).hasSize(3);
    service.rollouts().tick();
    assertThat(files(tool.directory()).stream().filter(f -> f.endsWith(".answer"))).hasSize(asked);

    clock.advance(Duration.ofNanos(ControlRequests.ANSWER_RETENTION_NANOS - 1_000_000_000L));
    service.rollouts().tick();
    assertThat(files(tool.directory())).hasSize(asked); // not yet: 9 min 59 s after the last answers
    clock.advance(Duration.ofMinutes(1));
    service.rollouts().tick();
    assertThat(files(tool.directory())).isEmpty();
  }

  @Test
  void aToolCannotReadSomethingElseAsAnAnswer() throws Exception {
    ControlRequests tool = ControlRequests.in(dir);
    Files.createDirectories(tool.directory());
    Files.writeString(tool.directory().resolve("z.answer"), "not json");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> tool.answer("z")))
        .isInstanceOf(IOException.class).hasMessageContaining("z.answer: not an answer from a Burnguard service");
    assertThat(tool.answer("missing")).isEqualTo(Optional.empty());
  }
}
