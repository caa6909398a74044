package dev.burnguard.source;

import dev.burnguard.source.LimitedBody.BodyTooLargeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request of an {@link HttpFlagSource}: a GET of the document, conditional when validators
 * from the last good response are given ({@code If-None-Match}, else {@code If-Modified-Since}),
 * with the configured headers, a time limit from sending to the last byte, and a
 * {@linkplain LimitedBody size limit}; the body is decoded as UTF-8. Every failure is a
 * {@link PollFailure} whose message is the reason the sink gets.
 *
 * <p>Design (concurrency): immutable; {@link #get} runs on the source's polling thread and waits
 * for the response, which the HTTP client (thread-safe, maybe shared with the application) reads on
 * its own threads.
 */
final class HttpTransport {
  /** A header sent with every request. */
  record Header(String name, String value) {}

  /** A 200 response: the decoded body and its validators (either may be null). */
  record Document(String text, String etag, String lastModified) {}

  private final URI uri;
  private final List<Header> headers;
  private final HttpClient client;
  private final Duration requestTimeout;
  private final long maxBytes;

  HttpTransport(URI uri, List<Header> headers, HttpClient client, Duration requestTimeout, long maxBytes) {
    this.uri = uri;
    this.headers = List.copyOf(headers);
    this.client = client;
    this.requestTimeout = requestTimeout;
    this.maxBytes = maxBytes;
  }

  /** The client a source builds when none is injected: it does not follow redirects. */
  static HttpClient newClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Sends one request; empty for {@code 304 Not Modified} to a conditional request.
   *
   * @param etag the last good response's {@code ETag}, or null
   * @param lastModified the last good response's {@code Last-Modified}, or null; used when there is
   *     no {@code etag}
   */
  Optional<Document> get(String etag, String lastModified) throws PollFailure {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().header("Accept", "application/json");
    for (Header header : headers) {
      request.header(header.name(), header.value());
    }
    boolean conditional = etag != null || lastModified != null;
    if (etag != null) {
      request.header("If-None-Match", etag);
    } else if (conditional) {
      request.header("If-Modified-Since", lastModified);
    }
    CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request.build(), this::bodyHandler);
    HttpResponse<byte[]> response;
    try {
      response = future.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new PollFailure("no response within " + requestTimeout.toMillis() + " ms", e, true);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new PollFailure("interrupted", e, false);
    } catch (ExecutionException e) {
      throw requestFailure(e.getCause());
    }
    int status = response.statusCode();
    if (status == 304 && conditional) {
      return Optional.empty();
    }
    if (status != 200) {
      boolean serverTrouble = status == 408 || status == 429 || status >= 500;
      String hint = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
      throw new PollFailure("HTTP status " + status + hint, null, serverTrouble);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(response.body())).toString();
    } catch (CharacterCodingException e) {
      throw new PollFailure("body is not valid UTF-8 text", e, false);
    }
    return Optional.of(new Document(text,
        response.headers().firstValue("ETag").orElse(null),
        response.headers().firstValue("Last-Modified").orElse(null)));
  }

  private BodySubscriber<byte[]> bodyHandler(ResponseInfo info) {
    if (info.statusCode() != 200) {
      return BodySubscribers.replacing(null);
    }
    return new LimitedBody(maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1));
  }

  private PollFailure requestFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BodyTooLargeException) {
        return new PollFailure("body is larger than the limit of " + maxBytes + " bytes", t, false);
      }
    }
    if (e instanceof HttpConnectTimeoutException) {
      return new PollFailure("cannot connect: timed out", e, true);
    }
    if (e instanceof ConnectException) {
      return new PollFailure("cannot connect" + (e.getMessage() == null ? "" : ": " + e.getMessage()), e, true);
    }
    if (e instanceof IOException) {
      return new PollFailure("request failed: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()),
          e, true);
    }
    return new PollFailure("request failed: " + e, e, false);
  }
}
