/**
 * Versioned SQL migrations for PostgreSQL: {@link dev.backend.server.migration.Migrator} applies files named
 * {@code V<version>__<description>.sql} from a {@link dev.backend.server.migration.MigrationSource} once each,
 * in version order, under an advisory lock, recording them with checksums in {@code schema_migrations}.
 * {@code BackendServer} runs it on start; {@code MigrationCommand} offers it to an application's main as
 * {@code migrate}, {@code info} and {@code validate}.
 */
package dev.backend.server.migration;
