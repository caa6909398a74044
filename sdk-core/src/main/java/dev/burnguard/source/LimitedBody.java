package dev.burnguard.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body up to a limit, and gives up as soon as the body (declared or received)
 * is larger: the request then fails with a {@link BodyTooLargeException}.
 *
 * <p>Design (concurrency): the HTTP client calls {@code onSubscribe}, {@code onNext},
 * {@code onError} and {@code onComplete} one at a time (the reactive-streams rule), possibly on
 * different threads of its own, so the received bytes need no lock; the result is a
 * {@link CompletableFuture}, which hands the body to the polling thread waiting on it.
 */
final class LimitedBody implements BodySubscriber<byte[]> {
  private final long maxBytes;
  private final long declaredBytes;
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private Flow.Subscription subscription;

  /** The failure of a body larger than the limit. */
  static final class BodyTooLargeException extends IOException {
    BodyTooLargeException(long limit) {
      super("body is larger than " + limit + " bytes");
    }
  }

  /**
   * @param maxBytes the largest body accepted
   * @param declaredBytes the response's {@code Content-Length}, or -1 when it has none
   */
  LimitedBody(long maxBytes, long declaredBytes) {
    this.maxBytes = maxBytes;
    this.declaredBytes = declaredBytes;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (declaredBytes > maxBytes) {
      tooLarge();
    } else {
      subscription.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      if (result.isDone()) {
        return;
      }
      if (received.size() + (long) buffer.remaining() > maxBytes) {
        tooLarge();
        return;
      }
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      received.write(bytes, 0, bytes.length);
    }
  }

  @Override
  public void onError(Throwable error) {
    result.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    result.complete(received.toByteArray());
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  private void tooLarge() {
    subscription.cancel();
    result.completeExceptionally(new BodyTooLargeException(maxBytes));
  }
}
