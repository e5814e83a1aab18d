package dev.backend.examples.notes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.backend.core.AppError;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A small notes API: {@code POST /notes}, {@code GET /notes} (the 100 newest), {@code GET /notes/{id}},
 * {@code DELETE /notes/{id}}. Handlers are plain methods; SQL is inline because there are four statements.
 */
public final class NotesApi {

    /** A stored note. */
    record Note(UUID id, String title, String body, @JsonProperty("created_at") OffsetDateTime createdAt) {}

    /** What a client sends to create a note. */
    record NewNote(String title, String body) {}

    private final DataSource dataSource;

    private NotesApi(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The notes routes on {@code dataSource}. */
    public static Router routes(DataSource dataSource) {
        NotesApi api = new NotesApi(dataSource);
        return Router.create()
                .post("/notes", api::create)
                .get("/notes", api::list)
                .get("/notes/{id}", api::find)
                .delete("/notes/{id}", api::delete);
    }

    private Response create(Request request) throws SQLException {
        NewNote input = request.json(NewNote.class);
        String title = input.title().strip();
        if (title.isEmpty() || title.length() > 200) {
            return AppError.validation("title must be 1 to 200 characters").toResponse();
        }
        UUID id = UUID.randomUUID();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO notes (id, title, body) VALUES (?, ?, ?) RETURNING created_at")) {
            insert.setObject(1, id);
            insert.setString(2, title);
            insert.setString(3, input.body());
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                Note note = new Note(id, title, input.body(), rs.getObject(1, OffsetDateTime.class));
                // The path as the client sent it: this router does not know where it is nested (/api here).
                return Response.json(201, note).withHeader("Location", request.path() + "/" + id);
            }
        }
    }

    private Response list(Request request) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT id, title, body, created_at FROM notes ORDER BY created_at DESC, id LIMIT 100");
                ResultSet rs = select.executeQuery()) {
            List<Note> notes = new ArrayList<>();
            while (rs.next()) {
                notes.add(note(rs));
            }
            return Response.json(notes);
        }
    }

    private Response find(Request request) throws SQLException {
        UUID id = request.pathUuid("id");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT id, title, body, created_at FROM notes WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Response.json(note(rs)) : AppError.notFound("Note " + id + " not found").toResponse();
            }
        }
    }

    private Response delete(Request request) throws SQLException {
        UUID id = request.pathUuid("id");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement("DELETE FROM notes WHERE id = ?")) {
            delete.setObject(1, id);
            return delete.executeUpdate() > 0 ? Response.noContent() : AppError.notFound("Note " + id + " not found").toResponse();
        }
    }

    private static Note note(ResultSet rs) throws SQLException {
        return new Note(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class));
    }
}
