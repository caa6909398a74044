package dev.burnguard.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Multiplies a property's tries by the system property {@value #PROPERTY} (default 1): the Maven
 * profile {@code long} sets it, so that the same properties run ten times longer outside CI.
 */
public final class ReliabilityScale implements AroundPropertyHook {
  static final String PROPERTY = "burnguard.reliability.scale";

  static int scale() {
    int scale = Integer.parseInt(System.getProperty(PROPERTY, "1").strip());
    if (scale < 1) {
      throw new IllegalArgumentException(PROPERTY + " must be at least 1, got " + scale);
    }
    return scale;
  }

  /** Added to a container class, the hook applies to its properties. */
  @Override
  public PropagationMode propagateTo() {
    return PropagationMode.ALL_DESCENDANTS;
  }

  @Override
  public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
    int tries = context.attributes().tries()
        .orElseThrow(() -> new IllegalStateException(context.label() + ": give @Property its tries to scale"));
    context.attributes().setTries(Math.multiplyExact(tries, scale()));
    return property.execute();
  }
}
