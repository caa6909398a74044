/**
 * Spring Boot integration of Burnguard: {@link dev.burnguard.spring.boot.BurnguardProperties} (the
 * {@code burnguard.*} settings) and the extension points an application may declare as beans. The
 * auto-configuration itself lives in {@code dev.burnguard.spring.boot.internal}: internal, not for
 * public use.
 */
package dev.burnguard.spring.boot;
