package dev.burnguard.internal.report;

import dev.burnguard.internal.guardian.StageCounts;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.util.Locale;

/**
 * The Markdown rendering of a {@link RolloutReport}: the same sections and numbers as the HTML page,
 * without the charts. Text from users (flag keys, actors, reasons) is escaped so that it cannot
 * break a table or inject markup.
 */
final class ReportMarkdown {
  private ReportMarkdown() {}

  static String render(RolloutReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Rollout report: ").append(md(r.flagKey())).append("\n\n");
    sb.append("Generated ").append(r.generatedAt()).append(". Candidate `").append(code(r.candidate()))
        .append("`, control `").append(code(r.control())).append("`.\n\n");
    if (r.state() != null) {
      sb.append("**Now:** ").append(r.state().status()).append(", stage ").append(r.state().stage()).append(", exposure ")
          .append(RolloutReport.percent(r.state().exposure())).append(", version ").append(r.state().version())
          .append(".\n\n");
    }

    sb.append("## Impact\n\n");
    long[] t = r.totals();
    sb.append("| | value |\n|---|---|\n");
    sb.append("| candidate calls / failed | ").append(t[0]).append(" / ").append(t[1]).append(" (")
        .append(RolloutReport.ratio(t[1], t[0])).append(") |\n");
    sb.append("| control calls / failed | ").append(t[3]).append(" / ").append(t[4]).append(" (")
        .append(RolloutReport.ratio(t[4], t[3])).append(") |\n");
    sb.append("| estimated user impact (candidate failures above the control's rate) | ")
        .append(String.format(Locale.ROOT, "%.1f", r.excessFailedCalls())).append(" failed calls |\n");
    sb.append("| error budget of the rollout's traffic | ").append(budget(r)).append(" |\n");
    sb.append("| share of that budget the candidate consumed | ").append(RolloutReport.percent(r.candidateBudgetShare()))
        .append(" (excess failures alone: ").append(RolloutReport.percent(r.excessBudgetShare())).append(") |\n\n");

    sb.append("## Calls per variant per stage\n\n");
    sb.append("| stage | exposure | candidate calls | errors | error ratio | slow | control calls | errors | error ratio | slow |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (StageCounts.Stage s : r.stages()) {
      sb.append("| ").append(s.stage()).append(" | ").append(RolloutReport.percent(r.exposure(s.stage()))).append(" | ")
          .append(s.candidateCalls()).append(" | ").append(s.candidateErrors()).append(" | ")
          .append(RolloutReport.ratio(s.candidateErrors(), s.candidateCalls())).append(" | ").append(s.candidateSlow())
          .append(" | ").append(s.controlCalls()).append(" | ").append(s.controlErrors()).append(" | ")
          .append(RolloutReport.ratio(s.controlErrors(), s.controlCalls())).append(" | ").append(s.controlSlow())
          .append(" |\n");
    }
    if (r.stages().isEmpty()) {
      sb.append("| – | no calls counted yet | | | | | | | | |\n");
    }
    sb.append('\n');

    sb.append("## Latency\n\n");
    if (r.latency().isEmpty()) {
      sb.append("Not recorded (the recorder's histograms live in the running service's memory).\n\n");
    } else {
      sb.append("| variant | calls | p50 | p95 | p99 |\n|---|---|---|---|---|\n");
      for (RolloutReport.Latency l : r.latency()) {
        sb.append("| ").append(md(l.variant())).append(" | ").append(l.calls()).append(" | ")
            .append(RolloutReport.millis(l.p50())).append(" | ").append(RolloutReport.millis(l.p95())).append(" | ")
            .append(RolloutReport.millis(l.p99())).append(" |\n");
      }
      sb.append('\n');
    }

    sb.append("## Decisions\n\n");
    int n = 0;
    for (Decision d : r.decisions()) {
      n++;
      sb.append(n).append(". **").append(d.applied() ? "" : "would ").append(d.action()).append("** at ")
          .append(d.at()).append(" by ").append(md(d.actor())).append(": ")
          .append(d.before() == null ? "–" : RolloutReport.percent(d.before().exposure())).append(" → ")
          .append(RolloutReport.percent(d.after().exposure())).append(" (").append(d.after().status())
          .append(", stage ").append(d.after().stage()).append("). ").append(md(d.reason())).append('\n');
      for (RuleCheck c : d.evidence()) {
        sb.append("   - ").append(md(c.describe())).append(c.fires() ? " — **fires**" : "").append('\n');
      }
    }
    if (n == 0) {
      sb.append("No decisions kept.\n");
    }
    sb.append('\n');

    sb.append("## Plan\n\n");
    if (r.plan() == null) {
      sb.append("Not given; fingerprint of the plan in force: `")
          .append(code(r.state() == null ? "unknown" : r.state().planFingerprint())).append("`\n");
    } else {
      sb.append("Mode ").append(r.plan().mode()).append(", SLO ").append(md(r.plan().slo().toString()))
          .append(", α ").append(r.plan().alpha()).append(", at most ").append(r.plan().maxShrinks())
          .append(" shrinks, cool-down ").append(BurnRateRule.compact(r.plan().coolDown())).append(", watch ")
          .append(BurnRateRule.compact(r.plan().watch())).append(".\n\n");
      sb.append("| stage | exposure | bake | min samples |\n|---|---|---|---|\n");
      int i = 0;
      for (Stage s : r.plan().stages()) {
        sb.append("| ").append(i++).append(" | ").append(RolloutReport.percent(s.exposure())).append(" | ")
            .append(BurnRateRule.compact(s.bake())).append(" | ").append(s.minSamples()).append(" |\n");
      }
      sb.append("\nRules:\n\n");
      for (BurnRateRule rule : r.plan().rules()) {
        sb.append("- ").append(md(rule.toString())).append('\n');
      }
    }
    return sb.toString();
  }

  static String budget(RolloutReport r) {
    return Double.isNaN(r.errorBudget()) ? "unknown"
        : String.format(Locale.ROOT, "%.1f failed calls (%s of %d calls)", r.budgetCalls(),
            RolloutReport.percent(r.errorBudget()), r.totals()[0] + r.totals()[3]);
  }

  /** Escapes Markdown (and inline HTML) metacharacters; line breaks become spaces. */
  static String md(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<':
          sb.append("&lt;");
          break;
        case '>':
          sb.append("&gt;");
          break;
        case '&':
          sb.append("&amp;");
          break;
        case '\n':
        case '\r':
          sb.append(' ');
          break;
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#': case '!':
          sb.append('\\').append(c);
          break;
        default:
          sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Text inside a code span: backticks and line breaks removed. */
  static String code(String s) {
    return s.replace('`', '\'').replace('\n', ' ').replace('\r', ' ');
  }
}
