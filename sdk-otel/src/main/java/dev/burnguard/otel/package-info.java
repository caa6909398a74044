/**
 * OpenTelemetry integration for Burnguard: {@link dev.burnguard.otel.FlagEvaluationHook} puts flag
 * evaluations on spans with the semantic-convention attributes, {@link
 * dev.burnguard.otel.BurnguardTelemetry#install} adds metrics and decision log records in one line,
 * and {@link dev.burnguard.otel.BurnguardSpanProcessor} (needs the OpenTelemetry SDK) feeds the guard
 * from the spans a service already produces.
 */
package dev.burnguard.otel;
