package dev.burnguard.rollout;

import dev.burnguard.internal.ProviderInternals;
import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.store.FileRolloutStore;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.ImmutableContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The child process of {@link FileRolloutStoreCrashTest}: opens the store in the directory given
 * as the first argument and appends decisions as fast as it can, printing {@code ACK …} after
 * each one that is durable, until it is killed. Three in four are decisions for random flags
 * ({@link TestDecisions}) appended to the store directly, printed {@code ACK <flag> <version>};
 * each continues its flag from the loaded state, so versions stay contiguous across kills. The
 * others are manual decisions (promote, pause, resume, rollback, reset) on the guarded flags of
 * the flag file, made through a {@link BurnguardProvider} over the same store, printed
 * {@code ACK <flag> <version> <status> <stage> <exposure>} with the state it serves.
 *
 * <p>Arguments: directory, seed, number of flags, flag file. Prints {@code OPENING} before opening
 * the store and {@code READY} after; exits when nobody reads its output any more, or after 100,000
 * appends.
 */
final class RolloutStoreCrashChild {
  private RolloutStoreCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Random random = new Random(Long.parseLong(args[1]));
    int flags = Integer.parseInt(args[2]);
    Path flagFile = Path.of(args[3]);
    say("OPENING");
    FileRolloutStore store = FileRolloutStoreCrashTest.storeBuilder(dir).open();
    Map<String, RolloutState> states = new HashMap<>(store.load().states());
    say("READY");
    BurnguardProvider provider = BurnguardProvider.builder().source(FlagSource.file(flagFile)).rolloutStore(store)
        .guardianTicking(false).build();
    provider.initialize(new ImmutableContext()); // starts the guarded rollouts, or restores them
    Guardian guardian = ProviderInternals.guardian(provider);
    List<String> guarded = List.copyOf(guardian.plans().keySet());
    for (String flag : guarded) {
      RolloutState s = guardian.state(flag).orElseThrow();
      if (!s.equals(states.get(flag)) && !sayGuarded(store, s)) { // a rollout started, not one restored
        return;
      }
    }
    for (int i = 0; i < 100_000; i++) {
      boolean said;
      if (random.nextInt(4) == 0) {
        String flag = guarded.get(random.nextInt(guarded.size()));
        try {
          said = sayGuarded(store, manual(guardian, flag, random.nextInt(5)).after());
        } catch (IllegalStateException e) {
          continue; // not allowed in the rollout's status, e.g. resuming a rollout that is not paused
        }
      } else {
        String flag = "flag-" + random.nextInt(flags);
        Decision d = TestDecisions.next(flag, states.get(flag));
        boolean durable = store.append(d);
        states.put(flag, d.after());
        said = say((durable ? "ACK " : "NACK " + store.health().lastError() + " ") + flag + " " + d.after().version());
      }
      if (!said) {
        break;
      }
    }
    provider.shutdown();
  }

  private static Decision manual(Guardian guardian, String flag, int action) {
    String actor = "person:crash-test";
    return switch (action) {
      case 0 -> guardian.promote(flag, actor);
      case 1 -> guardian.pause(flag, actor);
      case 2 -> guardian.resume(flag, actor);
      case 3 -> guardian.rollback(flag, actor);
      default -> guardian.reset(flag, actor);
    };
  }

  /** Acknowledges a guarded flag's state when the decision that made it is durable (the store wrote everything). */
  private static boolean sayGuarded(FileRolloutStore store, RolloutState s) {
    StoreHealth health = store.health();
    String state = s.flagKey() + " " + s.version() + " " + s.status() + " " + s.stage() + " " + s.exposure();
    return say(health.healthy() && health.pendingDecisions() == 0 ? "ACK " + state
        : "NACK " + health.lastError() + " " + state);
  }

  /** Prints a line and flushes; false when the reader has gone. */
  private static boolean say(String line) {
    System.out.println(line);
    System.out.flush();
    return !System.out.checkError();
  }
}
