/**
 * The reference service: the users API ({@link dev.backend.reference.users.UsersApi}) over the {@code users}
 * table that {@code dev/backend/reference/migrations/V1__create_users.sql} creates.
 *
 * {@snippet :
 * Router app = Router.create().nest("/api/v1", UsersApi.routes(dataSource));
 * }
 */
package dev.backend.reference.users;
