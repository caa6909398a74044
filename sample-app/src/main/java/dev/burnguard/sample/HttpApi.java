package dev.burnguard.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.burnguard.rollout.Decision;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample's HTTP interface, on the JDK's {@link HttpServer}:
 *
 * <ul>
 *   <li>{@code GET /} the dashboard (static files bundled in the jar), {@code GET /api/state?since=N}
 *       the JSON it polls;
 *   <li>{@code GET /api/checkout?user=U&items=N} the service itself;
 *   <li>{@code GET /evaluate?user=...} every flag's evaluation, as text;
 *   <li>{@code POST /api/session} (form field {@code code}): exchanges a one-time login code for
 *       the admin session cookie (see {@link AdminAccess});
 *   <li>admin, {@code POST} only: {@code /api/rollouts/{flag}/{pause|resume|promote|rollback|reset}}
 *       (any guarded flag, whichever provider serves it), {@code /api/fault} (form fields {@code
 *       errorRate}, {@code latencyMs}, and optionally {@code flag}: whose candidate, by default
 *       {@value Checkout#FLAG}) and
 *       {@code /api/login-codes} (a new one-time login link).
 * </ul>
 *
 * <p>Every request first has its {@code Host} header checked against the names this server
 * answers to ({@link AdminAccess#allowedHosts}); any other gets 421 with the reason (DNS
 * rebinding defence, for reads as well as writes). Writes, checked in this order, each refusal
 * changing nothing: a write from another site is refused with 403 (a {@code Sec-Fetch-Site} other
 * than {@code same-origin}/{@code none}, or an {@code Origin} other than this server's own);
 * admin writes without the session cookie or {@code Authorization: Bearer <token>} (scheme in any
 * case, token compared in constant time) get 401; a malformed body or value gets 400 with the
 * reason; an unknown flag 404; an action the rollout's state does not allow (resume a rollout that
 * is not paused) 409. Responses carry {@code Cache-Control: no-store},
 * {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer} (the login link
 * holds a code until the page removes it) and a Content-Security-Policy that allows only this
 * origin's scripts and styles.
 *
 * <p>Concurrency: requests run on a fixed pool of {@value #THREADS} daemon threads. This class
 * keeps no mutable state; everything it calls (rollouts, faults, checkout, history, admin access) is
 * thread-safe.
 */
final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final int THREADS = 8;
  static final int MAX_BODY_BYTES = 4096;
  static final String ADMIN_ACTOR = "person:admin";
  private static final Set<String> ACTIONS = Set.of("pause", "resume", "promote", "rollback", "reset");
  private static final Map<String, String> STATIC = Map.of(
      "/", "index.html", "/index.html", "index.html", "/dashboard.js", "dashboard.js", "/dashboard.css", "dashboard.css");

  private final HttpServer server;
  private final ExecutorService executor;
  private final AdminAccess access;
  private final ServiceRollouts rollouts;
  private final Faults faults;
  private final Checkout checkout;
  private final Function<Long, Map<String, Object>> state;
  private final Set<String> ownOrigins;
  private final Set<String> allowedHosts;

  /**
   * @param state the dashboard's JSON for samples after a sequence number
   * @param evaluate answers {@code /evaluate} for a query's attributes
   */
  HttpApi(InetSocketAddress address, List<String> hostNames, AdminAccess access, ServiceRollouts rollouts, Faults faults,
      Checkout checkout, Function<Long, Map<String, Object>> state, Function<Map<String, String>, String> evaluate)
      throws IOException {
    this.access = access;
    this.rollouts = rollouts;
    this.faults = faults;
    this.checkout = checkout;
    this.state = state;
    this.server = HttpServer.create(address, 0);
    int port = server.getAddress().getPort();
    this.allowedHosts = AdminAccess.allowedHosts(address.getAddress(), port, hostNames);
    this.ownOrigins = allowedHosts.stream().map(h -> "http://" + h)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "sample-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", ex -> handle(ex, () -> route(ex, evaluate)));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** A response: status, content type, body. */
  private record Response(int status, String type, byte[] body, String setCookie) {
    Response(int status, String type, byte[] body) {
      this(status, type, body, null);
    }

    static Response json(int status, Object value) {
      return new Response(status, "application/json; charset=utf-8", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    static Response error(int status, String message) {
      return json(status, Map.of("error", message));
    }

    static Response text(String body) {
      return new Response(200, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private interface Route {
    Response answer() throws IOException;
  }

  private void handle(HttpExchange ex, Route route) {
    Response r;
    try {
      r = route.answer();
    } catch (RuntimeException | IOException e) {
      LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
      r = Response.error(500, "internal error: " + e.getClass().getSimpleName());
    }
    try (OutputStream out = ex.getResponseBody()) {
      var h = ex.getResponseHeaders();
      h.set("Content-Type", r.type());
      h.set("Cache-Control", "no-store");
      h.set("X-Content-Type-Options", "nosniff");
      h.set("Referrer-Policy", "no-referrer");
      h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
      if (r.setCookie() != null) {
        h.set("Set-Cookie", r.setCookie());
      }
      ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
      out.write(r.body());
    } catch (IOException e) {
      LOG.debug("Could not answer {} {}: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
    } finally {
      ex.close();
    }
  }

  private Response route(HttpExchange ex, Function<Map<String, String>, String> evaluate) throws IOException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    String wrongHost = AdminAccess.hostRefusal(ex.getRequestHeaders().getFirst("Host"), allowedHosts);
    if (wrongHost != null) {
      return Response.error(421, wrongHost);
    }
    if (path.equals("/api/session")) {
      return method.equals("POST") ? session(ex) : Response.error(405, path + " takes POST");
    }
    if (path.startsWith("/api/rollouts/") || path.equals("/api/fault") || path.equals("/api/login-codes")) {
      if (!method.equals("POST")) {
        return Response.error(405, path + " takes POST");
      }
      return admin(ex, path);
    }
    if (!method.equals("GET")) {
      return Response.error(405, path + " takes GET");
    }
    Map<String, String> query;
    try {
      query = query(ex.getRequestURI().getRawQuery());
    } catch (IllegalArgumentException e) {
      return Response.error(400, e.getMessage());
    }
    switch (path) {
      case "/api/state":
        return state(query, isAdmin(ex));
      case "/api/checkout":
        return checkout(query);
      case "/evaluate":
        return Response.text(evaluate.apply(query));
      default:
        String file = STATIC.get(path);
        return file == null ? Response.error(404, "no such page: " + path) : resource(file);
    }
  }

  private Response state(Map<String, String> query, boolean admin) {
    long since;
    try {
      since = Long.parseLong(query.getOrDefault("since", "0"));
    } catch (NumberFormatException e) {
      return Response.error(400, "since must be a sample sequence number, got \"" + query.get("since") + "\"");
    }
    Map<String, Object> body = new LinkedHashMap<>(state.apply(since));
    body.put("admin", admin);
    return Response.json(200, body);
  }

  /** The login exchange: a one-time code (form field {@code code}) for the session cookie. */
  private Response session(HttpExchange ex) throws IOException {
    String refusal = crossSite(ex);
    if (refusal != null) {
      return Response.error(403, refusal);
    }
    Map<String, String> form;
    try {
      form = form(ex);
    } catch (IllegalArgumentException e) {
      return Response.error(e.getMessage().startsWith("body larger") ? 413 : 400, e.getMessage());
    }
    if (!form.keySet().equals(Set.of("code"))) {
      return Response.error(400, "the login exchange takes one field, code, got " + form.keySet());
    }
    String session;
    try {
      session = access.exchange(form.get("code"));
    } catch (IllegalArgumentException e) {
      return Response.error(401, e.getMessage());
    }
    Response ok = Response.json(200, Map.of("admin", true));
    return new Response(ok.status(), ok.type(), ok.body(), AdminAccess.setCookie(session));
  }

  /** Whether the request carries the admin session cookie or the admin token. */
  private boolean isAdmin(HttpExchange ex) {
    return access.bearer(ex.getRequestHeaders().getFirst("Authorization"))
        || access.session(AdminAccess.sessionCookie(ex.getRequestHeaders().getFirst("Cookie")));
  }

  private Response checkout(Map<String, String> query) {
    int items;
    try {
      items = Integer.parseInt(query.getOrDefault("items", "1"));
    } catch (NumberFormatException e) {
      return Response.error(400, "items must be a whole number, got \"" + query.get("items") + "\"");
    }
    try {
      Checkout.Receipt r = checkout.checkout(query.get("user"), items);
      return Response.json(200, Map.of("user", r.user(), "items", r.items(), "totalCents", r.totalCents(),
          "implementation", r.implementation()));
    } catch (IllegalArgumentException e) {
      return Response.error(400, e.getMessage());
    } catch (Checkout.CheckoutFailedException e) {
      return Response.error(503, e.getMessage());
    }
  }

  private Response admin(HttpExchange ex, String path) throws IOException {
    String refusal = crossSite(ex);
    if (refusal != null) {
      return Response.error(403, refusal);
    }
    if (!isAdmin(ex)) {
      return Response.error(401, "admin actions need the dashboard's login (the one-time link printed when the app "
          + "starts) or the header \"Authorization: Bearer <token>\" with the admin token printed at start (or set "
          + "with --admin-token)");
    }
    Map<String, String> form;
    try {
      form = form(ex);
    } catch (IllegalArgumentException e) {
      return Response.error(e.getMessage().startsWith("body larger") ? 413 : 400, e.getMessage());
    }
    if (path.equals("/api/login-codes")) {
      if (!form.isEmpty()) {
        return Response.error(400, "a new login code takes no fields, got " + form.keySet());
      }
      return Response.json(200, Map.of("link", "http://" + ex.getRequestHeaders().getFirst("Host").trim() + "/?code="
          + access.newLoginCode(), "validMinutes", AdminAccess.CODE_TTL.toMinutes()));
    }
    if (path.equals("/api/fault")) {
      Map<String, String> fields = new HashMap<>(form);
      String faultFlag = fields.containsKey("flag") ? fields.remove("flag") : Checkout.FLAG;
      if (!faults.flags().contains(faultFlag)) {
        return Response.error(404, "no fault can be injected into flag \"" + faultFlag + "\"; flags: " + faults.flags());
      }
      Faults.Fault fault;
      try {
        fault = Faults.Fault.parse(fields);
      } catch (IllegalArgumentException e) {
        return Response.error(400, e.getMessage());
      }
      faults.set(faultFlag, fault);
      LOG.warn("Admin API: candidate fault of {} set to {}", faultFlag, fault);
      Map<String, Object> body = new LinkedHashMap<>(fault(fault));
      body.put("flag", faultFlag);
      return Response.json(200, body);
    }
    String[] parts = path.substring("/api/rollouts/".length()).split("/", -1);
    if (parts.length != 2 || !ACTIONS.contains(parts[1])) {
      return Response.error(400, "expected /api/rollouts/{flag}/{action}, action one of " + new java.util.TreeSet<>(ACTIONS)
          + ", got " + path);
    }
    if (!form.isEmpty()) {
      return Response.error(400, "a rollout action takes no fields, got " + form.keySet());
    }
    String flag;
    try {
      flag = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Response.error(400, "malformed flag key in " + path + ": " + e.getMessage());
    }
    if (!rollouts.plans().containsKey(flag)) {
      return Response.error(404, "flag \"" + flag + "\" has no rollout; rollouts: " + rollouts.plans().keySet());
    }
    Decision d;
    try {
      d = switch (parts[1]) {
        case "pause" -> rollouts.pause(flag, ADMIN_ACTOR);
        case "resume" -> rollouts.resume(flag, ADMIN_ACTOR);
        case "promote" -> rollouts.promote(flag, ADMIN_ACTOR);
        case "rollback" -> rollouts.rollback(flag, ADMIN_ACTOR);
        default -> rollouts.reset(flag, ADMIN_ACTOR);
      };
    } catch (IllegalStateException e) {
      return Response.error(409, e.getMessage());
    } catch (IllegalArgumentException e) {
      return Response.error(404, e.getMessage());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("decision", d.describe());
    body.put("status", d.after().status().name());
    body.put("exposure", d.after().exposure());
    return Response.json(200, body);
  }

  static Map<String, Object> fault(Faults.Fault f) {
    return Map.of("errorRate", f.errorRate(), "latencyMs", f.addedLatency().toMillis());
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

  private static Response resource(String file) throws IOException {
    try (InputStream in = HttpApi.class.getResourceAsStream("dashboard/" + file)) {
      if (in == null) {
        return Response.error(404, "missing resource " + file);
      }
      String type = file.endsWith(".html") ? "text/html; charset=utf-8"
          : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
      return new Response(200, type, in.readAllBytes());
    }
  }
}
