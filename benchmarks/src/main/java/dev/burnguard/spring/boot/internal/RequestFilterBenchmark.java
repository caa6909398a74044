package dev.burnguard.spring.boot.internal;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FlagSource;
import dev.burnguard.spring.boot.RequestOutcomeClassifier;
import dev.burnguard.time.Clock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The Spring Boot starter's request filter (issue 17): what it adds to one request, with no guarded
 * flag evaluated and with one. In the package of the starter's internal classes (which are not
 * public) so that it builds the filter and hook exactly as the auto-configuration does, without a
 * Spring context; requests are Spring's mock servlet request and response, reused.
 *
 * <p>Compare {@code filterNoFlag − noFilterNoFlag} (the filter around a request that evaluates no
 * guarded flag: its holder, thread-local and OncePerRequestFilter's attribute) and {@code
 * filterOneGuardedFlag − noFilterOneGuardedFlag} (the same plus noting the flag in the hook and
 * recording the request's outcome). {@code noStarterOneGuardedFlag} is the evaluation with no
 * starter hook at all: {@code noFilterOneGuardedFlag} minus it is what the hook costs outside a
 * request (one thread-local read).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestFilterBenchmark {
  private static final String FLAGS = "{\"flags\": {\"checkout\": {\"state\": \"ENABLED\","
      + " \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"on\","
      + " \"metadata\": {\"burnguard.guarded\": true}}}}";

  private BurnguardProvider provider;
  private BurnguardProvider plainProvider;
  private Client client;
  private Client plainClient;
  private RequestSliFilter filter;
  private final EvaluationContext context = new MutableContext("user-42");
  private final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/checkout");
  private final MockHttpServletResponse response = new MockHttpServletResponse();
  private FilterChain emptyChain;
  private FilterChain evaluatingChain;
  private FilterChain plainEvaluatingChain;

  @Setup
  public void setUp(Blackhole bh) {
    provider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).inMemoryRolloutState().build();
    BurnguardCore core = new BurnguardCore(provider);
    OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
    api.setProviderAndWait(provider);
    api.addHooks(new RequestFlagHook(core));
    client = api.getClient();
    filter = new RequestSliFilter(new RequestSliRecorder(core, Clock.system(), RequestOutcomeClassifier.DEFAULT));

    plainProvider = BurnguardProvider.builder().source(FlagSource.inline(FLAGS)).inMemoryRolloutState().build();
    OpenFeatureAPI plainApi = OpenFeatureAPI.createIsolated();
    plainApi.setProviderAndWait(plainProvider);
    plainClient = plainApi.getClient();

    emptyChain = (req, res) -> {};
    evaluatingChain = (req, res) -> bh.consume(client.getBooleanValue("checkout", false, context));
    plainEvaluatingChain = (req, res) -> bh.consume(plainClient.getBooleanValue("checkout", false, context));
  }

  @TearDown
  public void tearDown() {
    provider.shutdown();
    plainProvider.shutdown();
  }

  @Benchmark
  public void noFilterNoFlag() throws IOException, ServletException {
    emptyChain.doFilter(request, response);
  }

  @Benchmark
  public void filterNoFlag() throws IOException, ServletException {
    filter.doFilter(request, response, emptyChain);
  }

  @Benchmark
  public void noStarterOneGuardedFlag() throws IOException, ServletException {
    plainEvaluatingChain.doFilter(request, response);
  }

  @Benchmark
  public void noFilterOneGuardedFlag() throws IOException, ServletException {
    evaluatingChain.doFilter(request, response);
  }

  @Benchmark
  public void filterOneGuardedFlag() throws IOException, ServletException {
    filter.doFilter(request, response, evaluatingChain);
  }
}
