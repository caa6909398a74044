package dev.burnguard.internal.store;

import dev.burnguard.internal.json.JsonPath;
import dev.burnguard.internal.json.JsonReader;
import dev.burnguard.internal.json.JsonWriter;
import dev.burnguard.rollout.Decision;
import dev.burnguard.rollout.Rollouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The manual controls a tool asks of the service that holds a state directory: the command line's
 * {@code pause}, {@code rollback} etc. and its dashboard, which cannot write the directory while the
 * service holds its lock. A request is a small JSON file in the directory's {@value #DIRECTORY}
 * folder; the service takes it on its guardian's next tick, makes the control through its own
 * rollouts (the same call as its admin API, with the request's actor) and writes the answer beside
 * it; the tool waits for the answer and removes it.
 *
 * <p>The files of one request {@code ID} (every step is an atomic rename, so no side reads a file
 * half written):
 *
 * <ol>
 *   <li>{@code ID.request}: written by the tool ({@code ID.request.tmp}, then renamed).
 *   <li>{@code ID.taken}: the service renamed the request to take it. A tool that gives up deletes
 *       {@code ID.request}; when that file is already gone, the service has taken the request and
 *       will answer it.
 *   <li>{@code ID.answer}: the service's answer ({@code ID.answer.tmp}, then renamed), after which it
 *       deletes {@code ID.taken}. The tool reads and deletes it.
 * </ol>
 *
 * <p>Requests found when a service starts serving were addressed to no one (a tool asks the service
 * only while the lock is held, and withdraws its request when no answer comes): {@link
 * #discardStale()} deletes them, so a control is never applied long after its operator gave up.
 * Answers nobody collected (a tool killed while it waited) are deleted after {@link
 * #ANSWER_RETENTION_NANOS}.
 *
 * <p>Anyone who can write the state directory can ask: the directory's permissions are the boundary,
 * as they are for its state (keep it writable by the service's user only).
 *
 * <p>Design (concurrency): the service side ({@link #serve}) is called by one thread at a time, the
 * guardian's tick; it keeps the answers it wrote in a map confined to that thread. The tool side
 * ({@link #submit}, {@link #answer}, {@link #withdraw}) keeps no state. The two sides meet only
 * through atomic renames in the file system.
 */
public final class ControlRequests {
  /** The folder of the state directory that holds requests and answers. */
  public static final String DIRECTORY = "requests";
  /** Requests taken per tick at most; more wait for the next tick. */
  public static final int MAX_PER_TICK = 32;
  /** A request file larger than this is refused unread. */
  public static final long MAX_REQUEST_BYTES = 16 * 1024;
  /** How long an answer waits for its tool before the service deletes it: 10 minutes. */
  public static final long ANSWER_RETENTION_NANOS = 600_000_000_000L;

  private static final String REQUEST = ".request";
  private static final String TAKEN = ".taken";
  private static final String ANSWER = ".answer";
  private static final String TEMP = ".tmp";

  /** The controls a tool may ask for: the names of {@link dev.burnguard.rollout.Rollouts}' manual controls. */
  public enum Control {
    PAUSE, RESUME, PROMOTE, ROLLBACK, RESET;

    /** The lower-case name a request file and the command line use. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Makes this control on {@code flagKey}'s rollout, by {@code actor}.
     *
     * @throws IllegalStateException when the rollout's status does not allow it
     * @throws IllegalArgumentException when there is no such rollout
     */
    public Decision apply(Rollouts rollouts, String flagKey, String actor) {
      return switch (this) {
        case PAUSE -> rollouts.pause(flagKey, actor);
        case RESUME -> rollouts.resume(flagKey, actor);
        case PROMOTE -> rollouts.promote(flagKey, actor);
        case ROLLBACK -> rollouts.rollback(flagKey, actor);
        case RESET -> rollouts.reset(flagKey, actor);
      };
    }
  }

  /**
   * One control asked for.
   *
   * @param planFingerprint the fingerprint of the plan the tool read from its flag file: the service
   *     refuses a request made with another plan than the one in force
   */
  public record Request(String flagKey, Control control, String actor, String planFingerprint) {
    public Request {
      Objects.requireNonNull(flagKey, "flagKey");
      Objects.requireNonNull(control, "control");
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(planFingerprint, "planFingerprint");
    }
  }

  /** Why a request was not applied; each maps to the command line's exit code of the same name. */
  public enum Refusal {
    /** No such rollout or plan in the service. */
    NOT_FOUND,
    /** The rollout's status does not allow the control, or the plan is not the one in force. */
    REFUSED,
    /** The request file could not be read as a request. */
    INVALID,
    /** The service failed while applying it. */
    FAILED
  }

  /**
   * The service's answer: the decision it applied (and whether its store has written it yet), or
   * why it applied nothing.
   */
  public record Answer(Decision decision, boolean stored, Refusal refusal, String message) {
    public static Answer applied(Decision decision, boolean stored, String storeProblem) {
      return new Answer(Objects.requireNonNull(decision, "decision"), stored, null, storeProblem);
    }

    public static Answer refused(Refusal refusal, String message) {
      return new Answer(null, false, Objects.requireNonNull(refusal, "refusal"), Objects.requireNonNull(message, "message"));
    }
  }

  private final Path directory;
  /** Answers this service wrote and when (its clock's nanos); confined to the serving thread. */
  private final Map<String, Long> answered = new LinkedHashMap<>();

  private ControlRequests(Path stateDirectory) {
    this.directory = stateDirectory.resolve(DIRECTORY);
  }

  /** The requests of the state directory {@code stateDirectory}. */
  public static ControlRequests in(Path stateDirectory) {
    return new ControlRequests(Objects.requireNonNull(stateDirectory, "stateDirectory"));
  }

  /** The folder the request files are in. */
  public Path directory() {
    return directory;
  }

  // ------------------------------------------------------------------ the tool's side

  /**
   * Writes a request for the service that holds the directory and returns its id.
   *
   * @throws IOException when the folder or the file cannot be written; nothing was asked then
   */
  public String submit(Request request) throws IOException {
    Files.createDirectories(directory);
    String id = UUID.randomUUID().toString();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("flag", request.flagKey());
    json.put("control", request.control().id());
    json.put("actor", request.actor());
    json.put("planFingerprint", request.planFingerprint());
    Path temp = directory.resolve(id + REQUEST + TEMP);
    Files.writeString(temp, JsonWriter.write(json), StandardCharsets.UTF_8);
    try {
      move(temp, directory.resolve(id + REQUEST));
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return id;
  }

  /**
   * The service's answer to request {@code id}, read and deleted; empty while there is none yet.
   *
   * @throws IOException when the answer exists but cannot be read or is not an answer
   */
  public Optional<Answer> answer(String id) throws IOException {
    Path file = directory.resolve(id + ANSWER);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Answer answer = readAnswer(text, file);
    Files.deleteIfExists(file);
    return Optional.of(answer);
  }

  /**
   * Withdraws request {@code id}: true when it was still waiting (the service will never see it),
   * false when the service has taken it already (it will be applied, and answered).
   */
  public boolean withdraw(String id) throws IOException {
    return Files.deleteIfExists(directory.resolve(id + REQUEST));
  }

  // ------------------------------------------------------------------ the service's side

  /**
   * Deletes every request, taken request and answer left in the folder: when a service starts, they
   * were addressed to no one. Returns how many requests were dropped. Never throws.
   */
  public int discardStale() {
    int dropped = 0;
    for (Path p : list("*")) {
      String name = p.getFileName().toString();
      try {
        if (Files.deleteIfExists(p) && name.endsWith(REQUEST)) {
          dropped++;
        }
      } catch (IOException e) {
        // a stale file that stays is harmless: withdrawn requests are never renamed again
      }
    }
    return dropped;
  }

  /**
   * Takes up to {@link #MAX_PER_TICK} waiting requests, applies each with {@code apply} and writes
   * its answer; deletes answers older than {@link #ANSWER_RETENTION_NANOS}. Returns the requests
   * answered. Never throws: a request that cannot be read is answered {@link Refusal#INVALID} with
   * what is wrong, naming the file and the JSON path.
   *
   * @param nowNanos the service clock's monotonic nanos, for the answers' retention
   */
  public List<Request> serve(Function<Request, Answer> apply, long nowNanos) {
    forgetCollected(nowNanos);
    List<Path> waiting = list("*" + REQUEST);
    if (waiting.isEmpty()) {
      return List.of();
    }
    waiting.sort(null); // a stable order within a tick; requests are independent
    List<Request> served = new ArrayList<>();
    for (Path file : waiting.subList(0, Math.min(MAX_PER_TICK, waiting.size()))) {
      String name = file.getFileName().toString();
      String id = name.substring(0, name.length() - REQUEST.length());
      Path taken = directory.resolve(id + TAKEN);
      try {
        move(file, taken);
      } catch (IOException e) {
        continue; // withdrawn meanwhile, or not movable: not ours to answer
      }
      Answer answer;
      Request request = null;
      try {
        request = readRequest(taken, file);
        answer = apply.apply(request);
      } catch (IllegalArgumentException e) {
        answer = Answer.refused(Refusal.INVALID, e.getMessage());
      } catch (RuntimeException e) {
        answer = Answer.refused(Refusal.FAILED, "the service failed to apply it: " + e);
      }
      try {
        Path temp = directory.resolve(id + ANSWER + TEMP);
        Files.writeString(temp, JsonWriter.write(answerJson(answer)), StandardCharsets.UTF_8);
        move(temp, directory.resolve(id + ANSWER));
        answered.put(id, nowNanos);
        Files.deleteIfExists(taken);
      } catch (IOException e) {
        // the tool times out and says the service took its request without answering
      }
      if (request != null) {
        served.add(request);
      }
    }
    return served;
  }

  private void forgetCollected(long nowNanos) {
    if (answered.isEmpty()) {
      return;
    }
    var it = answered.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      Path file = directory.resolve(e.getKey() + ANSWER);
      if (nowNanos - e.getValue() >= ANSWER_RETENTION_NANOS || !Files.exists(file)) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // tried again at the next tick
          continue;
        }
        it.remove();
      }
    }
  }

  private List<Path> list(String glob) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, glob)) {
      files.forEach(out::add);
    } catch (IOException e) {
      // unreadable folder: nothing to serve this tick
    }
    return out;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  // ------------------------------------------------------------------ the file formats

  private static Request readRequest(Path taken, Path asked) {
    String text;
    try {
      if (Files.size(taken) > MAX_REQUEST_BYTES) {
        throw new IllegalArgumentException(asked + ": a request of " + Files.size(taken) + " bytes, more than "
            + MAX_REQUEST_BYTES);
      }
      text = Files.readString(taken, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(asked + ": cannot be read: " + e.getMessage(), e);
    }
    Object json;
    try {
      json = JsonReader.read(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(asked + ": not JSON: " + e.getMessage(), e);
    }
    if (!(json instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(asked + " at $: a request is a JSON object");
    }
    String control = string(m, "control", asked);
    Control c;
    try {
      c = Control.valueOf(control.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(asked + " at $.control: unknown control \"" + control + "\"; one of pause, "
          + "resume, promote, rollback, reset", e);
    }
    return new Request(string(m, "flag", asked), c, string(m, "actor", asked), string(m, "planFingerprint", asked));
  }

  private static String string(Map<?, ?> m, String key, Path file) {
    Object v = m.get(key);
    if (!(v instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(file + " at " + JsonPath.child("$", key) + ": "
          + (v == null ? "missing" : "not a non-blank string: " + JsonWriter.snippet(v, 60)));
    }
    return s;
  }

  private static Map<String, Object> answerJson(Answer a) {
    Map<String, Object> json = new LinkedHashMap<>();
    if (a.decision() != null) {
      json.put("decision", RolloutJson.decision(a.decision()));
      json.put("stored", a.stored());
      if (a.message() != null) {
        json.put("storeProblem", a.message());
      }
    } else {
      json.put("refusal", a.refusal().name());
      json.put("message", a.message());
    }
    return json;
  }

  private static Answer readAnswer(String text, Path file) throws IOException {
    try {
      Map<?, ?> m = (Map<?, ?>) JsonReader.read(text);
      if (m.containsKey("decision")) {
        Object problem = m.get("storeProblem");
        return Answer.applied(RolloutJson.readDecision(m.get("decision"), "$.decision"),
            Boolean.TRUE.equals(m.get("stored")), problem == null ? null : problem.toString());
      }
      return Answer.refused(Refusal.valueOf(String.valueOf(m.get("refusal"))), String.valueOf(m.get("message")));
    } catch (RuntimeException e) {
      throw new IOException(file + ": not an answer from a Burnguard service: " + e.getMessage(), e);
    }
  }
}
