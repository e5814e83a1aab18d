package dev.backend.server.migration;

import java.nio.file.Path;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A separate JVM's migration run, started by {@link ConcurrentMigrationTest}: {@code jdbcUrl user password
 * schema directory}. Prints {@code applied=N} and exits 0, or prints the error and exits 1.
 */
public final class MigrateProcess {

    private MigrateProcess() {}

    public static void main(String[] args) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setUser(args[1]);
        dataSource.setPassword(args[2]);
        dataSource.setCurrentSchema(args[3]);
        dataSource.setApplicationName("migrate-process");
        try {
            int applied = Migrator.create(dataSource, MigrationSource.directory(Path.of(args[4])), Fixtures.SETTINGS)
                    .migrate();
            System.out.println("applied=" + applied);
        } catch (MigrationException e) {
            System.out.println("failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
