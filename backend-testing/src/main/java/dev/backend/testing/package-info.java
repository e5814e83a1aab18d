/**
 * Tests against a real PostgreSQL: {@link dev.backend.testing.TestDatabase} gives each test class its own
 * database on an embedded server, a Testcontainers container or an external server, optionally migrated
 * once and reset to the migrated data before each test method.
 *
 * {@snippet :
 * @RegisterExtension
 * static final TestDatabase DB = new TestDatabase()
 *         .withMigrations(dataSource -> Migrator.create(dataSource, MIGRATIONS, Config.defaults().migrations()).migrate())
 *         .withResetBeforeEachTest();
 * }
 */
package dev.backend.testing;
