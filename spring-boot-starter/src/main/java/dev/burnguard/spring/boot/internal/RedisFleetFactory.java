package dev.burnguard.spring.boot.internal;

import dev.burnguard.redis.RedisFleet;
import dev.burnguard.spring.boot.BurnguardProperties;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Internal, not for public use. Builds a {@link RedisFleet} from {@code burnguard.fleet.*}; loaded
 * only when burnguard-redis is on the classpath. RedisFleet's builder checks every value; its
 * refusal becomes an {@link InvalidConfigurationPropertyValueException} naming the property. The
 * Redis URI is never put in a message: its value shows as {@value #REDACTED}, and the builder's own
 * messages name it without credentials.
 */
final class RedisFleetFactory {
  static final String REDIS_URI = "burnguard.fleet.redis-uri";
  static final String SERVICE = "burnguard.fleet.service";
  static final String REDACTED = "(redacted)";

  private RedisFleetFactory() {}

  static RedisFleet build(BurnguardProperties.Fleet p) {
    RedisFleet.Builder b;
    try {
      b = RedisFleet.builder(p.getRedisUri());
    } catch (RuntimeException e) {
      throw new InvalidConfigurationPropertyValueException(REDIS_URI, REDACTED, String.valueOf(e.getMessage()));
    }
    if (p.getService() == null) {
      throw new InvalidConfigurationPropertyValueException(SERVICE, null,
          "fleet mode needs the name the service's replicas share, e.g. checkout-service");
    }
    set(SERVICE, p.getService(), b::service);
    if (p.getInstanceId() != null) {
      set("burnguard.fleet.instance-id", p.getInstanceId(), b::instanceId);
    }
    if (p.getCommandTimeout() != null) {
      set("burnguard.fleet.command-timeout", p.getCommandTimeout(), b::commandTimeout);
    }
    if (p.getLease() != null) {
      set("burnguard.fleet.lease", p.getLease(), b::lease);
    }
    if (p.getDecisionLogLength() != null) {
      set("burnguard.fleet.decision-log-length", p.getDecisionLogLength(), b::decisionLogLength);
    }
    if (p.isCluster()) {
      b.cluster();
    }
    return b.build();
  }

  private static <T> void set(String property, T value, Consumer<T> setter) {
    try {
      setter.accept(value);
    } catch (RuntimeException e) {
      throw new InvalidConfigurationPropertyValueException(property, value, String.valueOf(e.getMessage()));
    }
  }
}
