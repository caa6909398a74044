/** Internal, not for public use: the pieces behind {@link dev.burnguard.otel.BurnguardTelemetry}. */
package dev.burnguard.otel.internal;
