package dev.burnguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Runs the command line in this JVM and keeps what it printed; test support. */
public final class Cli {
  public final int code;
  public final String out;
  public final String err;

  private Cli(int code, String out, String err) {
    this.code = code;
    this.out = out;
    this.err = err;
  }

  public static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = BurnguardCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /**
   * Parses {@code burnguard dashboard …} as the command line does and starts it as its {@code call}
   * would, without waiting for Ctrl-C: the caller closes it.
   */
  static DashboardCommand.Running dashboard(String... args) throws Exception {
    picocli.CommandLine cl = new picocli.CommandLine(new BurnguardCli());
    cl.setOut(new PrintWriter(new StringWriter()));
    picocli.CommandLine.ParseResult parsed = cl.parseArgs(args);
    DashboardCommand command = (DashboardCommand) parsed.subcommand().commandSpec().userObject();
    return command.start();
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
  }

  /** Every file under {@code dir} with a digest of its bytes: equal before and after means nothing changed. */
  static Map<String, String> digests(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        try {
          out.put(dir.relativize(p).toString(),
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }
}
