package dev.backend.server;

import dev.backend.server.migration.MigrationException;
import dev.backend.server.migration.MigrationSource;
import dev.backend.server.migration.MigrationStatus;
import dev.backend.server.migration.Migrator;
import dev.backend.server.spi.EmbeddedDatabase;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code migrate}, {@code info} and {@code validate} commands, for an application's own {@code main}
 * (the reference service offers them as {@code java -jar reference-service.jar migrate}). They reach the
 * database exactly as {@link BackendServer} does (the embedded development database when there is no {@code
 * DATABASE_URL} and backend-embedded-postgres is present) but never bind the HTTP port. Results go to
 * {@code out}, failures to {@code err} as one message.
 *
 * {@snippet :
 * Optional<MigrationCommand> command = MigrationCommand.named(args[0]);
 * int exitCode = command.orElseThrow().run(Config.fromEnvironment(System.getenv()),
 *         MigrationSource.classpath("com/example/app/migrations"), System.out, System.err);
 * }
 */
public enum MigrationCommand {
    /** Applies pending migrations and prints how many. */
    MIGRATE,
    /** Prints every migration with its state (applied, pending, out-of-order, changed, missing, failed, incomplete). */
    INFO,
    /** Checks the files against the database; any problem is a failure, for CI. */
    VALIDATE;

    /**
     * {@return the command called {@code name}, if any}
     *
     * @param name as typed on a command line: {@code migrate}, {@code info} or {@code validate}
     */
    public static Optional<MigrationCommand> named(String name) {
        return Arrays.stream(values()).filter(command -> command.verb().equals(name)).findFirst();
    }

    /** {@return the command's name on a command line: {@code migrate}, {@code info} or {@code validate}} */
    public String verb() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Runs the command on {@code MIGRATIONS_DIR} when set, else on {@code named}.
     *
     * @param config the configuration, as {@code serve} would use it
     * @param named the application's migrations
     * @param out where results go
     * @param err where failures go, one message each
     * @return the exit code: 0 when all is well, 1 on any problem (including a database that cannot be
     *     reached); with no database to use at all, {@link ConfigException#EXIT_CODE}
     */
    public int run(Config config, MigrationSource named, PrintStream out, PrintStream err) {
        LogSettings.apply(config.log());
        MigrationSource source = source(config.migrations(), Optional.of(named)).orElseThrow();
        EmbeddedDatabase embedded = null;
        try {
            DatabaseUrl url;
            if (config.database().url().isPresent()) {
                url = config.database().url().get();
            } else {
                embedded = DevelopmentDatabase.provider().start(config.database().embeddedDirectory());
                url = DevelopmentDatabase.url(embedded);
            }
            Migrator migrator = Migrator.create(MigrationConnection.open(config, url), source, config.migrations());
            String target = config.migrations().url().orElse(url).masked();
            return switch (this) {
                case MIGRATE -> {
                    int applied = migrator.migrate();
                    out.println("Applied " + applied + " migration(s) from " + source + " to " + target + "; now "
                            + migrator.status().summary());
                    yield 0;
                }
                case INFO -> {
                    out.print(migrator.status().table());
                    yield 0;
                }
                case VALIDATE -> validate(migrator.status(), out, err);
            };
        } catch (ConfigException e) {
            err.println(verb() + " failed: " + e.getMessage());
            return ConfigException.EXIT_CODE;
        } catch (MigrationException | IllegalStateException e) {
            err.println(verb() + " failed: " + e.getMessage());
            return 1;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** {@code MIGRATIONS_DIR} when set, else the location the application named, if any. */
    static Optional<MigrationSource> source(Config.Migrations settings, Optional<MigrationSource> named) {
        return settings.directory().map(MigrationSource::directory).or(() -> named);
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
