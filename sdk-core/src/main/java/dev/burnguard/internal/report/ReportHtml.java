package dev.burnguard.internal.report;

import dev.burnguard.internal.guardian.StageCounts;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.Decision.RuleCheck;
import dev.burnguard.rollout.RolloutPlan.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML rendering of a {@link RolloutReport}: one self-contained page (inline CSS and SVG, no
 * script, no external asset) with the exposure timeline and its decisions, per-stage error and slow
 * ratios of both variants, latency percentiles, one burn-rate chart per rule and SLI against the
 * rule's factor, then the tables of the Markdown rendering. Every text that comes from users or
 * files (flag keys, variants, actors, reasons) is HTML-escaped.
 */
final class ReportHtml {
  private static final int W = 900;
  private static final int H = 220;
  private static final int LEFT = 60;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 40;
  private static final String CANDIDATE = "#d9480f";
  private static final String CONTROL = "#1864ab";

  private ReportHtml() {}

  static String render(RolloutReport r) {
    StringBuilder sb = new StringBuilder(32_768);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Rollout report: ").append(h(r.flagKey())).append("</title><style>")
        .append("body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#212529;padding:0 12px}")
        .append("h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dee2e6}")
        .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dee2e6;padding:3px 8px;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto;background:#fff}")
        .append(".legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:12px;height:12px;")
        .append("margin-right:4px;vertical-align:middle}.ev{font-size:12px;color:#495057}.fires{color:#c92a2a;font-weight:600}")
        .append("</style></head><body>\n");
    sb.append("<h1 id=\"title\">Rollout report: <code>").append(h(r.flagKey())).append("</code></h1>\n");
    sb.append("<p>Generated ").append(h(r.generatedAt().toString())).append(". Candidate <code>").append(h(r.candidate()))
        .append("</code>, control <code>").append(h(r.control())).append("</code>.");
    if (r.state() != null) {
      sb.append(" Now <b>").append(r.state().status()).append("</b>, stage ").append(r.state().stage())
          .append(", exposure ").append(RolloutReport.percent(r.state().exposure())).append('.');
    }
    sb.append("</p>\n");

    impact(sb, r);
    sb.append("<h2>Exposure over time, with the decisions</h2>\n");
    timeline(sb, r);
    sb.append("<h2>Error ratio per stage</h2>\n");
    legend(sb, r);
    stageBars(sb, r, true);
    sb.append("<h2>Slow-call ratio per stage</h2>\n");
    stageBars(sb, r, false);
    sb.append("<h2>Latency percentiles</h2>\n");
    latency(sb, r);
    sb.append("<h2>Burn rates against each rule's factor</h2>\n");
    burns(sb, r);
    stagesTable(sb, r);
    decisionsTable(sb, r);
    plan(sb, r);
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static void impact(StringBuilder sb, RolloutReport r) {
    long[] t = r.totals();
    sb.append("<h2>Impact</h2>\n<table id=\"impact\"><tr><th></th><th>value</th></tr>");
    row(sb, "candidate calls / failed", t[0] + " / " + t[1] + " (" + RolloutReport.ratio(t[1], t[0]) + ")");
    row(sb, "control calls / failed", t[3] + " / " + t[4] + " (" + RolloutReport.ratio(t[4], t[3]) + ")");
    row(sb, "estimated user impact: candidate failures above the control's rate",
        String.format(Locale.ROOT, "%.1f failed calls", r.excessFailedCalls()));
    row(sb, "error budget of the rollout's traffic", ReportMarkdown.budget(r));
    row(sb, "share of that budget the candidate consumed", RolloutReport.percent(r.candidateBudgetShare())
        + " (excess failures alone: " + RolloutReport.percent(r.excessBudgetShare()) + ")");
    sb.append("</table>\n");
  }

  private static void row(StringBuilder sb, String label, String value) {
    sb.append("<tr><td>").append(h(label)).append("</td><td>").append(h(value)).append("</td></tr>");
  }

  // ------------------------------------------------------------------ time axis

  private record Span(Instant from, Instant to) {
    double x(Instant t) {
      double total = Math.max(1, Duration.between(from, to).toMillis());
      return LEFT + (W - LEFT - RIGHT) * Duration.between(from, t).toMillis() / total;
    }
  }

  private static Span span(RolloutReport r) {
    Instant from = r.decisions().isEmpty() ? r.generatedAt() : r.decisions().get(0).at();
    Instant to = r.generatedAt();
    for (Decision d : r.decisions()) {
      to = d.at().isAfter(to) ? d.at() : to;
    }
    return new Span(from, to.equals(from) ? from.plusSeconds(60) : to);
  }

  private static void timeAxis(StringBuilder sb, Span s) {
    int y = H - BOTTOM;
    sb.append(line(LEFT, y, W - RIGHT, y, "#868e96", false));
    Duration total = Duration.between(s.from(), s.to());
    for (int i = 0; i <= 4; i++) {
      Instant t = s.from().plusMillis(total.toMillis() * i / 4);
      sb.append(text(s.x(t), y + 16, i == 4 ? "end" : "middle", "+" + BurnRateRule.compact(Duration.ofSeconds(
          Duration.between(s.from(), t).toSeconds()))));
    }
    sb.append(text(W - RIGHT, H - 2, "end", "time since " + s.from()));
  }

  private static String color(DecisionAction a) {
    switch (a) {
      case ROLLBACK:
        return "#c92a2a";
      case SHRINK:
        return "#e67700";
      case ADVANCE:
      case COMPLETE:
      case FINISH:
      case PROMOTE:
        return "#2b8a3e";
      default:
        return "#495057";
    }
  }

  private static void timeline(StringBuilder sb, RolloutReport r) {
    Span s = span(r);
    svgOpen(sb, "timeline", "Exposure of the candidate over time; vertical lines are decisions");
    yAxis(sb, 1, true);
    timeAxis(sb, s);
    StringBuilder path = new StringBuilder();
    double lastY = Double.NaN;
    for (Decision d : r.decisions()) {
      double x = s.x(d.at());
      double yBefore = d.before() == null ? y(d.after().exposure(), 1) : y(d.before().exposure(), 1);
      double yAfter = y(d.after().exposure(), 1);
      if (path.length() == 0) {
        path.append("M").append(f(x)).append(',').append(f(yBefore));
      } else {
        path.append(" H").append(f(x)).append(" V").append(f(Double.isNaN(lastY) ? yBefore : lastY));
      }
      path.append(" V").append(f(yAfter));
      lastY = yAfter;
    }
    if (path.length() > 0) {
      path.append(" H").append(f(s.x(s.to())));
      sb.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(CANDIDATE)
          .append("\" stroke-width=\"2\"/>");
    }
    int n = 0;
    for (Decision d : r.decisions()) {
      n++;
      double x = s.x(d.at());
      String c = color(d.action());
      sb.append("<g class=\"decision\"><title>").append(h("#" + n + " " + d.describe())).append("</title>")
          .append(line(x, TOP, x, H - BOTTOM, c, true))
          .append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y(d.after().exposure(), 1)))
          .append("\" r=\"4\" fill=\"").append(c).append("\"/>")
          .append("<text x=\"").append(f(x > W - 120 ? x - 3 : x + 3)).append("\" y=\"").append(TOP + 10 + 12 * ((n - 1) % 3))
          .append("\" text-anchor=\"").append(x > W - 120 ? "end" : "start")
          .append("\" font-size=\"10\" fill=\"").append(c).append("\">").append(n).append(' ')
          .append(h(d.action().name())).append("</text></g>");
    }
    sb.append("</svg>\n");
  }

  // ------------------------------------------------------------------ bars

  private static void legend(StringBuilder sb, RolloutReport r) {
    sb.append("<p class=\"legend\"><span><i class=\"sw\" style=\"background:").append(CANDIDATE)
        .append("\"></i>candidate <code>").append(h(r.candidate())).append("</code></span><span><i class=\"sw\" style=\"background:")
        .append(CONTROL).append("\"></i>control <code>").append(h(r.control())).append("</code></span></p>\n");
  }

  private static void stageBars(StringBuilder sb, RolloutReport r, boolean errors) {
    if (r.stages().isEmpty()) {
      sb.append("<p>No calls counted yet.</p>\n");
      return;
    }
    double max = 0;
    for (StageCounts.Stage s : r.stages()) {
      max = Math.max(max, ratio(errors ? s.candidateErrors() : s.candidateSlow(), s.candidateCalls()));
      max = Math.max(max, ratio(errors ? s.controlErrors() : s.controlSlow(), s.controlCalls()));
    }
    max = niceMax(max);
    svgOpen(sb, errors ? "error-ratio" : "slow-ratio", errors ? "Error ratio per stage" : "Slow-call ratio per stage");
    yAxis(sb, max, true);
    int n = r.stages().size();
    double slot = (double) (W - LEFT - RIGHT) / n;
    double bar = Math.min(40, slot / 3);
    int i = 0;
    for (StageCounts.Stage s : r.stages()) {
      double x0 = LEFT + slot * i + slot / 2 - bar;
      long cb = errors ? s.candidateErrors() : s.candidateSlow();
      long kb = errors ? s.controlErrors() : s.controlSlow();
      bar(sb, x0, bar, ratio(cb, s.candidateCalls()), max, CANDIDATE,
          h(r.candidate()) + ": " + cb + " / " + s.candidateCalls());
      bar(sb, x0 + bar, bar, ratio(kb, s.controlCalls()), max, CONTROL, h(r.control()) + ": " + kb + " / " + s.controlCalls());
      double e = r.exposure(s.stage());
      sb.append(text(x0 + bar, H - BOTTOM + 16, "middle",
          "stage " + s.stage() + (Double.isNaN(e) ? "" : " (" + RolloutReport.percent(e) + ")")));
      i++;
    }
    sb.append("</svg>\n");
  }

  private static void bar(StringBuilder sb, double x, double w, double value, double max, String color, String title) {
    double top = y(value, max);
    sb.append("<rect x=\"").append(f(x)).append("\" y=\"").append(f(top)).append("\" width=\"").append(f(w - 2))
        .append("\" height=\"").append(f(H - BOTTOM - top)).append("\" fill=\"").append(color).append("\"><title>")
        .append(title).append(String.format(Locale.ROOT, " (%.4f %%)", value * 100)).append("</title></rect>");
  }

  private static void latency(StringBuilder sb, RolloutReport r) {
    if (r.latency().isEmpty()) {
      sb.append("<p>Not recorded: the recorder's latency histograms live in the running service's memory; "
          + "the per-stage slow-call counts above are persisted.</p>\n");
      return;
    }
    double max = 0;
    for (RolloutReport.Latency l : r.latency()) {
      max = Math.max(max, l.p99().toNanos() / 1e6);
    }
    max = niceMax(max);
    svgOpen(sb, "latency", "Latency percentiles per variant, milliseconds");
    yAxis(sb, max, false);
    String[] names = {"p50", "p95", "p99"};
    double slot = (double) (W - LEFT - RIGHT) / 3;
    double bar = Math.min(50, slot / 3);
    for (int q = 0; q < 3; q++) {
      double x0 = LEFT + slot * q + slot / 2 - bar;
      int v = 0;
      for (RolloutReport.Latency l : r.latency()) {
        Duration d = q == 0 ? l.p50() : q == 1 ? l.p95() : l.p99();
        bar(sb, x0 + bar * v, bar, d.toNanos() / 1e6, max, l.variant().equals(r.candidate()) ? CANDIDATE : CONTROL,
            h(l.variant()) + " " + names[q] + " " + RolloutReport.millis(d));
        v++;
      }
      sb.append(text(x0 + bar, H - BOTTOM + 16, "middle", names[q]));
    }
    sb.append("</svg>\n");
    sb.append("<table id=\"latency-table\"><tr><th>variant</th><th>calls</th><th>p50</th><th>p95</th><th>p99</th></tr>");
    for (RolloutReport.Latency l : r.latency()) {
      sb.append("<tr><td>").append(h(l.variant())).append("</td><td>").append(l.calls()).append("</td><td>")
          .append(RolloutReport.millis(l.p50())).append("</td><td>").append(RolloutReport.millis(l.p95()))
          .append("</td><td>").append(RolloutReport.millis(l.p99())).append("</td></tr>");
    }
    sb.append("</table>\n");
  }

  // ------------------------------------------------------------------ burn rates

  private static void burns(StringBuilder sb, RolloutReport r) {
    Map<String, List<Object[]>> byRule = new LinkedHashMap<>();
    Map<String, BurnRateRule> rules = new LinkedHashMap<>();
    for (Decision d : r.decisions()) {
      for (RuleCheck c : d.evidence()) {
        String key = c.sli() + " " + c.rule();
        rules.put(key, c.rule());
        byRule.computeIfAbsent(key, k -> new ArrayList<>()).add(new Object[] {d, c});
      }
    }
    if (byRule.isEmpty()) {
      sb.append("<p>No decision carried rule checks (manual decisions carry none).</p>\n");
      return;
    }
    sb.append("<p class=\"legend\"><span>● long window</span><span>○ short window</span>")
        .append("<span>- - - the rule's factor</span></p>\n");
    Span s = span(r);
    for (Map.Entry<String, List<Object[]>> e : byRule.entrySet()) {
      BurnRateRule rule = rules.get(e.getKey());
      double max = rule.factor();
      for (Object[] p : e.getValue()) {
        RuleCheck c = (RuleCheck) p[1];
        max = Math.max(max, finite(c.burnLong()));
        max = Math.max(max, finite(c.burnShort()));
      }
      max = niceMax(max * 1.1);
      sb.append("<h3>").append(h(e.getKey())).append("</h3>\n");
      svgOpen(sb, "burn", "Burn rate of " + e.getKey());
      yAxis(sb, max, false);
      timeAxis(sb, s);
      double fy = y(rule.factor(), max);
      sb.append(line(LEFT, fy, W - RIGHT, fy, "#c92a2a", true))
          .append(text(W - RIGHT, fy - 4, "end", String.format(Locale.ROOT, "factor %.2f", rule.factor())));
      for (Object[] p : e.getValue()) {
        Decision d = (Decision) p[0];
        RuleCheck c = (RuleCheck) p[1];
        double x = s.x(d.at());
        sb.append("<g><title>").append(h(d.action() + " at " + d.at() + ": " + c.describe())).append("</title>")
            .append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y(finite(c.burnLong()), max)))
            .append("\" r=\"4\" fill=\"").append(CANDIDATE).append("\"/>")
            .append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y(finite(c.burnShort()), max)))
            .append("\" r=\"4\" fill=\"none\" stroke=\"").append(CANDIDATE).append("\"/>")
            .append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y(finite(c.controlBurnShort()), max)))
            .append("\" r=\"3\" fill=\"none\" stroke=\"").append(CONTROL).append("\"/></g>");
      }
      sb.append("</svg>\n");
    }
  }

  // ------------------------------------------------------------------ tables

  private static void stagesTable(StringBuilder sb, RolloutReport r) {
    sb.append("<h2>Calls per variant per stage</h2>\n<table id=\"stages\"><tr><th>stage</th><th>exposure</th>")
        .append("<th>").append(h(r.candidate())).append(" calls</th><th>errors</th><th>slow</th>")
        .append("<th>").append(h(r.control())).append(" calls</th><th>errors</th><th>slow</th></tr>");
    for (StageCounts.Stage s : r.stages()) {
      sb.append("<tr><td>").append(s.stage()).append("</td><td>").append(RolloutReport.percent(r.exposure(s.stage())))
          .append("</td><td>").append(s.candidateCalls()).append("</td><td>").append(s.candidateErrors())
          .append("</td><td>").append(s.candidateSlow()).append("</td><td>").append(s.controlCalls())
          .append("</td><td>").append(s.controlErrors()).append("</td><td>").append(s.controlSlow()).append("</td></tr>");
    }
    sb.append("</table>\n");
  }

  private static void decisionsTable(StringBuilder sb, RolloutReport r) {
    sb.append("<h2>Decisions</h2>\n<table id=\"decisions\"><tr><th>#</th><th>at</th><th>action</th><th>actor</th>")
        .append("<th>exposure</th><th>reason and evidence</th></tr>");
    int n = 0;
    for (Decision d : r.decisions()) {
      n++;
      sb.append("<tr><td>").append(n).append("</td><td>").append(h(d.at().toString())).append("</td><td style=\"color:")
          .append(color(d.action())).append("\">").append(d.applied() ? "" : "would ").append(d.action())
          .append("</td><td class=\"actor\">").append(h(d.actor())).append("</td><td>")
          .append(d.before() == null ? "–" : RolloutReport.percent(d.before().exposure())).append(" → ")
          .append(RolloutReport.percent(d.after().exposure())).append("</td><td style=\"text-align:left\">")
          .append(h(d.reason()));
      for (RuleCheck c : d.evidence()) {
        sb.append("<div class=\"ev").append(c.fires() ? " fires" : "").append("\">").append(h(c.describe())).append("</div>");
      }
      sb.append("</td></tr>");
    }
    sb.append("</table>\n");
  }

  private static void plan(StringBuilder sb, RolloutReport r) {
    sb.append("<h2>Plan</h2>\n");
    if (r.plan() == null) {
      sb.append("<p>Not given; fingerprint of the plan in force: <code>")
          .append(h(r.state() == null ? "unknown" : r.state().planFingerprint())).append("</code></p>\n");
      return;
    }
    sb.append("<p>Mode ").append(r.plan().mode()).append(", SLO ").append(h(r.plan().slo().toString())).append(", α ")
        .append(r.plan().alpha()).append(", at most ").append(r.plan().maxShrinks()).append(" shrinks, cool-down ")
        .append(BurnRateRule.compact(r.plan().coolDown())).append(", watch ").append(BurnRateRule.compact(r.plan().watch()))
        .append(".</p>\n<table id=\"plan\"><tr><th>stage</th><th>exposure</th><th>bake</th><th>min samples</th></tr>");
    int i = 0;
    for (Stage s : r.plan().stages()) {
      sb.append("<tr><td>").append(i++).append("</td><td>").append(RolloutReport.percent(s.exposure())).append("</td><td>")
          .append(BurnRateRule.compact(s.bake())).append("</td><td>").append(s.minSamples()).append("</td></tr>");
    }
    sb.append("</table>\n<ul>");
    for (BurnRateRule rule : r.plan().rules()) {
      sb.append("<li>").append(h(rule.toString())).append("</li>");
    }
    sb.append("</ul>\n");
  }

  // ------------------------------------------------------------------ drawing

  private static void svgOpen(StringBuilder sb, String id, String label) {
    sb.append("<svg class=\"chart ").append(id).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
        .append("\" width=\"").append(W).append("\" height=\"").append(H).append("\" role=\"img\" aria-label=\"")
        .append(h(label)).append("\" xmlns=\"http://www.w3.org/2000/svg\">");
  }

  private static void yAxis(StringBuilder sb, double max, boolean percent) {
    sb.append(line(LEFT, TOP, LEFT, H - BOTTOM, "#868e96", false));
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      double yy = y(v, max);
      sb.append(line(LEFT, yy, W - RIGHT, yy, "#f1f3f5", false));
      sb.append(text(LEFT - 6, yy + 4, "end", percent ? trim(v * 100) + " %" : trim(v)));
    }
  }

  private static double y(double value, double max) {
    double v = Math.max(0, Math.min(value, max));
    return H - BOTTOM - (H - BOTTOM - TOP) * (max <= 0 ? 0 : v / max);
  }

  private static double niceMax(double v) {
    if (!(v > 0)) {
      return 0.001;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static double ratio(long bad, long calls) {
    return calls == 0 ? 0 : (double) bad / calls;
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.4g", v);
    if (s.contains(".") && !s.contains("e")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }

  private static String line(double x1, double y1, double x2, double y2, String color, boolean dashed) {
    return "<line x1=\"" + f(x1) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(x2) + "\" y2=\"" + f(y2) + "\" stroke=\"" + color
        + "\"" + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>";
  }

  private static String text(double x, double y, String anchor, String s) {
    return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"11\" fill=\"#495057\">"
        + h(s) + "</text>";
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Escapes text for HTML element content and attribute values. */
  static String h(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
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
        case '"':
          sb.append("&quot;");
          break;
        case '\'':
          sb.append("&#39;");
          break;
        default:
          sb.append(c);
      }
    }
    return sb.toString();
  }
}
