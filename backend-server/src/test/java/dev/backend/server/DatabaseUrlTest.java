package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    @Test
    void readsThePostgresUriFormWithCredentialsAndParameters() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:s3cret@db.example.com:6432/users?sslmode=require");
        assertEquals("jdbc:postgresql://db.example.com:6432/users?sslmode=require", url.jdbcUrl());
        assertEquals(Optional.of("app"), url.user());
        assertEquals(Optional.of("s3cret"), url.password());
    }

    @Test
    void readsThePostgresqlSchemeAndADefaultPort() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app@localhost/users");
        assertEquals("jdbc:postgresql://localhost/users", url.jdbcUrl());
        assertEquals(Optional.of("app"), url.user());
        assertEquals(Optional.empty(), url.password());
    }

    @Test
    void readsTheJdbcFormTakingCredentialsOutOfTheQuery() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://localhost:5432/users?user=app&password=p%26w&ssl=true");
        assertEquals("jdbc:postgresql://localhost:5432/users?ssl=true", url.jdbcUrl());
        assertEquals(Optional.of("app"), url.user());
        assertEquals(Optional.of("p&w"), url.password());
    }

    @Test
    void decodesPercentEncodedSpecialCharactersAndKeepsPlusLiteral() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://us%40er:p%40ss%3Aw%2Fo%23rd+x@host:5432/db");
        assertEquals(Optional.of("us@er"), url.user());
        assertEquals(Optional.of("p@ss:w/o#rd+x"), url.password());
    }

    @Test
    void acceptsIpv6HostsAndSchemesInAnyCase() {
        assertEquals("jdbc:postgresql://[::1]:5432/db", DatabaseUrl.parse(" POSTGRES://[::1]:5432/db ").jdbcUrl());
    }

    @Test
    void masksThePasswordAndPasswordLikeParameters() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:s3cret@host:5432/db?sslmode=require&sslpassword=k3y");
        assertEquals("postgres://app:***@host:5432/db?sslmode=require&sslpassword=***", url.masked());
        assertEquals(url.masked(), url.toString());
        assertFalse(url.toString().contains("s3cret"));
        assertEquals("postgres://:***@host/db", DatabaseUrl.parse("jdbc:postgresql://host/db?password=x").masked());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "postgres://app:Zq9@x@host:5432/db",       // unencoded @
            "postgres://app:Zq9#x@host:5432/db",       // unencoded #
            "postgres://app:Zq9 x@host:5432/db",       // space
            "postgres://app:Zq9%zzx@host:5432/db",     // broken escape
            "postgres://app:Zq9/x@host:5432/db",       // unencoded /
            "postgres://app:Zq9?x@host:5432/db",       // unencoded ?
    })
    void rejectsUnencodedSpecialCharactersWithoutEchoingThePassword(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(value));
        assertFalse(e.getMessage().contains("Zq9"), e.getMessage());
        assertTrue(e.getMessage().contains("percent-encode"), e.getMessage());
    }

    @Test
    void namesWhatIsMissing() {
        assertEquals("the URL names no database (add /database after the host)",
                assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("postgres://host:5432")).getMessage());
        assertEquals("the URL names no database (add /database after the host)",
                assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("postgres://host:5432/")).getMessage());
        assertEquals("the port must be from 1 to 65535",
                assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("postgres://host:70000/db")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("mysql://host/db"))
                .getMessage().startsWith("expected postgres://"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("postgres:///db"))
                .getMessage().startsWith("the URL has no host"));
    }

    @Test
    void refusesAJdbcUrlForAnotherDatabaseWhenBuiltInCode() {
        assertThrows(IllegalArgumentException.class,
                () -> new DatabaseUrl("jdbc:mysql://host/db", Optional.empty(), Optional.empty()));
    }
}
