package dev.burnguard.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.rollout.RolloutPlan.BurnRateRule;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutState;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import dev.burnguard.rollout.RolloutPlan.RuleAction;
import dev.burnguard.rollout.Decision.RuleCheck;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The store's file formats: every field of every rollout value survives writing and reading back. */
class RolloutStoreJsonTest {
  private static final String AWKWARD = "quote \" backslash \\ slash / newline \n tab \t nul \u0000 del \u007f "
      + "e-acute \u00e9 snowman \u2603 emoji \ud83d\udd25 lone surrogate \ud800 end";

  private static RolloutState state(long version, Instant until, RolloutStatus paused) {
    return new RolloutState("flag " + AWKWARD, "fingerprint " + AWKWARD, RolloutStatus.PAUSED, Integer.MAX_VALUE,
        Double.MIN_VALUE, Integer.MIN_VALUE, Instant.MAX, until, paused, version);
  }

  private static Decision extremeDecision() {
    RuleCheck check = new RuleCheck(new BurnRateRule(Duration.ofHours(72), Duration.ofSeconds(10, 1), 1e-300,
        RuleAction.SHRINK), AWKWARD, 0.1 + 0.2, Long.MAX_VALUE, Long.MIN_VALUE, Double.NaN, -1, 0,
        Double.POSITIVE_INFINITY, Long.MIN_VALUE + 1, -1_000_000_000_000_000_000L, Double.NEGATIVE_INFINITY, true,
        -0.0, Double.MAX_VALUE, true);
    RuleCheck plain = new RuleCheck(BurnRateRule.fastBurn(RuleAction.ROLLBACK), "availability", 0.001, 120_000, 300,
        2.5, 10_000, 290, 29.0, 119_000, 10, 0.084, false, 12.25, 4.605170185988092, false);
    return new Decision("flag " + AWKWARD, Instant.MIN, DecisionAction.ROLLBACK, "person:" + AWKWARD, false, AWKWARD,
        List.of(check, plain), state(Long.MIN_VALUE, Instant.MIN, RolloutStatus.COOLING_DOWN),
        state(Long.MAX_VALUE, null, null));
  }

  private static Decision roundTrip(Decision d) {
    String json = RolloutJson.write(RolloutJson.decision(d));
    return RolloutJson.readDecision(JsonReader.read(json), "$");
  }

  @Test
  void everyFieldOfADecisionSurvives() {
    Decision d = extremeDecision();
    Decision back = roundTrip(d);
    assertThat(back).isEqualTo(d);
    // record equality compares doubles by bits (Double.compare), so NaN, -0.0 and 1e-300 are checked exactly
    assertThat(Double.doubleToRawLongBits(back.evidence().get(0).logLikelihoodRatio()))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(back.reason()).isEqualTo(AWKWARD);
  }

  @Test
  void aFirstDecisionWithoutBeforeOrEvidenceSurvives() {
    RolloutState start = new RolloutState("f", "p", RolloutStatus.RAMPING, 0, 0.01, 0,
        Instant.parse("2026-01-01T00:00:00Z"), null, null, 0);
    Decision d = new Decision("f", Instant.parse("2026-01-01T00:00:00.000000001Z"), DecisionAction.START,
        Decision.GUARDIAN, true, "a new rollout", List.of(), null, start);
    assertThat(roundTrip(d)).isEqualTo(d);
  }

  @Test
  void everyEnumConstantSurvives() {
    for (DecisionAction action : DecisionAction.values()) {
      for (RolloutStatus status : RolloutStatus.values()) {
        for (RuleAction ruleAction : RuleAction.values()) {
          RolloutState s = new RolloutState("f", "p", status, 1, 0.5, 1, Instant.EPOCH, null, status, 3);
          RuleCheck c = new RuleCheck(BurnRateRule.slowBurn(ruleAction), "latency", 0.01, 1, 1, 1, 1, 1, 1, 1, 1, 1,
              true, 1, 1, false);
          Decision d = new Decision("f", Instant.EPOCH, action, "a", true, "r", List.of(c), s, s);
          assertThat(roundTrip(d)).isEqualTo(d);
        }
      }
    }
  }

  @Test
  void theTextIsAsciiAndStrictJsonWithNonFiniteNumbersAsStrings() {
    String json = RolloutJson.write(RolloutJson.decision(extremeDecision()));
    assertThat(json.chars().allMatch(c -> c >= 0x20 && c < 0x80)).as(json).isTrue();
    assertThat(json).contains("\"burnLong\":\"NaN\"", "\"burnShort\":\"Infinity\"",
        "\"controlBurnShort\":\"-Infinity\"", "\"logLikelihoodRatio\":-0.0", "\"candidateBadLong\":\"-9223372036854775808\"",
        "\"longWindow\":\"PT72H\"", "\"at\":\"-1000000000-01-01T00:00:00Z\"", "\"until\":null");
    JsonReader.read(json); // strict RFC 8259: would throw on a bare NaN
  }

  @Test
  void everyRecordComponentIsWrittenUnderItsName() {
    Decision d = extremeDecision();
    assertThat(keys(RolloutJson.state(d.after()))).isEqualTo(components(RolloutState.class));
    assertThat(keys(RolloutJson.decision(d))).isEqualTo(components(Decision.class));
    assertThat(keys(RolloutJson.ruleCheck(d.evidence().get(0)))).isEqualTo(components(RuleCheck.class));
    assertThat(keys(RolloutJson.rule(d.evidence().get(0).rule()))).isEqualTo(components(BurnRateRule.class));
  }

  private static List<String> keys(Map<String, Object> m) {
    return new ArrayList<>(m.keySet());
  }

  private static List<String> components(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).collect(Collectors.toList());
  }

  @Test
  void randomDecisionsSurvive() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      Decision d = randomDecision(r);
      assertThat(roundTrip(d)).as("seed %d, decision %d", seed, i).isEqualTo(d);
    }
  }

  private static Decision randomDecision(Random r) {
    List<RuleCheck> evidence = new ArrayList<>();
    for (int i = r.nextInt(3); i > 0; i--) {
      Duration longWindow = Duration.ofSeconds(10 + r.nextInt(72 * 3600 - 10), r.nextInt(1_000_000_000));
      Duration shortWindow = Duration.ofSeconds(10 + r.nextInt((int) longWindow.getSeconds() - 9));
      evidence.add(new RuleCheck(new BurnRateRule(longWindow, shortWindow, randomPositive(r),
          RuleAction.values()[r.nextInt(2)]), randomString(r), randomDouble(r), r.nextLong(), r.nextLong(),
          randomDouble(r), r.nextLong(), r.nextLong(), randomDouble(r), r.nextLong(), r.nextLong(), randomDouble(r),
          r.nextBoolean(), randomDouble(r), randomDouble(r), r.nextBoolean()));
    }
    String flag = randomString(r);
    return new Decision(flag, randomInstant(r), DecisionAction.values()[r.nextInt(DecisionAction.values().length)],
        randomString(r), r.nextBoolean(), randomString(r), evidence, r.nextBoolean() ? null : randomState(r, flag),
        randomState(r, flag));
  }

  private static RolloutState randomState(Random r, String flag) {
    RolloutStatus[] statuses = RolloutStatus.values();
    return new RolloutState(flag, randomString(r), statuses[r.nextInt(statuses.length)], r.nextInt(), r.nextDouble(),
        r.nextInt(), randomInstant(r), r.nextBoolean() ? null : randomInstant(r),
        r.nextBoolean() ? null : statuses[r.nextInt(statuses.length)], r.nextLong());
  }

  private static Instant randomInstant(Random r) {
    return Instant.ofEpochSecond(r.nextInt() * 16L, r.nextInt(1_000_000_000));
  }

  private static double randomPositive(Random r) {
    double d = Math.abs(Double.longBitsToDouble(r.nextLong()));
    return d > 0 && Double.isFinite(d) ? d : 1;
  }

  /** Any bits: NaNs with payloads read back as the canonical NaN, which record equality treats as equal. */
  private static double randomDouble(Random r) {
    switch (r.nextInt(4)) {
      case 0: return Double.longBitsToDouble(r.nextLong());
      case 1: return r.nextDouble();
      case 2: return r.nextInt(1000) / 10.0;
      default: return new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0}[r.nextInt(5)];
    }
  }

  private static String randomString(Random r) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(12); i > 0; i--) {
      sb.append((char) (r.nextBoolean() ? 0x20 + r.nextInt(0x60) : r.nextInt(0x10000)));
    }
    return sb.toString();
  }

  @Test
  void aBadValueIsRefusedWithItsPath() {
    Map<String, Object> json = copy(RolloutJson.decision(extremeDecision()));
    Map<String, Object> after = copy(cast(json.get("after")));
    after.put("exposure", 1.5);
    json.put("after", after);
    assertThatThrownBy(() -> RolloutJson.readDecision(json, "$.decision"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("$.decision.after: ")
        .hasMessageContaining("exposure must be in [0, 1], got 1.5");

    after.put("exposure", 0.5);
    after.put("stage", "two");
    assertThatThrownBy(() -> RolloutJson.readDecision(json, "$.decision"))
        .hasMessage("$.decision.after.stage: expected an integer, got \"two\"");

    after.put("stage", 1L << 40);
    assertThatThrownBy(() -> RolloutJson.readDecision(json, "$.decision"))
        .hasMessage("$.decision.after.stage: expected a 32-bit integer, got 1099511627776");

    after.put("stage", 1L);
    after.remove("version");
    assertThatThrownBy(() -> RolloutJson.readDecision(json, "$.decision"))
        .hasMessage("$.decision.after.version: missing");

    after.put("version", 1L);
    List<Object> evidence = new ArrayList<>(cast(json.get("evidence")));
    Map<String, Object> check = copy(cast(evidence.get(1)));
    Map<String, Object> rule = copy(cast(check.get("rule")));
    rule.put("longWindow", "an hour");
    check.put("rule", rule);
    evidence.set(1, check);
    json.put("evidence", evidence);
    assertThatThrownBy(() -> RolloutJson.readDecision(json, "$.decision"))
        .hasMessage("$.decision.evidence[1].rule.longWindow: expected an ISO-8601 duration, got \"an hour\"");
  }

  @Test
  void unknownMembersAreIgnored() {
    Map<String, Object> json = copy(RolloutJson.decision(extremeDecision()));
    json.put("addedByANewerVersion", List.of(1L, 2L));
    assertThat(RolloutJson.readDecision(json, "$")).isEqualTo(extremeDecision());
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  private static Map<String, Object> copy(Map<String, Object> m) {
    return new LinkedHashMap<>(m);
  }

  // ------------------------------------------------------------------ journal lines and the state file

  @Test
  void aJournalLineIsOneCheckedJsonObjectOnOneAsciiLine() {
    JournalEntry entry = new JournalEntry(42, extremeDecision());
    byte[] line = entry.toLine();
    String text = new String(line, StandardCharsets.US_ASCII);
    assertThat(text).endsWith("\n").doesNotContain("\r").matches("(?s)\\{\"seq\":42,\"decision\":\\{.*\\},\"crc32c\":\"[0-9a-f]{8}\"\\}\n");
    assertThat(text.indexOf('\n')).isEqualTo(line.length - 1);
    assertThat(JsonReader.read(text)).isInstanceOf(Map.class);
    assertThat(JournalEntry.parse(line, 0, line.length - 1)).isEqualTo(entry);
  }

  @Test
  void everySingleBitErrorAndEveryTruncationOfALineIsDetected() {
    byte[] line = new JournalEntry(7, extremeDecision()).toLine();
    int end = line.length - 1;
    for (int i = 0; i < end; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] damaged = line.clone();
        damaged[i] ^= (byte) (1 << bit);
        int at = i;
        assertThatThrownBy(() -> JournalEntry.parse(damaged, 0, end)).as("bit %d of byte %d", bit, at)
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
    for (int cut = 0; cut < end; cut++) {
      int to = cut;
      assertThatThrownBy(() -> JournalEntry.parse(line, 0, to)).as("cut at %d", cut)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theStateFileRoundTripsAndRefusesDamageAndOtherFormats() {
    Decision d = extremeDecision();
    StateSnapshot snapshot = new StateSnapshot(123, Instant.parse("2026-02-03T04:05:06.7Z"),
        List.of(d.after(), d.before()));
    byte[] bytes = snapshot.toBytes();
    assertThat(StateSnapshot.parse(bytes)).isEqualTo(snapshot);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    assertThat(text).startsWith("{\"format\":1,\"seq\":123,\"savedAt\":\"2026-02-03T04:05:06.700Z\",\"states\":[");

    byte[] damaged = bytes.clone();
    damaged[bytes.length / 2] ^= 4;
    assertThatThrownBy(() -> StateSnapshot.parse(damaged)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StateSnapshot.parse(Arrays.copyOf(bytes, bytes.length / 2)))
        .isInstanceOf(IllegalArgumentException.class);

    byte[] format2 = Sealed.seal(text.trim().replace("\"format\":1", "\"format\":2")
        .replaceAll(",\"crc32c\":\"[0-9a-f]{8}\"}$", "}"));
    assertThatThrownBy(() -> StateSnapshot.parse(format2))
        .hasMessage("$.format: this version reads format 1, got 2");
  }
}
