package dev.burnguard.benchmarks;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code redis-server} from {@code PATH} started by a benchmark on a free 127.0.0.1 port, without
 * persistence, in its own temporary directory; and {@code INFO} read over a plain socket, so the
 * figures come from Redis itself. One thread drives it.
 */
public final class LocalRedis implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Process process;

  private LocalRedis(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Starts a server; fails with a message saying how to install one when there is none on PATH. */
  public static LocalRedis start() throws IOException, InterruptedException {
    Path binary = null;
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, "redis-server"))) {
        binary = Path.of(d, "redis-server");
        break;
      }
    }
    if (binary == null) {
      throw new IllegalStateException("no redis-server on PATH: install it (apt-get install redis-server)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("burnguard-bench-redis-");
    Process p = new ProcessBuilder(List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "no"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    LocalRedis redis = new LocalRedis(dir, port, p);
    for (int attempt = 0; ; attempt++) {
      try {
        redis.info("server");
        return redis;
      } catch (IOException e) {
        if (!p.isAlive() || attempt > 200) {
          redis.close();
          throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")), e);
        }
        Thread.sleep(50); // waiting for a process to listen, not for behaviour under test
      }
    }
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** {@code INFO section} as field -> value. */
  public Map<String, String> info(String section) throws IOException {
    String reply = bulk("INFO", section);
    Map<String, String> out = new HashMap<>();
    for (String line : reply.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** {@code DBSIZE}. */
  public long dbSize() throws IOException {
    return Long.parseLong(bulk("DBSIZE"));
  }

  /** Sends one command and returns its reply: a bulk string's text, or an integer or status line's value. */
  private String bulk(String... words) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      StringBuilder sb = new StringBuilder("*").append(words.length).append("\r\n");
      for (String w : words) {
        sb.append('$').append(w.length()).append("\r\n").append(w).append("\r\n");
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String first = in.readLine();
      if (first == null) {
        throw new IOException("no reply to " + words[0]);
      }
      if (first.startsWith("$")) {
        int length = Integer.parseInt(first.substring(1));
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
          int n = in.read(body, read, length - read);
          if (n < 0) {
            throw new IOException("reply to " + words[0] + " cut short");
          }
          read += n;
        }
        return new String(body);
      }
      if (first.startsWith("-")) {
        throw new IOException(words[0] + ": " + first);
      }
      return first.substring(1);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
