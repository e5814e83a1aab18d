package dev.backend.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.ValueSource;

class TestDatabaseUrlTest {

    private static String refusal(String url) {
        return assertThrows(IllegalArgumentException.class, () -> PostgresServer.External.parse(url)).getMessage();
    }

    /** backend-server's DatabaseUrlTest reads the same cases: TEST_DATABASE_URL is read as DATABASE_URL. */
    @ParameterizedTest
    @CsvFileSource(files = "../backend-server/src/test/resources/dev/backend/server/database-url-cases.tsv",
            delimiter = '\t')
    void readsTheCasesDatabaseUrlSharesByLibpqsRules(String url, String part, String expected) {
        switch (part) {
            case "user" -> assertEquals(expected, PostgresServer.External.parse(url).user());
            case "password" -> assertEquals(expected, PostgresServer.External.parse(url).password());
            case "refused" -> {
                String message = refusal(url);
                assertTrue(message.startsWith("TEST_DATABASE_URL is not valid: " + expected), message);
                assertFalse(message.contains("Zq9"), message);
            }
            default -> throw new IllegalArgumentException("unknown part " + part);
        }
    }

    @Test
    void readsTheDocumentedFormsWithTheirDefaults() {
        assertEquals(new PostgresServer.External("db", 5433, "app", "secret", "postgres"),
                PostgresServer.External.parse(" postgres://app:secret@db:5433/postgres "));
        assertEquals(new PostgresServer.External("db", 5432, "postgres", "", "postgres"),
                PostgresServer.External.parse("postgresql://db"));
        assertEquals(new PostgresServer.External("db", 5432, "app", "secret", "admin"),
                PostgresServer.External.parse("jdbc:postgresql://db/admin?user=app&password=secret"));
        assertEquals(new PostgresServer.External("[::1]", 5432, "app", "", "my/db"),
                PostgresServer.External.parse("postgres://app@[::1]:5432/my%2Fdb"));
    }

    @Test
    void acceptsAHostNameWithAnUnderscoreAsTheServerDoes() {
        // java.net.URI found no host in pg_primary (a docker compose service name) and refused the URL.
        assertEquals("pg_primary", PostgresServer.External.parse("postgres://app:secret@pg_primary:5432/app").host());
    }

    @Test
    void takesHostPortAndDatabaseFromALibpqQueryAsTheServerDoes() {
        assertEquals(new PostgresServer.External("db", 5433, "app", "", "admin"),
                PostgresServer.External.parse("postgres:///admin?host=db&port=5433&user=app"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"host=db user=app password=Zq9", "mysql://app:Zq9@db/app", "postgres://app:Zq9@h1,h2/app",
            "postgres://app:Zq9@/app", "postgres://app:Zq9@db:0/app", "postgres://app:Zq9@db:+5432/app"})
    void refusesWhatItCannotConnectToSayingWhyWithoutThePassword(String url) {
        String message = refusal(url);
        assertTrue(message.startsWith("TEST_DATABASE_URL is not valid: "), message);
        assertFalse(message.contains("Zq9"), message);
    }

    @Test
    void refusesWithoutACauseThatCouldQuoteThePassword() {
        // URI.create's exception, attached as the cause, quoted the whole URL, password included.
        assertNull(assertThrows(IllegalArgumentException.class,
                () -> PostgresServer.External.parse("postgres://app:Zq9 %zz@db/app")).getCause());
    }
}
