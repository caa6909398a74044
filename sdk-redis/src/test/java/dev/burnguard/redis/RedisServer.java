package dev.burnguard.redis;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} process started by a test, from the binary on {@code PATH}, on a free
 * 127.0.0.1 port, without persistence ({@code --save '' --appendonly no}) and in its own temporary
 * directory, so that each test can stop, kill, pause or flush its own server.
 *
 * <p>Without the binary, {@link #start} skips the test with a message saying how to install it;
 * with the environment variable {@code BURNGUARD_REDIS_REQUIRED=true} (set by {@code .ci/run}) the
 * skip is a failure instead.
 *
 * <p>Public, in this module's test-jar, for the other modules' tests against a real Redis (the
 * Spring Boot starter's fleet test).
 *
 * <p>Not thread-safe: one test thread drives a server.
 */
public final class RedisServer implements AutoCloseable {
  public static final String REQUIRED_VARIABLE = "BURNGUARD_REDIS_REQUIRED";

  private final Path binary;
  private final Path dir;
  private final String password;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, String password, List<String> extraArgs) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.password = password;
    this.extraArgs = extraArgs;
  }

  /** Starts a server without a password. */
  public static RedisServer start() {
    return start(null);
  }

  /** Starts a server whose default user needs {@code password} (null: none). */
  public static RedisServer start(String password) {
    return start(password, List.of());
  }

  static RedisServer start(String password, List<String> extraArgs) {
    Path binary = binaryOrSkip();
    try {
      RedisServer server = new RedisServer(binary, Files.createTempDirectory("burnguard-redis-"), freePort(), password,
          List.copyOf(extraArgs));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
    }
  }

  /** The redis-server binary on PATH; skips (or, when required, fails) the test without it. */
  static Path binaryOrSkip() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, "redis-server");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    String message = "SKIPPED: no redis-server on PATH, so the fleet tests against a real Redis did not run; install "
        + "it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`";
    if ("true".equalsIgnoreCase(System.getenv(REQUIRED_VARIABLE))) {
      fail(message.replace("SKIPPED", "FAILED (" + REQUIRED_VARIABLE + "=true)"));
    }
    System.out.println(message);
    Assumptions.abort(message);
    return null; // unreachable
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void launch() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
        "--protected-mode", "no"));
    if (password != null) {
      cmd.addAll(List.of("--requirepass", password));
    }
    cmd.addAll(extraArgs);
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    Awaitility.await("redis-server on port " + port).atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> {
          if (!process.isAlive()) {
            throw new AssertionError("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
          }
          return command("PING").equals("+PONG");
        });
  }

  int port() {
    return port;
  }

  /** {@code redis://[:password@]127.0.0.1:port}. */
  public String uri() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Sends one command (inline, words without spaces) and returns the first line of the reply. */
  public String command(String... words) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      if (password != null) {
        out.write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        in.readLine();
      }
      StringBuilder sb = new StringBuilder("*").append(words.length).append("\r\n");
      for (String w : words) {
        sb.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      String first = in.readLine();
      if (first != null && first.startsWith("$") && !first.equals("$-1")) {
        return in.readLine();
      }
      return first;
    }
  }

  /** FLUSHALL: the server loses every key, as after a restart without persistence. */
  void flushAll() throws IOException {
    command("FLUSHALL");
  }

  /** CLIENT PAUSE for {@code pause}: every client's commands wait. */
  void clientPause(Duration pause) throws IOException {
    command("CLIENT", "PAUSE", Long.toString(pause.toMillis()), "ALL");
  }

  /** SIGSTOP: the process freezes, connections stay open and nothing answers. */
  void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  void thaw() {
    signal("CONT");
  }

  /** SIGKILL (kill -9): the server dies at once and loses everything. */
  void kill() {
    process.destroyForcibly();
    waitForExit();
  }

  /** Starts the server again on the same port, empty (no persistence). */
  void restart() {
    if (alive()) {
      kill();
    }
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart redis-server: " + e.getMessage(), e);
    }
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void waitForExit() {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      thaw();
      process.destroyForcibly();
      waitForExit();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
