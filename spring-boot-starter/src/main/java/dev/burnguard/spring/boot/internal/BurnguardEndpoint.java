package dev.burnguard.spring.boot.internal;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * Internal, not for public use. The Actuator endpoint {@code burnguard}: every rollout (status,
 * stage, exposure, stages, recent decisions with their evidence) and the provider's health; one
 * rollout by flag key; and the manual actions {@code pause}, {@code resume}, {@code promote},
 * {@code rollback} and {@code reset} as a write operation ({@code POST /actuator/burnguard/{flag}}
 * with {@code {"action": "rollback"}}), recorded with the authenticated principal's name as
 * {@code person:<name>} ({@value #ANONYMOUS} when the request is not authenticated). Who may call
 * it is Actuator's and Spring Security's to say: exposure ({@code management.endpoints.web.exposure}),
 * access ({@code management.endpoint.burnguard.access=read-only} refuses the writes) and the
 * application's security rules.
 */
@Endpoint(id = "burnguard")
public class BurnguardEndpoint {
  /** The actor of a write by a request that is not authenticated. */
  static final String ANONYMOUS = "actuator:anonymous";

  private final BurnguardCore core;

  BurnguardEndpoint(BurnguardCore core) {
    this.core = core;
  }

  @ReadOperation
  public Map<String, Object> rollouts() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rollouts", core.rollouts());
    out.put("health", core.health());
    return out;
  }

  @ReadOperation
  public Map<String, Object> rollout(@Selector String flag) {
    return core.rollout(flag);
  }

  @WriteOperation
  public Map<String, Object> act(@Selector String flag, String action, SecurityContext security) {
    Principal principal = security == null ? null : security.getPrincipal();
    String actor = principal == null || principal.getName() == null ? ANONYMOUS : "person:" + principal.getName();
    try {
      return BurnguardCore.decision(core.act(flag, BurnguardCore.Action.of(action), actor));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
    }
  }
}
