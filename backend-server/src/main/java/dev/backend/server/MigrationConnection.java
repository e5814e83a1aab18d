package dev.backend.server;

import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Where migrations connect: {@code MIGRATION_DATABASE_URL} when set, else the server's own database, through a
 * data source that opens a new connection on every call and really closes it, never the pool. A migration may
 * leave session state behind ({@code SET search_path}, {@code SET standard_conforming_strings}, a temporary
 * table); on a connection of its own that state ends with the run instead of reaching requests.
 */
final class MigrationConnection {

    private MigrationConnection() {}

    /**
     * The data source, once a first connection through it has worked.
     *
     * @throws IllegalStateException naming the masked URL when PostgreSQL cannot be reached there
     */
    static DataSource open(Config config, DatabaseUrl serverUrl) {
        DatabaseUrl url = config.migrations().url().orElse(serverUrl);
        Properties defaults = new Properties();
        defaults.setProperty("ApplicationName", "backend-server migrations");
        // As the pool's (ConnectionPool): each host's attempt bounded by ACQUIRE_TIMEOUT, so a server that accepts
        // and never answers fails the start, or passes it to the next host, instead of holding it. Once logged in,
        // no bound on reads: a migration's statements may take as long as they need.
        DataSource dataSource = ConnectAttempts.to(url, ConnectionPool.connectSeconds(config.database()), 0, defaults);
        try {
            dataSource.getConnection().close();
            return dataSource;
        } catch (SQLException e) {
            String variable = config.migrations().url().isPresent() ? " (MIGRATION_DATABASE_URL)" : "";
            throw ConnectFailure.of(url, variable, e);
        }
    }
}
