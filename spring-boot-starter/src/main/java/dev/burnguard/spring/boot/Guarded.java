package dev.burnguard.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Guards a method of a Spring bean with a boolean flag, as {@code Guard.call} does: the flag is
 * evaluated for the call, {@code true} runs this method (the candidate) and {@code false} the
 * {@linkplain #fallback() fallback} method (the control), and the call's latency and outcome (an
 * exception is an error) are recorded against the variant served.
 *
 * <pre>
 * &#64;Guarded(flag = "new-pricing", fallback = "oldPrice")
 * public Price newPrice(Order order) { ... }
 *
 * public Price oldPrice(Order order) { ... }
 * </pre>
 *
 * <p>The evaluation context is the method's {@code EvaluationContext} parameter if it has one,
 * otherwise OpenFeature's global context merged with its transaction context. The method must be
 * called through the bean's proxy (not from inside its own class), as for any Spring AOP advice. A
 * fallback that does not exist, or whose parameter types or return type differ, fails startup with a
 * message naming the class and both methods.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Guarded {
  /** The boolean flag that picks the method: true runs the annotated method, false the fallback. */
  String flag();

  /** The control: the name of a method of the same class with the same parameter types and return type. */
  String fallback();

  /**
   * Whether a candidate that throws an exception is recorded as an error and then the fallback
   * answers the call (the Guard's {@code fallbackToControl}); by default the exception is the caller's.
   */
  boolean fallbackOnError() default false;
}
