package dev.backend.examples.docs;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The handlers and routes docs/pipeline.md shows, over a store in memory so that they compile and run alone. */
final class UsersExample {

    record User(UUID id, String email, String name) {}

    /** Stands in for the repository a service would have. */
    static final class Users {
        private final Map<UUID, User> byId = new ConcurrentHashMap<>();

        User insert(String email, String name) {
            User user = new User(UUID.randomUUID(), email, name);
            byId.put(user.id(), user);
            return user;
        }

        Optional<User> find(UUID id) {
            return Optional.ofNullable(byId.get(id));
        }

        List<User> all() {
            return List.copyOf(byId.values());
        }
    }

    static final Users users = new Users();

    private UsersExample() {}

    // tag::handler[]
    record CreateUser(String email, String name) {}

    static Response create(Request request) {
        CreateUser input = request.json(CreateUser.class);          // 400, 415 or 422 when it cannot be read
        User user = users.insert(input.email(), input.name());
        return Response.json(201, user).withHeader("Location", request.path() + "/" + user.id());
    }

    static Response find(Request request) {
        UUID id = request.pathUuid("id");                           // a malformed id answers 400
        return users.find(id)
                .map(Response::json)
                .orElseGet(() -> AppError.notFound("User " + id + " not found").toResponse());
    }
    // end::handler[]

    static Response list(Request request) {
        return Response.json(users.all());
    }

    static Handler app() {
        // tag::routing[]
        Router api = Router.create()
                .get("/users", UsersExample::list)
                .post("/users", UsersExample::create)
                .get("/users/{id}", UsersExample::find);
        Handler app = Router.create()
                .get("/status", request -> Response.text("ok"))
                .nest("/api/v1", api)
                .build();
        // end::routing[]
        return app;
    }
}
