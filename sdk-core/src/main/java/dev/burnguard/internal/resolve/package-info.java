/** Flag resolution with results prepared at load time. Internal, not for public use. */
package dev.burnguard.internal.resolve;
