package dev.burnguard.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free 127.0.0.1 port in front of a real redis-server that holds every new
 * connection for {@code delay} before forwarding a byte: a connect that takes longer than a command
 * timeout (a cold start, TLS, a slow network), with Redis itself unchanged; or that closes the first
 * connections at once (a connection closed before Redis could answer). One thread per direction.
 */
final class SlowProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final Duration delay;
  /** How many of the first connections are closed as soon as they are accepted. */
  private final int closeFirst;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  SlowProxy(int targetPort, Duration delay) throws IOException {
    this(targetPort, delay, 0);
  }

  /** As above, closing the first {@code closeFirst} connections as soon as they are accepted. */
  SlowProxy(int targetPort, Duration delay, int closeFirst) throws IOException {
    this.closeFirst = closeFirst;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.delay = delay;
    Thread accept = new Thread(this::accept, "slow-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  String uri() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (connections.incrementAndGet() <= closeFirst) {
          close(client);
          continue;
        }
        sockets.add(client);
        Thread t = new Thread(() -> forward(client), "slow-proxy-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void forward(Socket client) {
    try {
      Thread.sleep(delay.toMillis()); // the slow connect this proxy stands for (not a wait for behaviour)
      Socket redis = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      sockets.add(redis);
      Thread back = new Thread(() -> pipe(redis, client), "slow-proxy-back");
      back.setDaemon(true);
      back.start();
      pipe(client, redis);
    } catch (IOException | InterruptedException e) {
      close(client);
    }
  }

  private void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      close(from);
      close(to);
    }
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    sockets.forEach(SlowProxy::close);
  }
}
