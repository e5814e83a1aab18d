/**
 * Extension points that other modules implement and backend-server finds through {@link
 * java.util.ServiceLoader}; applications do not call these types.
 *
 * <p>{@link dev.backend.server.spi.EmbeddedDatabaseProvider} is how the opt-in {@code
 * backend-embedded-postgres} module supplies the development database, registered as a service in its jar:
 *
 * {@snippet :
 * // META-INF/services/dev.backend.server.spi.EmbeddedDatabaseProvider (class path and automatic module)
 * dev.backend.embedded.EmbeddedPostgresProvider
 * }
 */
package dev.backend.server.spi;
