/** Internal, not for public use: the pieces behind {@code BurnguardTelemetry} and the other public types of the otel package. */
package dev.burnguard.otel.internal;
