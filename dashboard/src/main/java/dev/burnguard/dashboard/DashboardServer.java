package dev.burnguard.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.burnguard.outcome.Outcomes;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.RolloutPlan;
import dev.burnguard.rollout.Rollouts;
import dev.burnguard.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live rollout dashboard: the page and its HTTP API, on the JDK's {@link HttpServer}, over any
 * set of guarded rollouts (a {@link Source}) — a running service's providers (the sample app) or a
 * rollout store read from outside the service ({@code burnguard dashboard}).
 *
 * <ul>
 *   <li>{@code GET /} the dashboard (static files bundled in the jar), {@code GET /api/state?since=N}
 *       the JSON it polls (every rollout's plan, state and one-second samples after {@code N}, the
 *       decisions with their evidence, the error budgets of the service's SLOs, and what the host
 *       adds with {@link Builder#state});
 *   <li>{@code GET /api/rollouts/{flag}/report?format=html|markdown|json} the rollout's report as a
 *       download ({@link Rollouts#report}; the page's "Download report" link, HTML by default);
 *   <li>{@code POST /api/session} (form field {@code code}): exchanges a one-time login code for
 *       the admin session cookie (see {@link AdminAccess});
 *   <li>admin, {@code POST} only: {@code /api/rollouts/{flag}/{pause|resume|promote|rollback|reset}},
 *       {@code /api/login-codes} (a new one-time login link), and the host's own admin routes
 *       ({@link Builder#adminPost}); plus the host's {@code GET} routes ({@link Builder#get}).
 * </ul>
 *
 * <p>Every request first has its {@code Host} header checked against the names this server
 * answers to ({@link AdminAccess#allowedHosts}); any other gets 421 with the reason (DNS
 * rebinding defence, for reads as well as writes). Writes, checked in this order, each refusal
 * changing nothing: a write from another site is refused with 403 (a {@code Sec-Fetch-Site} other
 * than {@code same-origin}/{@code none}, or an {@code Origin} other than this server's own); a
 * server started without an admin token is read-only and refuses every admin write and login with
 * 403; admin writes without the session cookie or {@code Authorization: Bearer <token>} (scheme in
 * any case, token compared in constant time) get 401; a malformed body or value gets 400 with the
 * reason; an unknown flag 404; an action the rollout's state does not allow (resume a rollout that
 * is not paused), or a store that refuses it, 409. Replys carry {@code Cache-Control: no-store},
 * {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer} (the login link
 * holds a code until the page removes it) and a Content-Security-Policy that allows only this
 * origin's scripts and styles.
 *
 * <p>Concurrency: requests run on a fixed pool of {@value #THREADS} daemon threads. The rollouts'
 * history is sampled by whoever calls {@link #sample()} (one thread, once a second); everything
 * else here is immutable or thread-safe (see {@link RolloutHistory}, {@link AdminAccess}).
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
  static final int THREADS = 8;
  static final int MAX_BODY_BYTES = 4096;
  /** The name of the admin session cookie. */
  public static final String SESSION_COOKIE = AdminAccess.COOKIE;
  /** How long a login link works, in minutes. */
  public static final long LOGIN_LINK_MINUTES = AdminAccess.CODE_TTL.toMinutes();
  private static final String READ_ONLY = "this dashboard is read-only: it was started without an admin token "
      + "(give one, e.g. burnguard dashboard --admin-token, to act on rollouts)";
  private static final Set<String> ACTIONS = Set.of("pause", "resume", "promote", "rollback", "reset");
  private static final Map<String, String> STATIC = Map.of(
      "/", "index.html", "/index.html", "index.html", "/dashboard.js", "dashboard.js", "/dashboard.css", "dashboard.css");

  /**
   * What the dashboard shows and acts on: guarded rollouts, their plans and their recorded outcomes.
   * Implementations are thread-safe.
   */
  public interface Source {
    /** The rollouts: states, health, decisions, the manual controls, reports, error budgets. */
    Rollouts rollouts();

    /** The plans in force, by flag key. */
    Map<String, RolloutPlan> plans();

    /** The outcomes recorded for {@code flagKey} (the error ratios and latencies the charts draw). */
    Outcomes outcomes(String flagKey);
  }

  /**
   * An answer of a host's own route: status, content type and body.
   *
   * @param status the HTTP status
   * @param contentType e.g. {@code application/json; charset=utf-8}
   * @param body the bytes sent
   */
  public record Reply(int status, String contentType, byte[] body) {
    public Reply {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(body, "body");
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, nulls) as JSON. */
    public static Reply json(int status, Object value) {
      return new Reply(status, "application/json; charset=utf-8", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"error": message}} with {@code status}. */
    public static Reply error(int status, String message) {
      return json(status, Map.of("error", message));
    }

    /** Plain text, 200. */
    public static Reply text(String body) {
      return new Reply(200, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final AdminAccess access;
  private final Source source;
  private final RolloutHistory history;
  private final Rollouts.Registration listening;
  private final Supplier<Map<String, Object>> extraState;
  private final Map<String, Function<Map<String, String>, Reply>> gets;
  private final Map<String, Function<Map<String, String>, Reply>> adminPosts;
  private final String actor;
  private final Set<String> ownOrigins;
  private final Set<String> allowedHosts;

  private DashboardServer(Builder b) throws IOException {
    this.access = b.adminToken == null ? null : new AdminAccess(b.adminToken, b.clock);
    this.source = b.source;
    this.history = new RolloutHistory(b.source, b.clock);
    this.extraState = b.state;
    this.gets = Map.copyOf(b.gets);
    this.adminPosts = Map.copyOf(b.adminPosts);
    this.actor = b.actor;
    this.server = HttpServer.create(b.address, 0);
    int port = server.getAddress().getPort();
    this.allowedHosts = AdminAccess.allowedHosts(b.address.getAddress(), port, b.hostNames);
    this.ownOrigins = allowedHosts.stream().map(h -> "http://" + h)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "burnguard-dashboard-http");
      t.setDaemon(true);
      return t;
    });
    this.listening = source.rollouts().onDecision(history::decided);
    server.setExecutor(executor);
    server.createContext("/", ex -> handle(ex, () -> route(ex)));
    server.start();
  }

  /** A dashboard over {@code source}; {@link Builder#start()} listens. */
  public static Builder builder(Source source) {
    return new Builder(source);
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Whether admin actions are possible at all (started with an admin token). */
  public boolean adminEnabled() {
    return access != null;
  }

  /**
   * A new one-time login code (the link {@code http://host:port/?code=CODE} logs one browser in as
   * admin), valid for {@link #LOGIN_LINK_MINUTES} minutes and one exchange.
   *
   * @throws IllegalStateException for a read-only dashboard (started without an admin token)
   */
  public String newLoginCode() {
    if (access == null) {
      throw new IllegalStateException("a read-only dashboard has no login");
    }
    return access.newLoginCode();
  }

  /** Samples every rollout once for the charts; call once a second, from one thread. */
  public void sample() {
    history.sample();
  }

  /** What {@code GET /api/state?since=N} answers to a reader who is not admin, as JSON. */
  public String stateJson(long since) {
    return Json.write(state(since, false));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    listening.close();
  }

  /** Configures a dashboard: loopback, any free port, read-only, the system clock unless told. */
  public static final class Builder {
    private final Source source;
    private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private List<String> hostNames = List.of();
    private String adminToken;
    private Clock clock = Clock.system();
    private Supplier<Map<String, Object>> state = Map::of;
    private final Map<String, Function<Map<String, String>, Reply>> gets = new LinkedHashMap<>();
    private final Map<String, Function<Map<String, String>, Reply>> adminPosts = new LinkedHashMap<>();
    private String actor = "person:admin";

    private Builder(Source source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    /** Where to listen (default: loopback, any free port). */
    public Builder address(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Names besides {@code localhost}, {@code 127.0.0.1}, {@code [::1]} and the bind address that
     * requests may carry in their {@code Host} header.
     */
    public Builder hostNames(List<String> names) {
      this.hostNames = List.copyOf(names);
      return this;
    }

    /**
     * The admin token ({@code Authorization: Bearer <token>}; login links are exchanged for a
     * session); without one (the default) the dashboard is read-only.
     */
    public Builder adminToken(String token) {
      if (token != null && token.length() < 16) {
        throw new IllegalArgumentException("an admin token must be at least 16 characters, got " + token.length());
      }
      this.adminToken = token;
      return this;
    }

    /** The clock of login codes, sessions and samples (default: the system's). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Who the decision log names for actions taken on the dashboard (default {@code person:admin}). */
    public Builder actor(String actor) {
      if (actor == null || actor.isBlank()) {
        throw new IllegalArgumentException("the dashboard's actor must not be blank");
      }
      this.actor = actor;
      return this;
    }

    /** More members of {@code /api/state} (e.g. the sample app's traffic and faults), asked at each request. */
    public Builder state(Supplier<Map<String, Object>> extra) {
      this.state = Objects.requireNonNull(extra, "extra");
      return this;
    }

    /** A host's own {@code GET} route, answered from the query's fields. */
    public Builder get(String path, Function<Map<String, String>, Reply> route) {
      gets.put(path, Objects.requireNonNull(route, "route"));
      return this;
    }

    /** A host's own admin {@code POST} route (login or token required), answered from the form's fields. */
    public Builder adminPost(String path, Function<Map<String, String>, Reply> route) {
      adminPosts.put(path, Objects.requireNonNull(route, "route"));
      return this;
    }

    /**
     * Listens now.
     *
     * @throws IOException when the address cannot be bound
     */
    public DashboardServer start() throws IOException {
      return new DashboardServer(this);
    }
  }

  private interface Route {
    Reply answer() throws IOException;
  }

  private void handle(HttpExchange ex, Route route) {
    Reply r;
    try {
      r = route.answer(); // a login's Set-Cookie and a download's Content-Disposition are set by the route
    } catch (RuntimeException | IOException e) {
      LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
      r = Reply.error(500, "internal error: " + e.getClass().getSimpleName());
    }
    try (OutputStream out = ex.getResponseBody()) {
      var h = ex.getResponseHeaders();
      h.set("Content-Type", r.contentType());
      h.set("Cache-Control", "no-store");
      h.set("X-Content-Type-Options", "nosniff");
      h.set("Referrer-Policy", "no-referrer");
      h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
      ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
      out.write(r.body());
    } catch (IOException e) {
      LOG.debug("Could not answer {} {}: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
    } finally {
      ex.close();
    }
  }

  private Reply route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    String wrongHost = AdminAccess.hostRefusal(ex.getRequestHeaders().getFirst("Host"), allowedHosts);
    if (wrongHost != null) {
      return Reply.error(421, wrongHost);
    }
    if (path.equals("/api/session")) {
      return method.equals("POST") ? session(ex) : Reply.error(405, path + " takes POST");
    }
    boolean report = path.startsWith("/api/rollouts/") && path.endsWith("/report");
    if (!report && (path.startsWith("/api/rollouts/") || path.equals("/api/login-codes")
        || adminPosts.containsKey(path))) {
      if (!method.equals("POST")) {
        return Reply.error(405, path + " takes POST");
      }
      return admin(ex, path);
    }
    if (!method.equals("GET")) {
      return Reply.error(405, path + " takes GET");
    }
    Map<String, String> query;
    try {
      query = query(ex.getRequestURI().getRawQuery());
    } catch (IllegalArgumentException e) {
      return Reply.error(400, e.getMessage());
    }
    if (report) {
      return report(ex, path, query);
    }
    if (path.equals("/api/state")) {
      return state(query, isAdmin(ex));
    }
    Function<Map<String, String>, Reply> own = gets.get(path);
    if (own != null) {
      return own.apply(query);
    }
    String file = STATIC.get(path);
    return file == null ? Reply.error(404, "no such page: " + path) : resource(file);
  }

  private Reply state(Map<String, String> query, boolean admin) {
    long since;
    try {
      since = Long.parseLong(query.getOrDefault("since", "0"));
    } catch (NumberFormatException e) {
      return Reply.error(400, "since must be a sample sequence number, got \"" + query.get("since") + "\"");
    }
    return Reply.json(200, state(since, admin));
  }

  private Map<String, Object> state(long since, boolean admin) {
    Map<String, Object> body = new LinkedHashMap<>(history.snapshot(since));
    body.putAll(extraState.get());
    body.put("admin", admin);
    body.put("adminEnabled", access != null);
    return body;
  }

  /** {@code GET /api/rollouts/{flag}/report?format=F}: the rollout's report, as a download. */
  private Reply report(HttpExchange ex, String path, Map<String, String> query) throws IOException {
    String raw = path.substring("/api/rollouts/".length(), path.length() - "/report".length());
    String flag;
    try {
      flag = URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Reply.error(400, "malformed flag key in " + path + ": " + e.getMessage());
    }
    if (!source.plans().containsKey(flag) && source.rollouts().state(flag).isEmpty()) {
      return Reply.error(404, "flag \"" + flag + "\" has no rollout; rollouts: " + source.plans().keySet());
    }
    String format = query.getOrDefault("format", "html");
    if (!query.keySet().stream().allMatch("format"::equals)) {
      return Reply.error(400, "a report takes one field, format (html, markdown or json), got " + query.keySet());
    }
    String type;
    String extension;
    switch (format) {
      case "html" -> { type = "text/html; charset=utf-8"; extension = "html"; }
      case "markdown" -> { type = "text/markdown; charset=utf-8"; extension = "md"; }
      case "json" -> { type = "application/json; charset=utf-8"; extension = "json"; }
      default -> {
        return Reply.error(400, "format must be html, markdown or json, got \"" + format + "\"");
      }
    }
    StringWriter out = new StringWriter();
    try {
      source.rollouts().report(flag, format, out);
    } catch (IllegalArgumentException e) {
      return Reply.error(404, e.getMessage());
    }
    String file = flag.replaceAll("[^A-Za-z0-9._-]", "_") + "-report." + extension;
    ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + file + "\"");
    return new Reply(200, type, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The login exchange: a one-time code (form field {@code code}) for the session cookie. */
  private Reply session(HttpExchange ex) throws IOException {
    String refusal = crossSite(ex);
    if (refusal != null) {
      return Reply.error(403, refusal);
    }
    if (access == null) {
      return Reply.error(403, READ_ONLY);
    }
    Map<String, String> form;
    try {
      form = form(ex);
    } catch (IllegalArgumentException e) {
      return Reply.error(e.getMessage().startsWith("body larger") ? 413 : 400, e.getMessage());
    }
    if (!form.keySet().equals(Set.of("code"))) {
      return Reply.error(400, "the login exchange takes one field, code, got " + form.keySet());
    }
    String session;
    try {
      session = access.exchange(form.get("code"));
    } catch (IllegalArgumentException e) {
      return Reply.error(401, e.getMessage());
    }
    ex.getResponseHeaders().set("Set-Cookie", AdminAccess.setCookie(session));
    return Reply.json(200, Map.of("admin", true));
  }

  /** Whether the request carries the admin session cookie or the admin token. */
  private boolean isAdmin(HttpExchange ex) {
    return access != null && (access.bearer(ex.getRequestHeaders().getFirst("Authorization"))
        || access.session(AdminAccess.sessionCookie(ex.getRequestHeaders().getFirst("Cookie"))));
  }

  private Reply admin(HttpExchange ex, String path) throws IOException {
    String refusal = crossSite(ex);
    if (refusal != null) {
      return Reply.error(403, refusal);
    }
    if (access == null) {
      return Reply.error(403, READ_ONLY);
    }
    if (!isAdmin(ex)) {
      return Reply.error(401, "admin actions need the dashboard's login (the one-time link printed when the app "
          + "starts) or the header \"Authorization: Bearer <token>\" with the admin token printed at start (or set "
          + "with --admin-token)");
    }
    Map<String, String> form;
    try {
      form = form(ex);
    } catch (IllegalArgumentException e) {
      return Reply.error(e.getMessage().startsWith("body larger") ? 413 : 400, e.getMessage());
    }
    if (path.equals("/api/login-codes")) {
      if (!form.isEmpty()) {
        return Reply.error(400, "a new login code takes no fields, got " + form.keySet());
      }
      return Reply.json(200, Map.of("link", "http://" + ex.getRequestHeaders().getFirst("Host").trim() + "/?code="
          + access.newLoginCode(), "validMinutes", AdminAccess.CODE_TTL.toMinutes()));
    }
    Function<Map<String, String>, Reply> own = adminPosts.get(path);
    if (own != null) {
      return own.apply(form);
    }
    String[] parts = path.substring("/api/rollouts/".length()).split("/", -1);
    if (parts.length != 2 || !ACTIONS.contains(parts[1])) {
      return Reply.error(400, "expected /api/rollouts/{flag}/{action}, action one of " + new java.util.TreeSet<>(ACTIONS)
          + ", got " + path);
    }
    if (!form.isEmpty()) {
      return Reply.error(400, "a rollout action takes no fields, got " + form.keySet());
    }
    String flag;
    try {
      flag = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Reply.error(400, "malformed flag key in " + path + ": " + e.getMessage());
    }
    if (!source.plans().containsKey(flag)) {
      return Reply.error(404, "flag \"" + flag + "\" has no rollout; rollouts: " + source.plans().keySet());
    }
    Decision d;
    try {
      d = switch (parts[1]) {
        case "pause" -> source.rollouts().pause(flag, actor);
        case "resume" -> source.rollouts().resume(flag, actor);
        case "promote" -> source.rollouts().promote(flag, actor);
        case "rollback" -> source.rollouts().rollback(flag, actor);
        default -> source.rollouts().reset(flag, actor);
      };
    } catch (IllegalStateException e) {
      return Reply.error(409, e.getMessage());
    } catch (IllegalArgumentException e) {
      return Reply.error(404, e.getMessage());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("decision", d.describe());
    body.put("status", d.after().status().name());
    body.put("exposure", d.after().exposure());
    return Reply.json(200, body);
  }

  /** Why a write looks cross-site, or null when it comes from this server's own pages or a non-browser client. */
  private String crossSite(HttpExchange ex) {
    String site = ex.getRequestHeaders().getFirst("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return "cross-site write refused (Sec-Fetch-Site: " + site + ")";
    }
    String origin = ex.getRequestHeaders().getFirst("Origin");
    if (origin != null && !ownOrigins.contains(origin)) {
      return "cross-origin write refused (Origin: " + origin + ")";
    }
    return null;
  }

  /** The request body as form fields ({@code application/x-www-form-urlencoded}), at most {@value #MAX_BODY_BYTES} bytes. */
  private static Map<String, String> form(HttpExchange ex) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("body larger than " + MAX_BODY_BYTES + " bytes");
    }
    if (body.length == 0) {
      return Map.of();
    }
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new IllegalArgumentException("the body must be application/x-www-form-urlencoded, e.g. "
          + "errorRate=0.3&latencyMs=0; got Content-Type " + type);
    }
    return query(new String(body, StandardCharsets.UTF_8));
  }

  /** Decodes {@code a=1&b=2}; a repeated or malformed field is refused. */
  static Map<String, String> query(String raw) {
    Map<String, String> params = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("malformed field \"" + pair + "\": expected name=value");
      }
      String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      if (params.put(name, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)) != null) {
        throw new IllegalArgumentException("field \"" + name + "\" given twice");
      }
    }
    return params;
  }

  private static Reply resource(String file) throws IOException {
    try (InputStream in = DashboardServer.class.getResourceAsStream(file)) {
      if (in == null) {
        return Reply.error(404, "missing resource " + file);
      }
      String type = file.endsWith(".html") ? "text/html; charset=utf-8"
          : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
      return new Reply(200, type, in.readAllBytes());
    }
  }
}
