package dev.burnguard.spring.boot.internal;

import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.HookContext;
import dev.openfeature.sdk.Metadata;
import java.util.Map;

/**
 * Internal, not for public use. An OpenFeature hook that notes, in the current request's {@link
 * RequestFlags}, each guarded flag of this starter's provider that the request evaluated and the
 * variant it was served. Outside a request (no holder bound to the thread), and for evaluations that
 * failed, served no variant, came from another provider or are of an unguarded flag, it does
 * nothing. Never throws.
 *
 * <p>Concurrency: stateless; safe on any thread.
 */
final class RequestFlagHook implements Hook<Object> {
  private final BurnguardCore core;

  RequestFlagHook(BurnguardCore core) {
    this.core = core;
  }

  @Override
  public void finallyAfter(HookContext<Object> ctx, FlagEvaluationDetails<Object> details, Map<String, Object> hints) {
    try {
      RequestFlags request = RequestFlags.current();
      if (request == null || details.getErrorCode() != null || details.getVariant() == null) {
        return;
      }
      Metadata provider = ctx.getProviderMetadata();
      if (provider == null || !BurnguardCore.providerName().equals(provider.getName())
          || !core.isGuarded(details.getFlagKey())) {
        return;
      }
      request.note(details.getFlagKey(), details.getVariant());
    } catch (RuntimeException e) {
      // a hook must never disturb the evaluation; the request is then not attributed to this flag
    }
  }
}
