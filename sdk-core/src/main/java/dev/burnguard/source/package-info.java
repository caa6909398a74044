/** Where flags come from: files with hot reload, HTTP, the classpath, strings and code. */
package dev.burnguard.source;
