/**
 * Internal, not for public use: the auto-configuration of the Burnguard Spring Boot starter. Its
 * classes are public only where Spring requires it and may change in any release.
 */
package dev.burnguard.spring.boot.internal;
