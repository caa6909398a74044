package dev.burnguard.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burnguard.BurnguardProvider;
import dev.burnguard.source.FlagSource.FlagSink;
import dev.burnguard.source.FlagSource;
import dev.openfeature.sdk.ImmutableContext;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flag-file gauges: flags kept at their last good definition, and flags that resolve with PARSE_ERROR. */
class FlagLoadMetricsTest {
  private static final String GOOD = "{\"flags\": {"
      + "\"checkout\": {\"state\": \"ENABLED\", \"variants\": {\"new\": true, \"old\": false}, \"defaultVariant\": \"old\"},"
      + "\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"hello\", \"b\": \"hi\"}, \"defaultVariant\": \"a\"},"
      + "\"born-broken\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1, \"y\": \"2\"}, \"defaultVariant\": \"x\"}}}";
  /** banner and checkout broken: two flags kept at their last good definition. */
  private static final String TWO_BROKEN = GOOD.replace("\"defaultVariant\": \"a\"", "\"defaultVariant\": \"c\"")
      .replace("\"defaultVariant\": \"old\"", "\"defaultVariant\": \"older\"");

  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build()).build();
  private BurnguardProvider provider;
  private BurnguardTelemetry telemetry;

  @AfterEach
  void stop() {
    telemetry.close();
    provider.shutdown();
    otel.close();
  }

  @Test
  void theGaugesCountFlagsAtTheirLastGoodDefinitionAndInvalidFlagsAndClearWhenFixed() throws Exception {
    Pushed source = new Pushed();
    provider = BurnguardProvider.builder().source(source).guardianTicking(false).build();
    provider.initialize(new ImmutableContext());
    telemetry = BurnguardTelemetry.install(otel, provider);

    Map<String, MetricData> all = collect();
    assertThat(all.get("burnguard.flags.last_known_good").getUnit()).isEqualTo("{flag}");
    assertThat(value(all, "burnguard.flags.last_known_good")).isZero();
    assertThat(value(all, "burnguard.flags.invalid")).isEqualTo(1); // born-broken: nothing good to keep

    source.push(TWO_BROKEN);
    all = collect();
    assertThat(value(all, "burnguard.flags.last_known_good")).isEqualTo(2);
    assertThat(value(all, "burnguard.flags.invalid")).isEqualTo(1);

    source.push(GOOD.replace("\"y\": \"2\"", "\"y\": 2"));
    all = collect();
    assertThat(value(all, "burnguard.flags.last_known_good")).isZero();
    assertThat(value(all, "burnguard.flags.invalid")).isZero();

    telemetry.close();
    assertThat(collect()).doesNotContainKey("burnguard.flags.last_known_good");
  }

  private Map<String, MetricData> collect() {
    return metrics.collectAllMetrics().stream().collect(Collectors.toMap(MetricData::getName, Function.identity()));
  }

  private static long value(Map<String, MetricData> all, String name) {
    assertThat(all).containsKey(name);
    return ((LongPointData) all.get(name).getData().getPoints().iterator().next()).getValue();
  }

  private static final class Pushed implements FlagSource {
    private volatile FlagSink sink;

    @Override
    public String describe() {
      return "pushed.json";
    }

    @Override
    public void start(FlagSink sink) {
      this.sink = sink;
      sink.content(GOOD, "pushed.json");
    }

    void push(String json) {
      sink.content(json, "pushed.json");
    }

    @Override
    public void close() {}
  }
}
