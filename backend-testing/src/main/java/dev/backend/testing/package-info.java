/**
 * Tests against a real PostgreSQL: {@link dev.backend.testing.TestDatabase} gives each test class its own
 * database on an embedded server, a Testcontainers container or an external server.
 *
 * {@snippet :
 * @RegisterExtension
 * static final TestDatabase DB = new TestDatabase();
 * }
 */
package dev.backend.testing;
