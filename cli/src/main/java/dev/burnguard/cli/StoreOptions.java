package dev.burnguard.cli;

import dev.burnguard.Fleet;
import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.internal.recorder.SliRecorder;
import dev.burnguard.internal.store.FileRolloutStore;
import dev.burnguard.redis.RedisFleet;
import dev.burnguard.rollout.RolloutStore;
import dev.burnguard.rollout.RolloutStore.StoreHealth;
import dev.burnguard.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the rollouts are: a service's state directory, or a Redis fleet store. Mixed into every
 * command that reads or changes rollouts.
 *
 * <p><b>Safe while the service runs.</b> A state directory is locked by the provider that runs on
 * it. Reading commands open it read-only, without the lock: they see the state and decisions as of
 * the last completed write, never block the service and never write. Changing commands take the
 * lock when no service holds it; while one does, the running service stays the only writer of its
 * directory: the command asks it, through a request file it takes on its guardian's next tick
 * ({@link ServiceControl}), and waits for its answer. A Redis fleet store has many writers by design: a change is a
 * compare-and-set on the rollout's version, which the running replicas apply at once (they are
 * notified), and a conflict with a decision made meanwhile is retried on the new state.
 */
final class StoreOptions {
  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "a service's rollout state directory (its stateDirectory(...), by default ./burnguard-state)")
  Path stateDir;

  @Option(names = "--redis", paramLabel = "URI",
      description = "a Redis fleet store, e.g. redis://127.0.0.1:6379 (with --service)")
  String redis;

  @Option(names = "--service", paramLabel = "NAME", description = "the fleet's service name (with --redis)")
  String service;

  /** An opened store and how to close it. */
  record Opened(RolloutStore store, AutoCloseable closer, Path stateDir, String describe) implements AutoCloseable {
    @Override
    public void close() {
      try {
        closer.close();
      } catch (Exception e) {
        // closing a tool's connection: nothing left to do
      }
    }
  }

  private void check(CommandLine cl) {
    if ((stateDir == null) == (redis == null)) {
      throw new CommandLine.ParameterException(cl, "name the rollout store: --state-dir DIR, or --redis URI --service NAME");
    }
    if (redis != null && service == null) {
      throw new CommandLine.ParameterException(cl, "--redis needs --service NAME: the service whose fleet to read");
    }
    if (redis == null && service != null) {
      throw new CommandLine.ParameterException(cl, "--service goes with --redis URI");
    }
  }

  /** Opens the store for reading: a state directory read-only, without its lock. */
  Opened openForReading(CommandLine cl) throws CliException {
    check(cl);
    if (stateDir != null) {
      if (!Files.isDirectory(stateDir)) {
        throw new CliException(BurnguardCli.NOT_FOUND, stateDir + ": no such state directory");
      }
      try {
        FileRolloutStore store = FileRolloutStore.builder(stateDir).readOnly().open();
        return new Opened(store, store, stateDir, "state directory " + stateDir);
      } catch (IOException | RuntimeException e) { // e.g. a journal segment compacted away while it was read: try again
        throw new CliException(BurnguardCli.STORE_FAILED, "cannot read the state directory " + stateDir + ": " + e.getMessage(), e);
      }
    }
    return joinFleet(cl);
  }

  /** The state directory is held by a running service (named by {@code holder}, e.g. "pid 1234", or empty). */
  static final class HeldByService extends CliException {
    final Path stateDir;
    final String holder;

    HeldByService(Path stateDir, String holder) {
      super(BurnguardCli.REFUSED, "the state directory " + stateDir + " is held by a running service"
          + (holder.isEmpty() ? "" : " (" + holder + ")"));
      this.stateDir = stateDir;
      this.holder = holder;
    }
  }

  /**
   * Opens the store for a change: a state directory with its lock ({@link HeldByService} while a
   * service holds it), a fleet store as a member that pushes no outcomes.
   */
  Opened openForWriting(CommandLine cl) throws CliException {
    check(cl);
    if (stateDir != null) {
      if (!Files.isDirectory(stateDir)) {
        throw new CliException(BurnguardCli.NOT_FOUND, stateDir + ": no such state directory");
      }
      try {
        FileRolloutStore store = FileRolloutStore.open(stateDir);
        return new Opened(store, store, stateDir, "state directory " + stateDir);
      } catch (FileRolloutStore.DirectoryInUseException e) {
        throw new HeldByService(stateDir, FileRolloutStore.lockHolder(stateDir).orElse(""));
      } catch (IOException | RuntimeException e) {
        throw new CliException(BurnguardCli.STORE_FAILED, "cannot open the state directory " + stateDir + ": "
            + e.getMessage(), e);
      }
    }
    return joinFleet(cl);
  }

  private Opened joinFleet(CommandLine cl) throws CliException {
    RedisFleet fleet;
    try {
      fleet = RedisFleet.builder(redis).service(service).commandTimeout(Duration.ofSeconds(2)).instanceId("burnguard-cli")
          .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    SliRecorder nothing = SliRecorder.builder().build();
    Fleet.Member member = fleet.join(Clock.system(), new Fleet.Local() {
      @Override
      public dev.burnguard.outcome.Outcomes.SliSource windows() {
        return nothing;
      }

      @Override
      public void collect(Fleet.DeltaSink sink) {
        // a tool records no outcomes
      }
    });
    StoreHealth health = member.store().health();
    if (!health.healthy()) {
      member.close();
      throw new CliException(BurnguardCli.STORE_FAILED, "the fleet store of service \"" + service + "\" cannot be read: "
          + health.lastError());
    }
    return new Opened(member.store(), member, null, "fleet store of service \"" + service + "\"");
  }
}
