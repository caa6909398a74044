package dev.burnguard.rollout;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The child process of {@link FileRolloutStoreCrashTest}: opens the store in the directory given
 * as the first argument and appends decisions for random flags as fast as it can, printing
 * {@code ACK <flag> <version>} after each append returns true, until it is killed. Each decision
 * continues its flag from the loaded state, so versions stay contiguous across kills.
 *
 * <p>Arguments: directory, seed, number of flags. Prints {@code OPENING} before opening the store
 * and {@code READY} after; exits when nobody reads its output any more, or after 100,000 appends.
 */
final class RolloutStoreCrashChild {
  private RolloutStoreCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Random random = new Random(Long.parseLong(args[1]));
    int flags = Integer.parseInt(args[2]);
    say("OPENING");
    FileRolloutStore store = FileRolloutStoreCrashTest.storeBuilder(dir).open();
    Map<String, RolloutState> states = new HashMap<>(store.load().states());
    say("READY");
    for (int i = 0; i < 100_000; i++) {
      String flag = "flag-" + random.nextInt(flags);
      Decision d = TestDecisions.next(flag, states.get(flag));
      boolean durable = store.append(d);
      states.put(flag, d.after());
      if (!say((durable ? "ACK " : "NACK " + store.health().lastError() + " ") + flag + " " + d.after().version())) {
        break;
      }
    }
    store.close();
  }

  /** Prints a line and flushes; false when the reader has gone. */
  private static boolean say(String line) {
    System.out.println(line);
    System.out.flush();
    return !System.out.checkError();
  }
}
