package dev.backend.reference.users;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.UUID;

/**
 * A user as stored and as sent: {@code {"id", "email", "name", "created_at"}}, the timestamp in RFC 3339.
 *
 * @param id the random id given at creation
 * @param email the address, trimmed, as first written (compared case-insensitively)
 * @param name the display name, trimmed
 * @param createdAt when the row was inserted, in UTC
 */
record User(UUID id, String email, String name, @JsonProperty("created_at") OffsetDateTime createdAt) {

    public User {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
