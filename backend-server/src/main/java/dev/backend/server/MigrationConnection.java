package dev.backend.server;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

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
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url.jdbcUrl());
        if (!url.jdbcUrl().contains("ApplicationName=")) {
            dataSource.setApplicationName("backend-server migrations");
        }
        // As the pool's (ConnectionPool): connectTimeout bounds the TCP connect, loginTimeout the whole attempt, so a
        // server that accepts and never answers fails the start instead of holding it. No socketTimeout: a
        // migration's statements may take as long as they need.
        int connectSeconds = ConnectionPool.connectSeconds(config.database());
        if (!url.jdbcUrl().contains("connectTimeout=")) {
            dataSource.setConnectTimeout(connectSeconds);
        }
        if (!url.jdbcUrl().contains("loginTimeout=")) {
            dataSource.setLoginTimeout(connectSeconds);
        }
        url.user().ifPresent(dataSource::setUser);
        url.password().ifPresent(dataSource::setPassword);
        try {
            dataSource.getConnection().close();
            return dataSource;
        } catch (SQLException e) {
            String variable = config.migrations().url().isPresent() ? " (MIGRATION_DATABASE_URL)" : "";
            throw ConnectFailure.of(url, variable, e);
        }
    }
}
