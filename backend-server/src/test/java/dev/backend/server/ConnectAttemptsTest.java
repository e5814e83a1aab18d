package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The login bound a pool reads back from its data source: HikariCP waits that long at shutdown for a connection it
 * is opening, and at 0 gave up at once with a warning ("Timed-out waiting for add connection executor to
 * shutdown") at a stop that found one opening.
 */
class ConnectAttemptsTest {

    @Test
    void reportsTheWholeLoginsBoundOfEveryHostAndTry() {
        assertEquals(4, loginTimeout("postgres://app@h1/app?sslmode=disable", 3));
        // Two hosts, each tried with TLS and then without under the default sslmode=prefer, and a second over.
        assertEquals(9, loginTimeout("postgres://app@h1,h2/app", 2));
        assertEquals(5, loginTimeout("postgres://app@h1,h2/app?sslmode=require&connect_timeout=2", 30));
    }

    @Test
    void reportsTheOperatorsOwnLoginTimeout() {
        assertEquals(30, loginTimeout("postgres://app@h1,h2/app?loginTimeout=30", 2));
        assertEquals(0, loginTimeout("postgres://app@h1/app?connect_timeout=0", 2));
    }

    private static int loginTimeout(String url, int connectSeconds) {
        return ConnectAttempts.to(DatabaseUrl.parse(url), connectSeconds, 0, new Properties()).getLoginTimeout();
    }
}
