package dev.burnguard.spring.boot.internal;

import dev.burnguard.BurnguardProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.exceptions.OpenFeatureError;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;

/**
 * Internal, not for public use. The provider's registration with {@link OpenFeatureAPI}: made when
 * the bean is created (waiting for the first load of the flags, so that a context that started
 * serves flags), undone when the context closes, and the hooks the starter added to the API, which
 * leave with it.
 *
 * <p>Concurrency: created and destroyed by the container on one thread; the hook list is only
 * touched then.
 */
final class OpenFeatureRegistration implements DisposableBean {
  private final OpenFeatureAPI api;
  private final String domain;
  private final BurnguardProvider provider;
  private final List<Hook<?>> hooks = new ArrayList<>();

  OpenFeatureRegistration(OpenFeatureAPI api, String domain, BurnguardProvider provider, String source) {
    this.api = api;
    this.domain = domain;
    this.provider = provider;
    try {
      if (domain == null) {
        api.setProviderAndWait(provider);
      } else {
        api.setProviderAndWait(domain, provider);
      }
    } catch (OpenFeatureError | IllegalStateException e) {
      throw new IllegalStateException("Burnguard could not load its flags from " + source + ": " + e.getMessage(), e);
    }
  }

  /** A client bound to the provider's domain (or the default provider). */
  Client client() {
    return domain == null ? api.getClient() : api.getClient(domain);
  }

  /** Adds {@code hook} to the API until the context closes. */
  synchronized void addHook(Hook<?> hook) {
    api.addHooks(hook);
    hooks.add(hook);
  }

  @Override
  public synchronized void destroy() {
    if (!hooks.isEmpty()) {
      // the API has no way to remove one hook: keep every other hook, in order
      List<Hook> others = new ArrayList<>(api.getHooks());
      others.removeIf(h -> hooks.stream().anyMatch(mine -> mine == h));
      api.clearHooks();
      api.addHooks(others.toArray(Hook[]::new));
      hooks.clear();
    }
    if ((domain == null ? api.getProvider() : api.getProvider(domain)) == provider) {
      if (domain == null) {
        api.setProviderAndWait(new NoOpProvider());
      } else {
        api.setProviderAndWait(domain, new NoOpProvider());
      }
    }
  }
}
