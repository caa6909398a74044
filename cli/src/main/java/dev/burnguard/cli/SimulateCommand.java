package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.Simulation;
import dev.burnguard.testing.VariantBehavior;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code burnguard simulate FILE --flag F --rps R --error-rate E}: the flag file's plan on simulated
 * traffic (the simulation kit of {@code burnguard-testing}, a real provider and guardian on a manual
 * clock), run with several seeds twice: with a candidate failing at E from the start, for the time
 * to the first shrink and rollback, and with a healthy candidate (failing at the control's rate), for
 * the probability of a false shrink or rollback.
 */
@Command(name = "simulate", sortOptions = false, header = "Tries a rollout plan on simulated traffic: time to shrink or roll back, false-rollback rate.",
    description = {
        "Tries a flag's rollout plan on simulated traffic before production: how long until a bad candidate is "
            + "shrunk and rolled back, and how often a healthy one would be (a false rollback). Each seed runs a "
            + "real provider and guardian on a simulated clock: hours of traffic take seconds.",
        "",
        "Two sets of runs, --seeds each: the candidate failing at --error-rate from the start (the control at "
            + "--baseline-error-rate), then a healthy candidate failing at --baseline-error-rate like the control.",
        "",
        "Example: burnguard simulate flags.json --flag new-checkout --rps 100 --error-rate 0.02 --seeds 20"})
final class SimulateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the flag file holding the flag and its \"rollout\" plan")
  Path file;

  @Option(names = "--flag", required = true, paramLabel = "FLAG", description = "the flag whose plan to simulate")
  String flag;

  @Option(names = "--rps", required = true, paramLabel = "R", description = "requests per second to the flag (e.g. 100, or 0.5)")
  double rps;

  @Option(names = "--error-rate", required = true, paramLabel = "E",
      description = "the bad candidate's error ratio, in [0, 1] (e.g. 0.02 for 2 %%)")
  double errorRate;

  @Option(names = "--baseline-error-rate", paramLabel = "B",
      description = "the control's (and the healthy candidate's) error ratio; default: half the SLO's error budget")
  Double baselineErrorRate;

  @Option(names = "--latency", paramLabel = "MEDIAN,P99",
      description = "the bad candidate's latency, e.g. 40ms,900ms (default 20ms,80ms, also the control's)")
  String latency;

  @Option(names = "--seeds", paramLabel = "N", defaultValue = "10", description = "runs per set, seeds 1..N (default 10)")
  int seeds;

  @Option(names = "--duration", paramLabel = "D",
      description = "simulated time per run, e.g. 3h (default: the plan's bakes plus its watch, at most 2 days)")
  String duration;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "text (default) or json")
  ValidateCommand.Format format;

  @Override
  public Integer call() throws CliException {
    CommandLine cl = spec.commandLine();
    if (!(rps > 0) || rps > 100_000) {
      throw new CommandLine.ParameterException(cl, "--rps must be above 0 and at most 100000, got " + rps);
    }
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new CommandLine.ParameterException(cl, "--error-rate must be in [0, 1], got " + errorRate);
    }
    if (seeds < 1 || seeds > 10_000) {
      throw new CommandLine.ParameterException(cl, "--seeds must be between 1 and 10000, got " + seeds);
    }
    Duration[] lat = latency == null ? null : latencies(cl, latency);
    Duration runFor = duration == null ? null : duration(cl, "--duration", duration);
    String json = FlagFiles.read(file);
    FlagSet set = FlagFiles.parse(file, json);
    RolloutPlan plan = FlagFiles.plan(set, flag);
    double baseline = baselineErrorRate != null ? baselineErrorRate : plan.slo().errorBudget() / 2;
    if (!(baseline >= 0 && baseline <= 1)) {
      throw new CommandLine.ParameterException(cl, "--baseline-error-rate must be in [0, 1], got " + baseline);
    }
    if (runFor == null) {
      runFor = plan.watch();
      for (Stage s : plan.stages()) {
        runFor = runFor.plus(s.bake());
      }
      runFor = runFor.compareTo(Duration.ofDays(2)) > 0 ? Duration.ofDays(2) : runFor;
    }
    if (runFor.compareTo(Duration.ofSeconds(10)) < 0 || runFor.compareTo(Duration.ofDays(30)) > 0) {
      throw new CommandLine.ParameterException(cl, "--duration must be between 10s and 30d, got " + runFor);
    }
    VariantBehavior control = VariantBehavior.errors(baseline);
    VariantBehavior bad = VariantBehavior.errors(errorRate);
    if (lat != null) {
      bad = bad.latency(lat[0], lat[1]);
    }
    List<Duration> rollbacks = new ArrayList<>();
    List<Duration> shrinks = new ArrayList<>();
    int falseAlarms = 0;
    for (int seed = 1; seed <= seeds; seed++) {
      Simulation.SimulationResult r = run(json, plan, seed, bad, control, runFor);
      r.timeTo(DecisionAction.ROLLBACK).ifPresent(rollbacks::add);
      r.timeTo(DecisionAction.SHRINK).ifPresent(shrinks::add);
      Simulation.SimulationResult healthy = run(json, plan, seed, control, control, runFor);
      falseAlarms += healthy.everShrankOrRolledBack() ? 1 : 0;
    }
    Collections.sort(rollbacks);
    Collections.sort(shrinks);
    double upper = wilsonUpper(falseAlarms, seeds);
    PrintWriter out = cl.getOut();
    if (format == ValidateCommand.Format.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("flag", flag);
      m.put("rps", rps);
      m.put("errorRate", errorRate);
      m.put("baselineErrorRate", baseline);
      m.put("seeds", (long) seeds);
      m.put("duration", runFor.toString());
      m.put("rollback", times(rollbacks));
      m.put("shrink", times(shrinks));
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("runs", (long) seeds);
      f.put("shrankOrRolledBack", (long) falseAlarms);
      f.put("probability", (double) falseAlarms / seeds);
      f.put("upper95", upper);
      m.put("falseShrinkOrRollback", f);
      out.println(JsonWriter.write(m));
      return BurnguardCli.OK;
    }
    out.println("Plan of \"" + flag + "\" in " + file + ": stages " + stages(plan) + "; " + plan.slo() + "; rules "
        + plan.rules() + "; α " + plan.alpha());
    out.println(String.format(Locale.ROOT, "Traffic: %s req/s; %d seeds × %s of simulated time per run", trim(rps), seeds,
        BurnRateRule.compact(runFor)));
    out.println(String.format(Locale.ROOT, "Candidate failing at %s from the start (control at %s)%s:", pct(errorRate),
        pct(baseline), lat == null ? "" : ", latency median " + BurnRateRule.compact(lat[0]) + ", p99 "
            + BurnRateRule.compact(lat[1])));
    out.println("  rolled back in " + rollbacks.size() + " of " + seeds + " runs" + describe(rollbacks));
    out.println("  first shrink in " + shrinks.size() + " of " + seeds + " runs" + describe(shrinks));
    out.println(String.format(Locale.ROOT, "Healthy candidate (failing at %s, like the control):", pct(baseline)));
    out.println(String.format(Locale.ROOT, "  false shrink or rollback in %d of %d runs: %s (95 %% upper bound %s)",
        falseAlarms, seeds, pct((double) falseAlarms / seeds), pct(upper)));
    return BurnguardCli.OK;
  }

  private Simulation.SimulationResult run(String json, RolloutPlan plan, int seed, VariantBehavior candidate,
      VariantBehavior control, Duration runFor) {
    Simulation.Builder b = Simulation.builder(json, flag, plan).requestsPerSecond(rps).seed(seed)
        .behavior(plan.candidate(), candidate).behavior(plan.control(), control);
    Optional<Duration> threshold = plan.slo().latencyThreshold();
    threshold.ifPresent(b::latencyThresholds);
    return b.run(runFor);
  }

  private static Map<String, Object> times(List<Duration> sorted) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runs", (long) sorted.size());
    m.put("min", sorted.isEmpty() ? null : sorted.get(0).toString());
    m.put("median", sorted.isEmpty() ? null : sorted.get(sorted.size() / 2).toString());
    m.put("max", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1).toString());
    return m;
  }

  private static String describe(List<Duration> sorted) {
    if (sorted.isEmpty()) {
      return "";
    }
    return ": after " + BurnRateRule.compact(sorted.get(0)) + " at the earliest, " + BurnRateRule.compact(
        sorted.get(sorted.size() / 2)) + " median, " + BurnRateRule.compact(sorted.get(sorted.size() - 1)) + " at the latest";
  }

  private static String stages(RolloutPlan plan) {
    List<String> s = new ArrayList<>();
    for (Stage st : plan.stages()) {
      s.add(trim(st.exposurePercent()) + " % for " + BurnRateRule.compact(st.bake()));
    }
    return String.join(", ", s);
  }

  /** The upper end of the 95 % Wilson score interval of k successes in n trials. */
  static double wilsonUpper(int k, int n) {
    double z = 1.959963984540054;
    double p = (double) k / n;
    double denom = 1 + z * z / n;
    double centre = p + z * z / (2.0 * n);
    double spread = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
    return Math.min(1, (centre + spread) / denom);
  }

  private static String pct(double fraction) {
    String s = String.format(Locale.ROOT, "%.2f", fraction * 100).replaceAll("0+$", "").replaceAll("\\.$", "");
    return (s.equals("0") && fraction > 0 ? trim(fraction * 100) : s) + " %";
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.4f", v);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** A duration as people write them ({@code 300ms}, {@code 2s}, {@code 15m}, {@code 1h}, {@code 1d}) or ISO-8601. */
  static Duration duration(CommandLine cl, String option, String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    }
    try {
      return Duration.parse(text.trim());
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(cl, option + ": \"" + text + "\" is not a duration; write e.g. 300ms, 90s, "
          + "15m, 2h or 1d");
    }
  }

  private static Duration[] latencies(CommandLine cl, String text) {
    String[] parts = text.split(",", -1);
    if (parts.length != 2) {
      throw new CommandLine.ParameterException(cl, "--latency takes MEDIAN,P99, e.g. 40ms,900ms; got \"" + text + "\"");
    }
    Duration median = duration(cl, "--latency", parts[0]);
    Duration p99 = duration(cl, "--latency", parts[1]);
    if (median.isZero() || median.isNegative() || p99.compareTo(median) < 0) {
      throw new CommandLine.ParameterException(cl, "--latency needs 0 < MEDIAN <= P99, got \"" + text + "\"");
    }
    return new Duration[] {median, p99};
  }
}
