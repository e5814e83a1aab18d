/**
 * The reference service: the users API ({@link dev.backend.reference.users}) on backend-server, run by
 * {@link dev.backend.reference.Main} from the runnable {@code reference-service.jar}, with embedded
 * PostgreSQL by default (backend-embedded-postgres), its migrations in {@code dev/backend/reference/migrations}
 * and logback text or JSON logs. Not published: it is an application of the library, and the example an
 * application's own main can follow.
 *
 * {@snippet :
 * BackendServer.builder()
 *         .migrations(MigrationSource.classpath("dev/backend/reference/migrations"))
 *         .routes(dataSource -> Router.create().nest("/api/v1", UsersApi.routes(dataSource)))
 *         .start();
 * }
 */
package dev.backend.reference;
