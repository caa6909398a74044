package dev.burnguard.cli;

import dev.burnguard.cli.BurnguardCli.CliException;
import dev.burnguard.dashboard.DashboardServer;
import dev.burnguard.flag.FlagSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code burnguard dashboard}: the sample app's live dashboard (module {@code burnguard-dashboard},
 * the same page and API) over a store's rollouts, so that operators watch a running service's
 * rollouts — or a whole fleet's — without touching the service.
 *
 * <p>Concurrency: one scheduler thread reads the store and samples the page's history once a
 * second; the dashboard answers on its own threads; {@link Running#close()} stops both.
 */
@Command(name = "dashboard", sortOptions = false,
    header = "Serves the live dashboard of a store's rollouts (loopback, read-only unless given an admin token).",
    description = {
        "Serves the live rollout dashboard (the sample app's page) over the rollouts of a state directory or a "
            + "fleet store: each rollout's status, stage and exposure over time, its decisions with their evidence, "
            + "and a \"Download report\" link per rollout. The plans come from the flag file the service runs. The "
            + "error ratios and latencies are recorded in the service's memory, not in its store, so they are not "
            + "charted here.",
        "",
        "Listens on 127.0.0.1 only unless told. Read-only unless --admin-token is given; then admin actions need the "
            + "one-time login link printed at start (or the token as 'Authorization: Bearer'). On a state directory a "
            + "running service holds, the service makes each action at its guardian's next tick (the page waits "
            + "for it, up to --wait); on a fleet store they reach the running replicas.",
        "",
        "Example: burnguard dashboard --state-dir ./burnguard-state --flags flags.json --port 8081"})
final class DashboardCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  @Option(names = "--flags", required = true, paramLabel = "FILE",
      description = "the flag file the service runs: the rollouts' plans (stages, rules, SLO)")
  Path flags;

  @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "HTTP port, 0 for any free port (default 8080)")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "listen address (default 127.0.0.1, loopback only)")
  String bind;

  @Option(names = "--host-name", paramLabel = "NAME",
      description = "a name clients use to reach the dashboard (Host header), besides localhost, 127.0.0.1, [::1] and "
          + "the bind address; repeatable")
  List<String> hostNames = new ArrayList<>();

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "enables admin actions (at least 16 characters of A-Z a-z 0-9 . _ ~ -); without it the "
          + "dashboard is read-only")
  String adminToken;

  @Option(names = "--actor", paramLabel = "NAME",
      description = "who acts, for the decision log (default person:<your user name>)")
  String actor;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "10s",
      description = "on a state directory a running service holds: how long an action waits for the service to make "
          + "it before it is withdrawn (default 10s)")
  String waitFor;

  /** A running dashboard. */
  static final class Running implements AutoCloseable {
    final DashboardServer server;
    final StoreDashboardSource source;
    private final ScheduledExecutorService reader;

    private Running(DashboardServer server, StoreDashboardSource source, ScheduledExecutorService reader) {
      this.server = server;
      this.source = source;
      this.reader = reader;
    }

    @Override
    public void close() {
      reader.shutdownNow();
      server.close();
      source.close();
    }
  }

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    Running running = start();
    String base = "http://" + (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + running.server.port();
    out.println("Dashboard of the " + describe() + " (plans from " + flags + "), "
        + (adminToken == null ? "read-only" : "admin actions enabled") + ":");
    out.println("  " + base + "/");
    if (adminToken != null) {
      out.println("Login link (logs one browser in as admin; works once, for " + DashboardServer.LOGIN_LINK_MINUTES
          + " min):");
      out.println("  " + base + "/?code=" + running.server.newLoginCode());
    }
    out.println("Ctrl-C to stop.");
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stop.countDown();
    }));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.close();
    }
    return BurnguardCli.OK;
  }

  private String describe() {
    return store.stateDir != null ? "state directory " + store.stateDir : "fleet store of service \"" + store.service + "\"";
  }

  /** Checks the options, reads the flag file and the store, and listens; the caller closes it. */
  Running start() throws CliException {
    CommandLine cl = spec.commandLine();
    if (port < 0 || port > 65_535) {
      throw new CommandLine.ParameterException(cl, "--port must be between 0 and 65535, got " + port);
    }
    if (adminToken != null && (adminToken.length() < 16 || !adminToken.matches("[A-Za-z0-9._~-]+"))) {
      throw new CommandLine.ParameterException(cl, "--admin-token must be at least 16 characters of A-Z a-z 0-9 . _ ~ -");
    }
    for (String name : hostNames) {
      if (!name.matches("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]")) {
        throw new CommandLine.ParameterException(cl, "--host-name must be a DNS name or an address, got " + name);
      }
    }
    String who = actor != null ? actor : "person:" + System.getProperty("user.name", "unknown");
    if (who.isBlank()) {
      throw new CommandLine.ParameterException(cl, "--actor must not be blank");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new CommandLine.ParameterException(cl, "--bind: unknown address " + bind);
    }
    java.time.Duration wait = ControlCommand.wait(cl, waitFor);
    FlagSet set = FlagFiles.parse(flags, FlagFiles.read(flags));
    Map<String, dev.burnguard.rollout.RolloutPlan> plans = new LinkedHashMap<>(set.rollouts());
    if (plans.isEmpty()) {
      throw new CliException(BurnguardCli.NOT_FOUND, flags + ": no flag has a \"rollout\" plan; nothing to show");
    }
    StoreDashboardSource source = new StoreDashboardSource(store, cl, plans, flags.toString(), wait);
    DashboardServer server;
    try {
      server = DashboardServer.builder(source).address(new InetSocketAddress(address, port)).hostNames(hostNames)
          .adminToken(adminToken).actor(who)
          .state(() -> {
            String problem = source.problem();
            return Map.of("about", "burnguard dashboard: the " + describe() + ", read every second; plans from " + flags
                + " · error ratios, latencies and burn rates stay in the service's memory: not charted here"
                + (problem == null ? "" : " · last read failed (showing the one before): " + problem)
                + (source.warning() == null ? "" : " · " + source.warning()));
          })
          .start();
    } catch (IOException e) {
      source.close();
      throw new CliException(BurnguardCli.USAGE, "cannot listen on " + bind + ":" + port + ": " + e.getMessage()
          + " (choose another port with --port)", e);
    }
    ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "burnguard-dashboard-reader");
      t.setDaemon(true);
      return t;
    });
    server.sample();
    reader.scheduleAtFixedRate(() -> {
      try {
        source.refresh();
        server.sample();
      } catch (RuntimeException e) {
        // the next second retries; the page says when the store cannot be read
      }
    }, 1, 1, TimeUnit.SECONDS);
    return new Running(server, source, reader);
  }
}
