package dev.backend.reference.users;

import dev.backend.core.AppError;
import dev.backend.core.Result;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The {@code users} table, through prepared statements with bound parameters only.
 *
 * <p>Expected outcomes are values: a duplicate email is {@code Err(Conflict)}, an absent user an empty
 * {@code Optional} or {@code Err(NotFound)}. Anything else (the database down, a bug in SQL) is thrown as
 * {@link SQLException} and becomes a logged 500, or 503 when the pool had no connection to give.
 */
final class UserRepository {

    /** PostgreSQL's {@code unique_violation}. */
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "id, email, name, created_at";

    private final DataSource dataSource;

    /** A repository on {@code dataSource}, whose schema {@code dev/backend/reference/migrations/V1__create_users.sql} creates. */
    UserRepository(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Inserts a user with a new random id; {@code Err(Conflict)} when the email is taken. */
    Result<User> create(UserInput input) throws SQLException {
        UUID id = UUID.randomUUID();
        String sql = "INSERT INTO users (id, email, name) VALUES (?, ?, ?) RETURNING created_at";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, id);
            statement.setString(2, input.email());
            statement.setString(3, input.name());
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return Result.ok(new User(id, input.email(), input.name(), rs.getObject(1, OffsetDateTime.class)));
            }
        } catch (SQLException e) {
            return conflictOrThrow(e, input);
        }
    }

    /** The user with this id, if any. */
    Optional<User> find(UUID id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT " + COLUMNS + " FROM users WHERE id = ?")) {
            statement.setObject(1, id);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(user(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Up to {@code limit} users, newest first (ties by id), starting after {@code after} when given. The
     * row comparison walks the {@code (created_at DESC, id DESC)} index, so every page costs the same.
     */
    List<User> list(int limit, Optional<Cursor> after) throws SQLException {
        String sql = after.isPresent()
                ? "SELECT " + COLUMNS + " FROM users WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?"
                : "SELECT " + COLUMNS + " FROM users ORDER BY created_at DESC, id DESC LIMIT ?";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            if (after.isPresent()) {
                statement.setObject(index++, after.get().createdAt());
                statement.setObject(index++, after.get().id());
            }
            statement.setInt(index, limit);
            List<User> users = new ArrayList<>(Math.min(limit, 64));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    users.add(user(rs));
                }
            }
            return users;
        }
    }

    /** Replaces email and name; {@code Err(NotFound)} when absent, {@code Err(Conflict)} when the email is taken. */
    Result<User> replace(UUID id, UserInput input) throws SQLException {
        String sql = "UPDATE users SET email = ?, name = ? WHERE id = ? RETURNING created_at";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, input.email());
            statement.setString(2, input.name());
            statement.setObject(3, id);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next()
                        ? Result.ok(new User(id, input.email(), input.name(), rs.getObject(1, OffsetDateTime.class)))
                        : Result.err(notFound(id));
            }
        } catch (SQLException e) {
            return conflictOrThrow(e, input);
        }
    }

    /** Deletes the user; false when there was none. */
    boolean delete(UUID id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("DELETE FROM users WHERE id = ?")) {
            statement.setObject(1, id);
            return statement.executeUpdate() > 0;
        }
    }

    /** The error for a missing user, in the seed's words. */
    static AppError notFound(UUID id) {
        return AppError.notFound("User " + id + " not found");
    }

    private static Result<User> conflictOrThrow(SQLException e, UserInput input) throws SQLException {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            return Result.err(AppError.conflict("A user with email " + input.email() + " already exists"));
        }
        throw e;
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                rs.getObject(4, OffsetDateTime.class));
    }
}
