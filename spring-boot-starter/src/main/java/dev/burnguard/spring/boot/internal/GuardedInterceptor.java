package dev.burnguard.spring.boot.internal;

import dev.burnguard.outcome.Guard;
import dev.burnguard.spring.boot.Guarded;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcutAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Internal, not for public use. The advice of {@link Guarded}: an advisor whose pointcut matches the
 * annotated methods (and checks their fallback when a bean is proxied, so that a wrong fallback fails
 * startup), and whose interceptor runs the call through {@link Guard#call}.
 *
 * <p>Concurrency: the guards are built once, on first use, from the provider (resolved lazily, so that
 * the advisor does not create the provider while the container is still creating its post-processors);
 * the fallback of each method is looked up once into a concurrent map. Safe on any thread.
 */
final class GuardedInterceptor extends StaticMethodMatcherPointcutAdvisor implements MethodInterceptor {
  private final ObjectProvider<BurnguardCore> core;
  private final Map<Method, Method> fallbacks = new ConcurrentHashMap<>();
  private volatile Guard guard;
  private volatile Guard fallingBackGuard;

  GuardedInterceptor(ObjectProvider<BurnguardCore> core) {
    this.core = core;
    setAdvice(this);
  }

  @Override
  public boolean matches(Method method, Class<?> targetClass) {
    Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
    Guarded guarded = AnnotatedElementUtils.findMergedAnnotation(specific, Guarded.class);
    if (guarded == null) {
      return false;
    }
    fallbacks.computeIfAbsent(specific, m -> fallbackOf(m, guarded, targetClass));
    return true;
  }

  /** The fallback of {@code method}, or an exception that says what is wrong. */
  private static Method fallbackOf(Method method, Guarded guarded, Class<?> targetClass) {
    Method fallback = ReflectionUtils.findMethod(targetClass, guarded.fallback(), method.getParameterTypes());
    String where = targetClass.getName() + "." + method.getName() + Arrays.toString(method.getParameterTypes())
        .replace('[', '(').replace(']', ')');
    if (fallback == null) {
      throw new IllegalStateException("@Guarded(flag = \"" + guarded.flag() + "\", fallback = \"" + guarded.fallback()
          + "\") on " + where + ": " + targetClass.getName() + " has no method " + guarded.fallback()
          + " with the same parameter types");
    }
    if (!method.getReturnType().isAssignableFrom(fallback.getReturnType())) {
      throw new IllegalStateException("@Guarded on " + where + ": fallback " + guarded.fallback() + " returns "
          + fallback.getReturnType().getName() + ", not " + method.getReturnType().getName());
    }
    ReflectionUtils.makeAccessible(fallback);
    return fallback;
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Object target = invocation.getThis();
    Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(),
        target == null ? invocation.getMethod().getDeclaringClass() : target.getClass());
    Guarded guarded = AnnotatedElementUtils.findMergedAnnotation(method, Guarded.class);
    Method fallback = guarded == null ? null : fallbacks.get(method);
    if (fallback == null) {
      return invocation.proceed();
    }
    Object[] args = invocation.getArguments();
    return guard(guarded.fallbackOnError()).call(guarded.flag(), context(args),
        () -> proceed(invocation), () -> invokeFallback(fallback, target, args));
  }

  private Guard guard(boolean fallingBack) {
    Guard g = fallingBack ? fallingBackGuard : guard;
    if (g == null) {
      g = core.getObject().guard(fallingBack);
      if (fallingBack) {
        fallingBackGuard = g;
      } else {
        guard = g;
      }
    }
    return g;
  }

  /** The method's EvaluationContext argument, else OpenFeature's global context with its transaction context. */
  private static EvaluationContext context(Object[] args) {
    for (Object arg : args) {
      if (arg instanceof EvaluationContext ctx) {
        return ctx;
      }
    }
    OpenFeatureAPI api = OpenFeatureAPI.getInstance();
    EvaluationContext global = api.getEvaluationContext();
    EvaluationContext transaction = api.getTransactionContextPropagator().getTransactionContext();
    if (global == null) {
      return transaction == null ? new ImmutableContext() : transaction;
    }
    return transaction == null ? global : global.merge(transaction);
  }

  private static Object proceed(MethodInvocation invocation) throws Exception {
    try {
      return invocation.proceed();
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new UndeclaredThrowableException(t);
    }
  }

  private static Object invokeFallback(Method fallback, Object target, Object[] args) throws Exception {
    try {
      return fallback.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new UndeclaredThrowableException(cause);
    }
  }
}
