/** The SLI recorder's per-series data structure. Internal, not for public use. */
package dev.burnguard.internal.sli;
