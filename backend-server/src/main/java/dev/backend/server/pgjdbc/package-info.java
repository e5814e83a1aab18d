/**
 * What pgJDBC instantiates by name for backend-server's connections; exported to pgJDBC only, not an API.
 */
package dev.backend.server.pgjdbc;
