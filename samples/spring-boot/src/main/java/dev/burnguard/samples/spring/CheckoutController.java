package dev.burnguard.samples.spring;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /checkout?user=…} answers with the checkout implementation the user is served; {@code
 * POST /faults?failNewCheckout=true} injects a regression into the new one (every call fails with
 * 500) to watch the guardian roll it back.
 */
@RestController
class CheckoutController {
  private final Client flags;
  private volatile boolean failNewCheckout;

  CheckoutController(Client flags) {
    this.flags = flags;
  }

  @GetMapping("/checkout")
  Map<String, String> checkout(@RequestParam String user) {
    String implementation = flags.getStringValue("new-checkout", "old", new ImmutableContext(user));
    if (implementation.equals("new") && failNewCheckout) {
      throw new ResponseStatusException(HttpStatus.INTERNAL_SERVER_ERROR, "the new checkout failed");
    }
    return Map.of("user", user, "checkout", implementation);
  }

  @PostMapping("/faults")
  Map<String, Boolean> faults(@RequestParam boolean failNewCheckout) {
    this.failNewCheckout = failNewCheckout;
    return Map.of("failNewCheckout", failNewCheckout);
  }
}
