/**
 * OpenTelemetry integration for Burnguard. Empty until the sdk-otel issue lands; the module exists
 * so that the build, its coordinates and its module name are settled.
 */
package dev.burnguard.otel;
