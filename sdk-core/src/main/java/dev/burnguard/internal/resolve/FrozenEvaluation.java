package dev.burnguard.internal.resolve;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEvaluation;

/**
 * A {@link ProviderEvaluation} built once when a flag set loads and returned to every caller that
 * resolves the same flag, variant, type and reason, so the hot path does not allocate. Its setters
 * throw: the OpenFeature SDK only reads provider results, and nobody may change a shared one.
 * Internal, not for public use.
 */
final class FrozenEvaluation<T> extends ProviderEvaluation<T> {
  FrozenEvaluation(T value, String variant, String reason, ImmutableMetadata metadata) {
    super(value, variant, reason, null, null, metadata);
  }

  private static UnsupportedOperationException frozen() {
    return new UnsupportedOperationException("this evaluation result is shared and cannot be changed");
  }

  @Override
  public void setValue(T value) {
    throw frozen();
  }

  @Override
  public void setVariant(String variant) {
    throw frozen();
  }

  @Override
  public void setReason(String reason) {
    throw frozen();
  }

  @Override
  public void setErrorCode(ErrorCode errorCode) {
    throw frozen();
  }

  @Override
  public void setErrorMessage(String errorMessage) {
    throw frozen();
  }

  @Override
  public void setFlagMetadata(ImmutableMetadata flagMetadata) {
    throw frozen();
  }
}
