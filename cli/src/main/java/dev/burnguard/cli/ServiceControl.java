package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.internal.store.ControlRequests;
import dev.burnguard.internal.store.ControlRequests.Answer;
import dev.burnguard.internal.store.ControlRequests.Control;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.time.Clock;
import java.io.IOException;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A manual control asked of the running service that holds a state directory: the command line
 * writes a request file ({@link ControlRequests}), the service's guardian takes it on its next tick
 * and makes the control through its own rollouts, and this waits for the answer. When none comes in
 * time the request is withdrawn if the service has not taken it yet, and the operator is told which
 * of the two happened.
 */
final class ServiceControl {
  private ServiceControl() {
  }

  /**
   * Asks the service holding {@code held} to make {@code control} on {@code flagKey} and waits up to
   * {@code wait} for its answer; {@code warn} is told when the service made it but could not write it yet.
   *
   * @throws CliException exit 3 or 4 as the service answers (nothing changed), 5 when the request
   *     cannot be written or the answer read, 6 without an answer in time
   */
  static Decision ask(StoreOptions.HeldByService held, RolloutPlan plan, String flagKey, Control control, String actor,
      Duration wait, Consumer<String> warn) throws CliException {
    String service = "the service holding " + held.stateDir + (held.holder.isEmpty() ? "" : " (" + held.holder + ")");
    ControlRequests requests = ControlRequests.in(held.stateDir);
    String id;
    try {
      id = requests.submit(new ControlRequests.Request(flagKey, control, actor, plan.fingerprint()));
    } catch (IOException e) {
      throw new CliException(BurnguardCli.STORE_FAILED, "cannot ask " + service + ": writing the request in "
          + requests.directory() + " failed: " + e + "; nothing was changed", e);
    }
    Optional<Answer> answer = await(requests, id, wait);
    if (answer.isEmpty()) {
      boolean withdrawn;
      try {
        withdrawn = requests.withdraw(id);
      } catch (IOException e) {
        throw new CliException(BurnguardCli.NO_ANSWER, service + " did not take the " + control.id() + " request within "
            + seconds(wait) + ", and withdrawing it failed (" + e + "): it may still be applied; see 'burnguard "
            + "decisions --state-dir " + held.stateDir + " --flag " + flagKey + "'", e);
      }
      if (withdrawn) {
        throw new CliException(BurnguardCli.NO_ANSWER, service + " did not take the " + control.id() + " request within "
            + seconds(wait) + ": it takes requests at each tick of its guardian (every second by default); is it "
            + "running? The request was withdrawn; nothing was changed.");
      }
      throw new CliException(BurnguardCli.NO_ANSWER, service + " took the " + control.id() + " request but did not "
          + "answer within " + seconds(wait) + ": it may still apply it; see 'burnguard decisions --state-dir "
          + held.stateDir + " --flag " + flagKey + "'");
    }
    Answer a = answer.get();
    if (a.decision() != null) {
      if (!a.stored()) {
        warn.accept(service + " made the " + control.id() + " but has not written it to its state directory yet ("
            + a.message() + "); it retries at every tick, and a restart before it succeeds loses the change");
      }
      return a.decision();
    }
    int code = switch (a.refusal()) {
      case NOT_FOUND -> BurnguardCli.NOT_FOUND;
      case REFUSED -> BurnguardCli.REFUSED;
      case INVALID, FAILED -> BurnguardCli.STORE_FAILED;
    };
    throw new CliException(code, service + " refused the " + control.id() + ": " + a.message());
  }

  /** Waits for the answer to request {@code id}: woken by the folder's changes, and checks at least every 100 ms. */
  private static Optional<Answer> await(ControlRequests requests, String id, Duration wait) throws CliException {
    Clock clock = Clock.system();
    long deadline = clock.monotonicNanos() + wait.toNanos();
    WatchService watcher = null;
    try {
      try {
        watcher = requests.directory().getFileSystem().newWatchService();
        requests.directory().register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
      } catch (IOException | UnsupportedOperationException e) {
        watcher = null; // checking every 100 ms is enough
      }
      while (true) {
        Optional<Answer> answer = requests.answer(id);
        if (answer.isPresent()) {
          return answer;
        }
        long left = deadline - clock.monotonicNanos();
        if (left <= 0) {
          return Optional.empty();
        }
        long step = Math.min(left, TimeUnit.MILLISECONDS.toNanos(100));
        if (watcher != null) {
          var key = watcher.poll(step, TimeUnit.NANOSECONDS);
          if (key != null) {
            key.pollEvents();
            key.reset();
          }
        } else {
          TimeUnit.NANOSECONDS.sleep(step);
        }
      }
    } catch (IOException e) {
      throw new CliException(BurnguardCli.STORE_FAILED, "cannot read the service's answer in " + requests.directory()
          + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (watcher != null) {
        try {
          watcher.close();
        } catch (IOException e) {
          // nothing left to do
        }
      }
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
