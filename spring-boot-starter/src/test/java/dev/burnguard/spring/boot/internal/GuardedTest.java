package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.spring.boot.Guarded;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GuardedTest {
  /** A bean with a guarded method and its control. */
  public static class Pricing {
    private volatile boolean newPriceFails;

    /** Through the proxy to the bean (a field set on the proxy would not reach it). */
    public void failNewPrice(boolean fails) {
      newPriceFails = fails;
    }

    @Guarded(flag = "new-pricing", fallback = "oldPrice")
    public String newPrice(EvaluationContext ctx, int cents) {
      if (newPriceFails) {
        throw new IllegalStateException("new pricing failed");
      }
      return "new:" + cents;
    }

    public String oldPrice(EvaluationContext ctx, int cents) {
      return "old:" + cents;
    }

    @Guarded(flag = "new-pricing", fallback = "oldPrice", fallbackOnError = true)
    public String newPriceOrOld(EvaluationContext ctx, int cents) {
      throw new IllegalStateException("new pricing failed");
    }
  }

  /** A guarded method whose fallback does not exist. */
  public static class Misconfigured {
    @Guarded(flag = "new-pricing", fallback = "nowhere")
    public String price(int cents) {
      return "new";
    }
  }

  private static EvaluationContext user(String name) {
    return new ImmutableContext(Map.of("user", new Value(name)));
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, BurnguardAutoConfiguration.class))
        .withPropertyValues("burnguard.flags.classpath=guarded-flags.json", "burnguard.state.in-memory=true",
            "burnguard.domain=guarded-test");
  }

  private static long[] counts(BurnguardProvider provider, String variant) {
    var c = provider.outcomes().counts("new-pricing", variant, Duration.ofMinutes(5));
    return new long[] {c.calls(), c.errors()};
  }

  @Test
  void theFlagPicksTheMethodAndTheOutcomeIsRecordedAgainstTheVariantServed() {
    runner().withBean(Pricing.class).run(ctx -> {
      Pricing pricing = ctx.getBean(Pricing.class);
      BurnguardProvider provider = ctx.getBean(BurnguardProvider.class);
      assertThat(AopUtils.isAopProxy(pricing)).isTrue();
      assertThat(pricing.newPrice(user("alice"), 100)).isEqualTo("new:100");
      assertThat(pricing.newPrice(user("bob"), 100)).isEqualTo("old:100");
      assertThat(pricing.newPrice(user("bob"), 200)).isEqualTo("old:200");
      assertThat(counts(provider, "on")).containsExactly(1, 0);
      assertThat(counts(provider, "off")).containsExactly(2, 0);

      pricing.failNewPrice(true);
      assertThatThrownBy(() -> pricing.newPrice(user("alice"), 100)).isInstanceOf(IllegalStateException.class)
          .hasMessage("new pricing failed");
      assertThat(counts(provider, "on")).containsExactly(2, 1);

      assertThat(pricing.newPriceOrOld(user("alice"), 300)).isEqualTo("old:300");
      assertThat(counts(provider, "on")).containsExactly(3, 2);
      assertThat(counts(provider, "off")).containsExactly(2, 0); // the fallback's run is not the control's traffic
    });
  }

  @Test
  void aMissingFallbackFailsStartupNamingTheMethod() {
    runner().withBean(Misconfigured.class).run(ctx -> assertThat(ctx.getStartupFailure())
        .hasStackTraceContaining("@Guarded(flag = \"new-pricing\", fallback = \"nowhere\") on "
            + Misconfigured.class.getName() + ".price(int)")
        .hasStackTraceContaining("has no method nowhere"));
  }
}
