package dev.backend.reference.users;

import dev.backend.core.AppError;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The reference service's HTTP side: the users API, to be nested under {@code /api/v1}. JSON in and out,
 * errors as {@code {"error": "..."}}; the SQL lives in {@code UserRepository}.
 *
 * <ul>
 *   <li>{@code POST /users} {@code {"email","name"}}: 201 with the user and a {@code Location}; 400 naming
 *       a bad field, 409 for an email already taken (case-insensitively).
 *   <li>{@code GET /users/{id}}: 200, 404, or 400 for a malformed UUID.
 *   <li>{@code GET /users?limit=&cursor=}: a JSON array, newest first, at most {@code limit} (default
 *       {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}); when more remain, a {@code Link: <...>;
 *       rel="next"} header carries the next page's URL with its cursor.
 *   <li>{@code PUT /users/{id}}: replaces email and name, same rules as create; 404 if absent.
 *   <li>{@code DELETE /users/{id}}: 204, or 404 if absent.
 * </ul>
 *
 * {@snippet :
 * BackendServer.builder()
 *         .routes(dataSource -> Router.create().nest("/api/v1", UsersApi.routes(dataSource)))
 *         .start();
 * }
 */
public final class UsersApi {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private final UserRepository users;

    private UsersApi(UserRepository users) {
        this.users = users;
    }

    /** The users routes on {@code dataSource}, relative to where they are nested. */
    public static Router routes(DataSource dataSource) {
        UsersApi api = new UsersApi(new UserRepository(dataSource));
        return Router.create()
                .post("/users", api::create)
                .get("/users", api::list)
                .get("/users/{id}", api::find)
                .put("/users/{id}", api::replace)
                .delete("/users/{id}", api::delete);
    }

    private Response create(Request request) throws SQLException {
        UserInput input = request.json(UserInput.class).validate();
        return users.create(input).toResponse(user -> Response.json(201, user)
                .withHeader("Location", request.path() + "/" + user.id()));
    }

    private Response find(Request request) throws SQLException {
        UUID id = request.pathUuid("id");
        return users.find(id)
                .map(Response::json)
                .orElseGet(() -> UserRepository.notFound(id).toResponse());
    }

    private Response list(Request request) throws SQLException {
        int limit = request.queryInt("limit").orElse(DEFAULT_LIMIT);
        if (limit < 1 || limit > MAX_LIMIT) {
            return AppError.validation("Invalid query parameter 'limit': must be from 1 to " + MAX_LIMIT).toResponse();
        }
        Optional<Cursor> after = request.query("cursor").map(Cursor::decode);
        // One row more than asked says whether a next page exists without a second query.
        List<User> page = users.list(limit + 1, after);
        if (page.size() <= limit) {
            return Response.json(page);
        }
        List<User> shown = page.subList(0, limit);
        String next = request.path() + "?limit=" + limit + "&cursor=" + Cursor.after(shown.getLast()).encode();
        return Response.json(shown).withHeader("Link", "<" + next + ">; rel=\"next\"");
    }

    private Response replace(Request request) throws SQLException {
        UUID id = request.pathUuid("id");
        UserInput input = request.json(UserInput.class).validate();
        return users.replace(id, input).toResponse(Response::json);
    }

    private Response delete(Request request) throws SQLException {
        UUID id = request.pathUuid("id");
        return users.delete(id) ? Response.noContent() : UserRepository.notFound(id).toResponse();
    }
}
