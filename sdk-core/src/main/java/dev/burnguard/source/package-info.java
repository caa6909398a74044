/**
 * Where flags come from: files with hot reload, HTTP, the classpath, strings and code, behind the
 * {@link dev.burnguard.source.FlagSource} SPI; the first step of the flow, handing flag documents to
 * the provider, which parses them into the flag model. The HTTP source's request transport and its
 * retry and circuit-breaker wiring are package-private parts of {@link dev.burnguard.source.HttpFlagSource}.
 */
@NullMarked
package dev.burnguard.source;

import org.jspecify.annotations.NullMarked;
