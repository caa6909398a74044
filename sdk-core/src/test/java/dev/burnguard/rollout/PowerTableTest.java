package dev.burnguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.testing.Simulation;
import dev.burnguard.testing.Simulation.SimulationResult;
import dev.burnguard.testing.VariantBehavior;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The power table published in the README ("How the guardian decides") and in
 * {@code docs/statistics.md}: how long after a regression appears the guardian first shrinks or
 * rolls back, for 1 %, 2 %, 5 %, 20 % and 100 % errors at 0.1, 1, 10 and 100 requests a second to
 * the candidate. All traffic goes to the candidate (one stage at 100 %), which ran healthy at half
 * its budget (0.05 % errors) for 2 hours first; SLO 99.9 %, default rules, α = 0.01, a 1-second
 * tick, seed 11. The test fails when any detection is slower than the published figure by more than
 * one bucket of the 1-hour window plus one tick (61 s), or when a published action changes.
 */
class PowerTableTest {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"new\"}}}";
  private static final Duration HEALTHY = Duration.ofHours(2);
  private static final Duration LIMIT = Duration.ofHours(12);
  private static final Duration TOLERANCE = Duration.ofSeconds(61);
  private static final double[] RATES = {0.1, 1, 10, 100};
  private static final double[] ERRORS = {0.01, 0.02, 0.05, 0.20, 1.0};

  /**
   * The published figures, by error ratio (rows) and rate (columns): seconds from the change to the
   * first shrink (S) or rollback (R), "-" when neither happened within 12 hours.
   */
  private static final String[][] PUBLISHED = {
      {"4610R", "8450S", "9736S", "9635S"}, // 1 %
      {"2820R", "2752R", "2440R", "2613R"}, // 2 %
      {"1590R", "1036R", "963R", "1028R"}, // 5 %
      {"231R", "241R", "268R", "249R"}, // 20 %
      {"51R", "50R", "51R", "50R"}, // 100 %
  };

  private static String measure(double rate, double errors) {
    RolloutPlan plan = RolloutPlan.builder("old", "new").stages(List.of(new Stage(100, Duration.ofMinutes(15), 0)))
        .watch(Duration.ofDays(60)).build();
    SimulationResult r = Simulation.builder(FLAGS, "checkout", plan).requestsPerSecond(rate).users(10_000).seed(11)
        .behavior("new", VariantBehavior.errors(0.0005)).behavior("old", VariantBehavior.errors(0.0005))
        .at(HEALTHY, "new", VariantBehavior.errors(errors))
        .run(HEALTHY.plus(LIMIT));
    assertThat(r.decisions().stream().filter(d -> !d.at().isAfter(r.start().plus(HEALTHY)))
        .noneMatch(d -> d.action() == DecisionAction.SHRINK || d.action() == DecisionAction.ROLLBACK))
        .as("no action before the change at %s req/s", rate).isTrue();
    return r.decisions().stream()
        .filter(d -> d.action() == DecisionAction.SHRINK || d.action() == DecisionAction.ROLLBACK).findFirst()
        .map(d -> Duration.between(r.start().plus(HEALTHY), d.at()).toSeconds()
            + (d.action() == DecisionAction.SHRINK ? "S" : "R"))
        .orElse("-");
  }

  @Test
  void detectionIsNoSlowerThanPublished() {
    List<String> slower = new ArrayList<>();
    StringBuilder table = new StringBuilder("| errors | 0.1 req/s | 1 req/s | 10 req/s | 100 req/s |\n|---|---:|---:|---:|---:|\n");
    for (int e = 0; e < ERRORS.length; e++) {
      table.append(String.format(Locale.ROOT, "| %s %% |", fmt(ERRORS[e] * 100)));
      for (int r = 0; r < RATES.length; r++) {
        String measured = measure(RATES[r], ERRORS[e]);
        table.append(' ').append(measured).append(" |");
        String published = PUBLISHED[e][r];
        if (!acceptable(measured, published)) {
          slower.add(fmt(ERRORS[e] * 100) + " % at " + fmt(RATES[r]) + " req/s: " + measured + ", published " + published);
        }
      }
      table.append('\n');
    }
    System.out.println("power table (seconds to the first shrink S or rollback R):\n" + table);
    assertThat(slower).as("detections slower than published by more than %s", TOLERANCE).isEmpty();
  }

  /** The table as the README and docs/statistics.md publish it, from {@link #PUBLISHED}. */
  static String publishedMarkdown() {
    StringBuilder sb = new StringBuilder("| errors | 0.1 req/s | 1 req/s | 10 req/s | 100 req/s |\n|---|---:|---:|---:|---:|\n");
    for (int e = 0; e < ERRORS.length; e++) {
      sb.append("| ").append(fmt(ERRORS[e] * 100)).append(" % |");
      for (String cell : PUBLISHED[e]) {
        sb.append(' ').append(cell.substring(0, cell.length() - 1)).append(" s ")
            .append(cell.endsWith("S") ? "shrink" : "rollback").append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  @Test
  void theReadmeAndTheStatisticsPagePublishExactlyTheseFigures() throws Exception {
    Path root = Path.of("..");
    String table = publishedMarkdown();
    String readme = Files.readString(root.resolve("README.md"));
    String statistics = Files.readString(root.resolve("docs/statistics.md"));
    assertThat(readme).contains(table);
    assertThat(statistics).contains(table);
    // and the same guarantee, word for word
    int from = statistics.indexOf("**The guarantee.**");
    int to = statistics.indexOf("\n\n", statistics.indexOf("**What it does not cover.**"));
    assertThat(from).isPositive();
    assertThat(readme).contains(statistics.substring(from, to));
  }

  /** Within the tolerance of the published figure, or faster, with the same action. */
  private static boolean acceptable(String measured, String published) {
    if (published.equals("-")) {
      return true; // nothing published: any detection is no slower
    }
    if (measured.equals("-") || measured.charAt(measured.length() - 1) != published.charAt(published.length() - 1)) {
      return false;
    }
    long m = Long.parseLong(measured.substring(0, measured.length() - 1));
    long p = Long.parseLong(published.substring(0, published.length() - 1));
    return m <= p + TOLERANCE.toSeconds();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
