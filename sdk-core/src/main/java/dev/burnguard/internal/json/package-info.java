/** A small strict JSON reader and writer for flag files. Internal, not for public use. */
package dev.burnguard.internal.json;
