package dev.burnguard.dashboard;

import dev.burnguard.time.Clock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Who may use the admin API: the admin token (for {@code Authorization: Bearer <token>}, scripts),
 * one-time login codes (the link the app prints) and the browser sessions they are exchanged for.
 *
 * <p>A login code is valid for {@link #CODE_TTL} and for one exchange; the exchange returns a new
 * session id, sent to the browser as an {@code HttpOnly}, {@code SameSite=Strict} cookie, valid
 * for {@link #SESSION_TTL}. So the admin token never appears in a URL, browser history or a
 * {@code Referer}. At most {@link #MAX_CODES} unused codes and {@link #MAX_SESSIONS} sessions are
 * kept; beyond that the oldest goes. Times come from the injected {@link Clock} (monotonic nanos).
 *
 * <p>Concurrency: HTTP threads call every method; the code and session maps are guarded by this
 * object's monitor, held only for map operations. The token is immutable.
 */
final class AdminAccess {
  /** How long a printed login link works. */
  static final Duration CODE_TTL = Duration.ofMinutes(10);
  /** How long a browser stays logged in without a new code. */
  static final Duration SESSION_TTL = Duration.ofHours(12);
  static final int MAX_CODES = 16;
  static final int MAX_SESSIONS = 64;
  static final String COOKIE = "burnguard_session";

  private final byte[] token;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  // guarded by this; insertion order = age, so the first entry is the oldest. Values: expiry in clock nanos
  private final Map<String, Long> codes = new java.util.LinkedHashMap<>();
  private final Map<String, Long> sessions = new java.util.LinkedHashMap<>();

  AdminAccess(String token, Clock clock) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A new login code, valid for {@link #CODE_TTL} and one exchange. */
  synchronized String newLoginCode() {
    String code = secret();
    codes.put(code, clock.monotonicNanos() + CODE_TTL.toNanos());
    trim(codes, MAX_CODES);
    return code;
  }

  /**
   * Exchanges a login code for a new session id; the code is spent, whatever the outcome.
   *
   * @throws IllegalArgumentException why the code is not accepted (unknown or used, or expired)
   */
  synchronized String exchange(String code) {
    Long expiry = code == null ? null : codes.remove(code);
    if (expiry == null) {
      throw new IllegalArgumentException("unknown or already used login code; a login link works once, "
          + "get a new one as the app's start message explains");
    }
    if (clock.monotonicNanos() - expiry >= 0) {
      throw new IllegalArgumentException("login code expired (a login link works for "
          + CODE_TTL.toMinutes() + " min); get a new one as the app's start message explains");
    }
    String session = secret();
    sessions.put(session, clock.monotonicNanos() + SESSION_TTL.toNanos());
    trim(sessions, MAX_SESSIONS);
    return session;
  }

  /** Whether {@code session} (a cookie value, may be null) is a live session. */
  synchronized boolean session(String session) {
    if (session == null) {
      return false;
    }
    Long expiry = sessions.get(session);
    if (expiry == null) {
      return false;
    }
    if (clock.monotonicNanos() - expiry >= 0) {
      sessions.remove(session);
      return false;
    }
    return true;
  }

  /** Whether {@code header} is {@code Bearer <token>}, the scheme in any case, the token compared in constant time. */
  boolean bearer(String header) {
    if (header == null || header.length() < 7 || !header.substring(0, 7).equalsIgnoreCase("bearer ")) {
      return false;
    }
    return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }

  /** The value of the session cookie in a {@code Cookie} request header, or null. */
  static String sessionCookie(String cookieHeader) {
    if (cookieHeader == null) {
      return null;
    }
    for (String pair : cookieHeader.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equals(COOKIE)) {
        return pair.substring(eq + 1).trim();
      }
    }
    return null;
  }

  /**
   * The {@code Set-Cookie} value for a new session. No {@code Secure}: the app speaks plain HTTP
   * (on loopback by default), where a {@code Secure} cookie would never be sent back.
   */
  static String setCookie(String session) {
    return COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + SESSION_TTL.toSeconds();
  }

  private String secret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void trim(Map<String, Long> map, int max) {
    long now = clock.monotonicNanos();
    map.values().removeIf(expiry -> now - expiry >= 0);
    Iterator<String> oldest = map.keySet().iterator();
    while (map.size() > max) {
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * The {@code Host} header values this server answers to: {@code localhost}, {@code 127.0.0.1},
   * {@code [::1]}, the bind address and the configured names, each with the port (and without it
   * on port 80). A browser sends the name it resolved, so a page of another site whose name was
   * rebound to this address (DNS rebinding) arrives with its own name and is refused.
   */
  static java.util.Set<String> allowedHosts(java.net.InetAddress bind, int port, java.util.List<String> names) {
    java.util.Set<String> hosts = new java.util.LinkedHashSet<>();
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("localhost", "127.0.0.1", "[::1]"));
    if (!bind.isAnyLocalAddress()) {
      String a = bind.getHostAddress();
      all.add(a.contains(":") ? "[" + a + "]" : a);
    }
    all.addAll(names);
    for (String name : all) {
      String n = name.toLowerCase(Locale.ROOT);
      hosts.add(n + ":" + port);
      if (port == 80) {
        hosts.add(n);
      }
    }
    return java.util.Collections.unmodifiableSet(hosts);
  }

  /** Why {@code host} (a request's {@code Host} header, may be null) is refused, or null when it is allowed. */
  static String hostRefusal(String host, java.util.Set<String> allowed) {
    if (host == null || host.isBlank()) {
      return "missing Host header";
    }
    if (!allowed.contains(host.trim().toLowerCase(Locale.ROOT))) {
      return "this server does not answer to Host \"" + host + "\" (it answers to " + allowed
          + "; add a name with --host-name)";
    }
    return null;
  }
}
