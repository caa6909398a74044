/** Where flags come from: files with hot reload, HTTP, the classpath, strings and code. */
@NullMarked
package dev.burnguard.source;

import org.jspecify.annotations.NullMarked;
