package dev.burnguard.conformance;

import static io.cucumber.junit.platform.engine.Constants.FILTER_TAGS_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.JUNIT_PLATFORM_NAMING_STRATEGY_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.JUNIT_PLATFORM_LONG_NAMING_STRATEGY_EXAMPLE_NAME_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PUBLISH_QUIET_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.Select;
import org.junit.platform.suite.api.Suite;
import org.junit.platform.suite.api.SuiteDisplayName;

/**
 * The flagd evaluator test kit (flagd-testbed's {@code evaluator} features and flag file), run in
 * place from the shared conformance data against {@link dev.burnguard.BurnguardProvider} through the
 * OpenFeature SDK. Every scenario runs except {@code @fractional-v1}: Burnguard implements flagd's
 * current integer bucketing ({@code @fractional-v2}), not the legacy float bucketing.
 *
 * <p>The feature directory is found at run time (see {@link ConformanceKit}); if it is missing the
 * suite runs nothing and says so in one line, or fails when {@code BURNGUARD_CONFORMANCE_REQUIRED=true}
 * (CI sets it, and {@code .ci/run} checks that all 125 scenarios ran). A fresh clone relies on the
 * evaluator's own tests in {@code dev.burnguard.internal.eval}.
 */
@Suite(failIfNoTests = false)
@SuiteDisplayName("flagd evaluator conformance")
@IncludeEngines("cucumber")
@Select(ConformanceSelectorParser.PREFIX + ":flagd-evaluator/gherkin")
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "dev.burnguard.conformance")
@ConfigurationParameter(key = FILTER_TAGS_PROPERTY_NAME, value = "not @fractional-v1")
@ConfigurationParameter(key = JUNIT_PLATFORM_NAMING_STRATEGY_PROPERTY_NAME, value = "long")
@ConfigurationParameter(key = JUNIT_PLATFORM_LONG_NAMING_STRATEGY_EXAMPLE_NAME_PROPERTY_NAME, value = "number")
@ConfigurationParameter(key = PLUGIN_PUBLISH_QUIET_PROPERTY_NAME, value = "true")
public class FlagdEvaluatorConformanceTest {}
