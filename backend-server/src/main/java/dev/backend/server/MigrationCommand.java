package dev.backend.server;

import dev.backend.server.migration.MigrationException;
import dev.backend.server.migration.MigrationSource;
import dev.backend.server.migration.MigrationStatus;
import dev.backend.server.migration.Migrator;
import java.io.PrintStream;
import java.util.Optional;

/**
 * The {@code migrate}, {@code info} and {@code validate} verbs: they reach the database exactly as {@code
 * serve} does (embedded PostgreSQL when there is no {@code DATABASE_URL}) but never bind the HTTP port.
 * Results go to standard output, failures to standard error as one message; exit code 0 when all is well,
 * 1 on any problem.
 */
final class MigrationCommand {

    private MigrationCommand() {}

    /** {@code MIGRATIONS_DIR} when set, else the location the application named, if any. */
    static Optional<MigrationSource> source(Config.Migrations settings, Optional<MigrationSource> named) {
        return settings.directory().map(MigrationSource::directory).or(() -> named);
    }

    static int run(String verb, Config config, MigrationSource named, PrintStream out, PrintStream err) {
        MigrationSource source = source(config.migrations(), Optional.of(named)).orElseThrow();
        EmbeddedDatabase embedded = null;
        try {
            DatabaseUrl url;
            if (config.database().url().isPresent()) {
                url = config.database().url().get();
            } else {
                embedded = EmbeddedDatabase.start(config.database().embeddedDirectory());
                url = embedded.url();
            }
            // One connection is all a migration run uses.
            try (ConnectionPool pool = ConnectionPool.open(config.database().withPoolSize(0, 1), url)) {
                Migrator migrator = Migrator.create(pool, source, config.migrations());
                return switch (verb) {
                    case "migrate" -> {
                        int applied = migrator.migrate();
                        out.println("Applied " + applied + " migration(s) from " + source + " to " + url.masked()
                                + "; now " + migrator.status().summary());
                        yield 0;
                    }
                    case "info" -> {
                        out.print(migrator.status().table());
                        yield 0;
                    }
                    case "validate" -> validate(migrator.status(), out, err);
                    default -> throw new IllegalArgumentException("Not a migration verb: " + verb);
                };
            }
        } catch (MigrationException | IllegalStateException e) {
            err.println(verb + " failed: " + e.getMessage());
            return 1;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static int validate(MigrationStatus status, PrintStream out, PrintStream err) {
        if (status.ok()) {
            out.println("Migrations valid: " + status.summary() + " (" + status.source() + ")");
            return 0;
        }
        err.println("Migrations not valid: " + status.summary() + " (" + status.source() + ")");
        for (String problem : status.problems()) {
            err.println("  - " + problem);
        }
        return 1;
    }
}
