package dev.burnguard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.burnguard.BurnguardProvider;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.FlagSet.FlagSetOptions;
import dev.burnguard.flag.FlagSet.InvalidFlagPolicy;
import dev.burnguard.flag.InvalidFlagSetException;
import dev.burnguard.testing.ManualClock;
import dev.openfeature.sdk.ImmutableContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, item 2: the flag-file parser, rollout plans included, under Jazzer. Whatever the bytes,
 * parsing either loads flags or refuses the file with an {@link InvalidFlagSetException} whose
 * problems each name their JSON path; nothing else is thrown, and no input takes longer than the
 * timeout. Fed to a provider as a reload, a refused file leaves the flags it served in place.
 *
 * <p>The default build replays the committed seeds in {@code FlagFileFuzzTestInputs/flagFile/}
 * (flag files of this repository, hand-written rollout plans, malformed files and the inputs that
 * once broke the parser); {@code mvn -Pfuzz} fuzzes from them.
 */
class FlagFileFuzzTest {
  /** The flags the provider serves between inputs: this module's test flag file. */
  private static final String GOOD_FLAGS = resource("/burnguard-test-flags.json");

  private static ReloadableSource source;
  private static BurnguardProvider provider;

  @BeforeAll
  static void startProvider() throws Exception {
    source = new ReloadableSource(GOOD_FLAGS);
    provider = BurnguardProvider.builder().source(source).invalidFlagPolicy(InvalidFlagPolicy.REJECT_FILE).clock(new ManualClock()).guardianTicking(false).build();
    provider.initialize(new ImmutableContext());
  }

  @AfterAll
  static void stopProvider() {
    provider.shutdown();
  }

  @Timeout(10)
  @FuzzTest(maxDuration = "5m")
  void flagFile(byte[] input) {
    String json = new String(input, StandardCharsets.UTF_8);
    boolean loads = parses(json, InvalidFlagPolicy.REJECT_FILE);
    // isolating invalid flags loads more files, never fewer, and refuses the rest just as clearly
    assertThat(parses(json, InvalidFlagPolicy.ISOLATE_FLAG) || !loads).isTrue();

    FlagSet served = provider.flagSet().orElseThrow();
    source.reload(json);
    if (loads) {
      assertThat(provider.lastLoadFailure()).isEmpty();
      source.reload(GOOD_FLAGS);
    } else {
      assertThat(provider.flagSet()).containsSame(served);
      assertThat(provider.lastLoadFailure()).hasValueSatisfying(
          failure -> ProblemPaths.assertEachNamed(failure.problems(), failure.message(), ReloadableSource.ORIGIN));
    }
  }

  /**
   * Whether {@code json} loads under {@code policy}, as the provider parses it (a plan's latency
   * threshold must be one its recorder counts); when it does not, each problem names its path.
   */
  private static boolean parses(String json, InvalidFlagPolicy policy) {
    try {
      FlagSet.parse(json, ReloadableSource.ORIGIN, FlagSetOptions.builder().invalidFlagPolicy(policy)
          .latencyThresholds(provider.outcomes().latencyThresholds()).build());
      return true;
    } catch (InvalidFlagSetException e) {
      ProblemPaths.assertEachNamed(e.problems(), e.getMessage(), ReloadableSource.ORIGIN);
      return false;
    }
  }

  private static String resource(String name) {
    try (InputStream in = Objects.requireNonNull(FlagFileFuzzTest.class.getResourceAsStream(name), name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }
}
