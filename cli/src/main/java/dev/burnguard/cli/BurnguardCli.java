package dev.burnguard.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code burnguard}: the operators' command line. Validates flag files, simulates rollout plans,
 * and shows and acts on the rollouts kept in a state directory or a Redis fleet store. See the
 * README's "Command line" and {@code burnguard --help}.
 */
@Command(name = "burnguard", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
    versionProvider = BurnguardCli.Version.class,
    description = {
        "Burnguard's command line: check flag files, try a rollout plan on simulated traffic, and see or "
            + "act on guarded rollouts without writing Java.",
        "",
        "Start with:",
        "  burnguard validate flags.json",
        "  burnguard simulate flags.json --flag new-checkout --rps 100 --error-rate 0.02",
        "  burnguard status --state-dir /var/lib/checkout/burnguard-state",
        "  burnguard dashboard --state-dir /var/lib/checkout/burnguard-state --flags flags.json",
        "",
        "Run 'burnguard COMMAND --help' for a command's options."},
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {ValidateCommand.class, SimulateCommand.class, StatusCommand.class, DecisionsCommand.class,
        ControlCommand.Pause.class, ControlCommand.Resume.class, ControlCommand.Promote.class,
        ControlCommand.Rollback.class, ControlCommand.Reset.class, ReportCommand.class, DashboardCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0  done: the files are valid, the command did what it says",
        "  1  invalid input: a flag file has problems (each printed with its JSON",
        "     path) or is not JSON",
        "  2  wrong arguments: an unknown command or option, a missing or bad value",
        "  3  not found: a file, a state directory or a flag's rollout",
        "  4  refused: the rollout's status does not allow the action, or the flag",
        "     file's plan is not the one the rollout runs under",
        "  5  the store cannot be read or written: I/O error, Redis unreachable",
        "  6  no answer: the service holding the state directory did not answer the",
        "     change in time (--wait); it says whether the request was withdrawn",
        "",
        "Nothing is changed when a command fails."})
public final class BurnguardCli implements Runnable {
  /** Exit codes (the help's footer lists them). */
  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;
  static final int NOT_FOUND = 3;
  static final int REFUSED = 4;
  static final int STORE_FAILED = 5;
  static final int NO_ANSWER = 6;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'burnguard validate flags.json'");
  }

  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // the library's own log lines (store recovery, decisions) would repeat what the command prints
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(out, err, args));
  }

  /** Runs one command line, writing to {@code out} and {@code err}; returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new BurnguardCli());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof CliException) {
        err.println("burnguard " + cmd.getCommandName() + ": " + e.getMessage());
        err.flush();
        return ((CliException) e).exitCode;
      }
      err.println("burnguard " + cmd.getCommandName() + ": unexpected failure: " + e);
      err.flush();
      return STORE_FAILED;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** A command's failure: its message is printed after the command's name, and the process exits with {@code exitCode}. */
  static class CliException extends Exception {
    final int exitCode;

    CliException(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }
  }

  /** The version from the jar's manifest (or "development" from classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BurnguardCli.class.getPackage().getImplementationVersion();
      return new String[] {"burnguard " + (v == null ? "(development build)" : v)};
    }
  }
}
