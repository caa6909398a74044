package dev.burnguard.fuzz;

import dev.burnguard.ReliabilityScale;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Multiplies a property's tries by {@link ReliabilityScale#factor()} (1 in CI): the Maven profile
 * {@code long} raises it, so that the same properties run ten times longer outside CI.
 */
public final class ScaledTries implements AroundPropertyHook {

  /** Added to a container class, the hook applies to its properties. */
  @Override
  public PropagationMode propagateTo() {
    return PropagationMode.ALL_DESCENDANTS;
  }

  @Override
  public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
    int tries = context.attributes().tries()
        .orElseThrow(() -> new IllegalStateException(context.label() + ": give @Property its tries to scale"));
    context.attributes().setTries(Math.multiplyExact(tries, ReliabilityScale.factor()));
    return property.execute();
  }
}
