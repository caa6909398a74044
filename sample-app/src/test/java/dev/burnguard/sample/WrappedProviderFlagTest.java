package dev.burnguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.testing.ManualClock;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's second flag, {@value ShippingQuote#FLAG}, is served by OpenFeature's InMemoryProvider
 * wrapped in a {@link dev.burnguard.GuardedProvider}: over the real HTTP API on a manual clock, the
 * dashboard's state shows its rollout beside Burnguard's own flag, a fault injected into its
 * candidate through the admin API makes its guardian roll it back (and leaves the other flag alone),
 * and the manual actions work on it. 100 requests a simulated second from 1,000 users, the
 * guardians ticking and the dashboard sampling once a second, as the running app does.
 */
class WrappedProviderFlagTest {
  private static final String TOKEN = "wrapped-test-token-0123456789";
  private static final String FLAG = ShippingQuote.FLAG;
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private final HttpClient http = HttpClient.newHttpClient();
  private SampleService app;

  @BeforeEach
  void start() throws Exception {
    app = SampleService.start(new SampleService.Settings(dir, InetAddress.getLoopbackAddress(), 0, List.of(), 0, 1000,
        false, TOKEN, clock, false));
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body))
        .headers("Authorization", "Bearer " + TOKEN, "Content-Type", "application/x-www-form-urlencoded").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> state() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
        + "/api/state?since=0")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return (Map<String, Object>) JsonReader.read(r.body());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String... path) {
    Map<String, Object> m = (Map<String, Object>) o;
    for (String p : path) {
      m = (Map<String, Object>) m.get(p);
    }
    return m;
  }

  /** One simulated second: traffic in 100 ms slices, both guardians' ticks, a dashboard sample. */
  private void second() {
    for (int slice = 0; slice < 10; slice++) {
      clock.advance(Duration.ofMillis(100));
      for (int i = 0; i < 10; i++) {
        app.traffic.sendOne();
      }
    }
    app.provider.rollouts().tick();
    app.shippingProvider.rollouts().tick();
    app.everySecond();
  }

  private RolloutStatus status(String flag) {
    return app.rollouts.state(flag).orElseThrow().status();
  }

  @Test
  void theDashboardShowsTheWrappedFlagsRolloutAndAFaultInjectedIntoItIsRolledBack() throws Exception {
    second();
    Map<String, Object> flags = map(state(), "flags");
    assertThat(flags).containsKeys(Checkout.FLAG, FLAG);
    Map<String, Object> wrapped = map(flags, FLAG);
    assertThat(map(wrapped, "plan")).containsEntry("control", "old").containsEntry("candidate", "new");
    assertThat(map(wrapped, "state")).containsEntry("status", "RAMPING").containsEntry("exposure", 0.05);
    assertThat(map(state(), "faults")).containsOnlyKeys(Checkout.FLAG, FLAG);

    // the wrapped flag's own outcomes in the dashboard's samples: calls on both variants
    List<Object> samples = (List<Object>) state().get("samples");
    Map<String, Object> sampled = map(samples.get(samples.size() - 1), "flags", FLAG);
    assertThat((Number) map(sampled, "candidate").get("calls")).matches(n -> n.longValue() > 0);
    assertThat((Number) map(sampled, "control").get("calls")).matches(n -> n.longValue() > 0);

    assertThat(post("/api/fault", "errorRate=0.5&latencyMs=0&flag=no-such-flag").statusCode()).isEqualTo(404);
    HttpResponse<String> injected = post("/api/fault", "errorRate=0.5&latencyMs=0&flag=" + FLAG);
    assertThat(injected.statusCode()).isEqualTo(200);
    assertThat(injected.body()).contains("\"flag\":\"" + FLAG + "\"");
    assertThat(app.faults.current(FLAG).errorRate()).isEqualTo(0.5);
    assertThat(app.faults.current()).as("the checkout's fault").isEqualTo(Faults.Fault.NONE);
    assertThat(map(state(), "faults", FLAG)).containsEntry("errorRate", 0.5);

    List<Decision> decisions = new CopyOnWriteArrayList<>();
    app.rollouts.onDecision(decisions::add);
    Instant faultAt = clock.now();
    int seconds = 0;
    while (status(FLAG) != RolloutStatus.ROLLED_BACK && seconds < 300) {
      second();
      seconds++;
    }
    assertThat(status(FLAG)).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(status(Checkout.FLAG)).as("the other provider's flag is not touched").isEqualTo(RolloutStatus.RAMPING);
    Decision rollback = decisions.stream().filter(d -> d.action() == DecisionAction.ROLLBACK).findFirst().orElseThrow();
    assertThat(rollback.flagKey()).isEqualTo(FLAG);
    assertThat(rollback.actor()).isEqualTo("guardian");
    assertThat(rollback.reason()).contains("availability");
    System.out.println("WrappedProviderFlagTest: 50 % errors on the wrapped flag's candidate at 5 % exposure, rolled back "
        + Duration.between(faultAt, rollback.at()).toSeconds() + " s after the fault (simulated), " + seconds
        + " seconds of 100 requests");
    for (int i = 0; i < 200; i++) {
      assertThat(app.shipping.quote("user-" + i, 6).implementation()).isEqualTo("old");
    }

    Map<String, Object> after = state();
    assertThat(map(after, "flags", FLAG, "state")).containsEntry("status", "ROLLED_BACK");
    assertThat(((Number) map(after, "flags", FLAG, "state").get("exposure")).doubleValue()).isZero();
    assertThat((List<Object>) after.get("decisions")).anySatisfy(d -> assertThat(map(d))
        .containsEntry("flag", FLAG).containsEntry("action", "ROLLBACK").containsEntry("actor", "guardian"));
  }

  @Test
  void theManualActionsOfTheAdminApiWorkOnTheWrappedFlag() throws Exception {
    assertThat(post("/api/rollouts/" + FLAG + "/resume", "").statusCode()).as("not paused").isEqualTo(409);
    assertThat(post("/api/rollouts/" + FLAG + "/pause", "").statusCode()).isEqualTo(200);
    assertThat(status(FLAG)).isEqualTo(RolloutStatus.PAUSED);
    assertThat(post("/api/rollouts/" + FLAG + "/resume", "").statusCode()).isEqualTo(200);
    assertThat(status(FLAG)).isEqualTo(RolloutStatus.RAMPING);
    HttpResponse<String> promoted = post("/api/rollouts/" + FLAG + "/promote", "");
    assertThat(promoted.statusCode()).isEqualTo(200);
    assertThat(promoted.body()).contains("\"exposure\":0.25");
    assertThat(app.rollouts.state(FLAG).orElseThrow().stage()).isEqualTo(1);
    assertThat(post("/api/rollouts/" + FLAG + "/rollback", "").statusCode()).isEqualTo(200);
    assertThat(status(FLAG)).isEqualTo(RolloutStatus.ROLLED_BACK);
    assertThat(post("/api/rollouts/" + FLAG + "/reset", "").statusCode()).isEqualTo(200);
    assertThat(app.rollouts.state(FLAG).orElseThrow().exposure()).isEqualTo(0.05);
    assertThat(status(Checkout.FLAG)).isEqualTo(RolloutStatus.RAMPING);
    assertThat(app.provider.rollouts().state(Checkout.FLAG).orElseThrow().version()).as("untouched").isZero();

    // every action is in the wrapped flag's decision log, read back from its own rollout store
    List<Object> log = (List<Object>) state().get("decisions");
    assertThat(log.stream().map(d -> map(d)).filter(d -> FLAG.equals(d.get("flag"))).map(d -> d.get("action")))
        .containsSubsequence("PAUSE", "RESUME", "PROMOTE", "ROLLBACK", "RESET");
  }
}
