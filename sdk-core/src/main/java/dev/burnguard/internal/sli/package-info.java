/** The SLI recorder's per-series data structure and latency buckets. Internal, not for public use. */
package dev.burnguard.internal.sli;
