/** The Burnguard sample service. */
package dev.burnguard.sample;
