package dev.burnguard.internal.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.outcome.Outcome;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.source.FlagSource;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 2: a rollback scenario on a manual clock, and its report's numbers checked against
 * the recorder's counts and the decisions kept (expected values come from the recorder, the store or
 * literals, never from the report code).
 */
class RolloutReportTest {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";
  private static final String EVE = "person:<b>eve</b>&co";

  /** Second {@code s}'s traffic: 10 candidate calls (2 failing once bad), 10 control calls (1 failing every 10th second). */
  private static void traffic(SliRecorder recorder, ManualClock clock, int s, boolean bad) {
    long end = clock.monotonicNanos();
    for (int i = 0; i < 10; i++) {
      recorder.recordCall("checkout", "new", end - 2_000_000, end, bad && i < 2 ? Outcome.ERROR : Outcome.SUCCESS);
      recorder.recordCall("checkout", "old", end - 1_000_000, end, s % 10 == 0 && i == 0 ? Outcome.ERROR : Outcome.SUCCESS);
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  void aRollbackReportHoldsTheRecordersCountsPerStageAndEveryDecision() throws Exception {
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(10, Duration.ofDays(1), 0),
        new Stage(50, Duration.ofDays(1), 0), new Stage(100, Duration.ofDays(1), 0))).build();
    ManualClock clock = new ManualClock();
    Instant start = clock.now();
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock)
        .rollout("checkout", plan).inMemoryRolloutState().guardianTicking(false).build();
    provider.initialize(new ImmutableContext());
    try {
      SliRecorder recorder = ProviderInternals.recorder(provider);
      int s = 0;
      for (; s < 60; s++) { // a healthy first stage
        traffic(recorder, clock, s, false);
        clock.advance(Duration.ofSeconds(1));
        provider.rollouts().tick();
      }
      provider.rollouts().promote("checkout", EVE);
      for (; s < 360 && provider.rollouts().state("checkout").orElseThrow().status() != RolloutStatus.ROLLED_BACK; s++) {
        traffic(recorder, clock, s, true); // 20 % of the candidate's calls fail
        clock.advance(Duration.ofSeconds(1));
        provider.rollouts().tick();
      }
      List<Decision> kept = provider.rollouts().recentDecisions("checkout");
      assertThat(kept).extracting(Decision::action)
          .containsExactly(DecisionAction.START, DecisionAction.PROMOTE, DecisionAction.ROLLBACK);
      long rollbackSecond = Duration.between(start, kept.get(2).at()).toSeconds();
      assertThat(Duration.between(start, kept.get(1).at()).toSeconds()).isEqualTo(60);

      // the recorder's exact counts over the buckets each stage's ticks read: stage 0 [0 s, 60 s), stage 1 [60 s, the rollback's bucket)
      long[][] expected = new long[2][];
      long[] bounds = {0, 60, rollbackSecond / 10 * 10};
      for (int stage = 0; stage < 2; stage++) {
        long[] cand = new long[5];
        long[] ctrl = new long[5];
        recorder.windows("checkout").countsBetween("new", bounds[stage], bounds[stage + 1], cand);
        recorder.windows("checkout").countsBetween("old", bounds[stage], bounds[stage + 1], ctrl);
        expected[stage] = new long[] {cand[0], cand[1], ctrl[0], ctrl[1]};
      }
      assertThat(expected[0]).containsExactly(600, 0, 600, 6);
      assertThat(expected[1][0]).isPositive();

      StringWriter json = new StringWriter();
      provider.rollouts().report("checkout", "json", json);
      Map<String, Object> report = (Map<String, Object>) JsonReader.read(json.toString());
      assertThat(report.get("flag")).isEqualTo("checkout");
      List<Map<String, Object>> stages = (List<Map<String, Object>>) report.get("stages");
      assertThat(stages).hasSize(2);
      double excess = 0;
      long candidateErrors = 0;
      long calls = 0;
      for (int stage = 0; stage < 2; stage++) {
        Map<String, Object> st = stages.get(stage);
        Map<String, Object> cand = (Map<String, Object>) st.get("candidate");
        Map<String, Object> ctrl = (Map<String, Object>) st.get("control");
        assertThat(st.get("stage")).isEqualTo((long) stage);
        assertThat(List.of(cand.get("calls"), cand.get("errors"), ctrl.get("calls"), ctrl.get("errors")))
            .containsExactly(expected[stage][0], expected[stage][1], expected[stage][2], expected[stage][3]);
        // user impact as the issue defines it: candidate failures above the control's rate
        excess += Math.max(0, expected[stage][1] - expected[stage][0] * (double) expected[stage][3] / expected[stage][2]);
        candidateErrors += expected[stage][1];
        calls += expected[stage][0] + expected[stage][2];
      }
      Map<String, Object> impact = (Map<String, Object>) report.get("impact");
      assertThat((double) impact.get("excessFailedCalls")).isCloseTo(excess, within(1e-9));
      assertThat((double) impact.get("candidateBudgetShare")).isCloseTo(candidateErrors / (0.001 * calls), within(1e-9));
      assertThat((double) impact.get("errorBudget")).isCloseTo(0.001, within(1e-12));
      List<Map<String, Object>> decisions = (List<Map<String, Object>>) report.get("decisions");
      assertThat(decisions).extracting(d -> d.get("action")).containsExactly("START", "PROMOTE", "ROLLBACK");
      assertThat(decisions).extracting(d -> d.get("actor")).containsExactly(kept.get(0).actor(), EVE, "guardian");
      assertThat(decisions).extracting(d -> d.get("at"))
          .containsExactly(kept.get(0).at().toString(), kept.get(1).at().toString(), kept.get(2).at().toString());
      assertThat((List<Object>) decisions.get(2).get("evidence")).isNotEmpty();
      assertThat(((Map<String, Object>) report.get("state")).get("status")).isEqualTo("ROLLED_BACK");
      Map<String, Object> latency = (Map<String, Object>) report.get("latency");
      assertThat((double) ((Map<String, Object>) latency.get("new")).get("p50Millis")).isCloseTo(2.0, within(0.05));
      assertThat((double) ((Map<String, Object>) latency.get("old")).get("p50Millis")).isCloseTo(1.0, within(0.05));

      StringWriter html = new StringWriter();
      provider.rollouts().report("checkout", "html", html);
      assertThat(html.toString()).startsWith("<!DOCTYPE html>").contains("<svg").contains("person:&lt;b&gt;eve&lt;/b&gt;&amp;co")
          .doesNotContain("<b>eve</b>").doesNotContain("<script").doesNotContain("http://www.w3.org/1999")
          .contains(">" + expected[1][0] + "</td>").contains("ROLLBACK");
      assertThat(html.toString().replace("http://www.w3.org/2000/svg", "")).doesNotContain("http:").doesNotContain("https:");
      StringWriter md = new StringWriter();
      provider.rollouts().report("checkout", "md", md);
      assertThat(md.toString()).startsWith("# Rollout report: checkout").contains("person:&lt;b&gt;eve&lt;/b&gt;&amp;co")
          .contains("| 1 | 50.00 % | " + expected[1][0] + " | " + expected[1][1] + " |");
    } finally {
      provider.shutdown();
    }
  }

  @Test
  void refusesAnUnknownFormatAndAFlagWithoutARollout() throws Exception {
    ManualClock clock = new ManualClock();
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).clock(clock)
        .rollout("checkout", RolloutPlan.builder("old", "new").build()).inMemoryRolloutState().guardianTicking(false)
        .build();
    provider.initialize(new ImmutableContext());
    try {
      StringWriter out = new StringWriter();
      assertThatThrownBy(() -> provider.rollouts().report("checkout", "pdf", out))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"pdf\"").hasMessageContaining("html");
      assertThatThrownBy(() -> provider.rollouts().report("nope", "json", out))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"nope\"");
      assertThat(out.toString()).isEmpty();
    } finally {
      provider.shutdown();
    }
  }

  /** A report made without the plan (as a tool reading a state directory does) and a hostile flag key and actor. */
  @Test
  void escapesFlagKeysAndActorsAndReadsVariantsAndBudgetFromTheFingerprint() throws Exception {
    String key = "<img src=x onerror=alert(1)>";
    RolloutPlan plan = RolloutPlan.builder("old", "new").build();
    Instant t = Instant.parse("2026-12-05T10:00:00Z");
    RolloutState s0 = RolloutState.start(key, plan, t);
    Decision start = new Decision(key, t, DecisionAction.START, "file", true, "started", List.of(), null, s0);
    RolloutState s1 = s0.with(RolloutStatus.ROLLED_BACK, 0, 0, 0, t.plusSeconds(60), null, null);
    Decision rollback = new Decision(key, t.plusSeconds(60), DecisionAction.ROLLBACK, "\"><script>x()</script>", true,
        "rollback requested", List.of(), s0, s1);
    RolloutReport r = RolloutReport.of(key, t.plusSeconds(120), null, s1, List.of(start, rollback),
        List.of(new dev.burnguard.internal.guardian.StageCounts.Stage(0, 1000, 50, 0, 9000, 9, 0)), Map.of());
    assertThat(r.candidate()).isEqualTo("new");
    assertThat(r.control()).isEqualTo("old");
    assertThat(r.errorBudget()).isCloseTo(0.001, within(1e-12));
    assertThat(r.exposure(0)).isCloseTo(0.01, within(1e-12));
    assertThat(r.excessFailedCalls()).isCloseTo(50 - 1000 * 9.0 / 9000, within(1e-9)); // 49
    assertThat(r.candidateBudgetShare()).isCloseTo(50 / (0.001 * 10_000), within(1e-9)); // 500 %
    StringWriter html = new StringWriter();
    r.write("html", html);
    assertThat(html.toString()).doesNotContain("<img").doesNotContain("<script").contains("&lt;img src=x")
        .contains("&quot;&gt;&lt;script&gt;");
    StringWriter md = new StringWriter();
    r.write("markdown", md);
    assertThat(md.toString()).doesNotContain("<img").doesNotContain("<script");
  }
}
