package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    @TempDir
    Path home;

    /** Parsed on a machine without ~/.postgresql/root.crt, unless a test writes one. */
    private DatabaseUrl parse(String value) {
        return DatabaseUrl.parse(value, home.resolve(".postgresql/root.crt"));
    }

    private String jdbc(String value) {
        return parse(value).jdbcUrl();
    }

    private String refusal(String value) {
        return assertThrows(IllegalArgumentException.class, () -> parse(value)).getMessage();
    }

    @Test
    void acceptsTheIssuesComposeServiceNameWithAnUnderscore() {
        DatabaseUrl url = parse("postgres://app:secret@pg_primary:5432/app");
        assertEquals("jdbc:postgresql://pg_primary:5432/app", url.jdbcUrl());
        assertEquals(Optional.of("app"), url.user());
        assertEquals(Optional.of("secret"), url.password());
    }

    /** Every URI of the libpq documentation (§32.1.1.2) that names a host. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "postgresql://localhost | jdbc:postgresql://localhost/",
            "postgresql://localhost:5433 | jdbc:postgresql://localhost:5433/",
            "postgresql://localhost/mydb | jdbc:postgresql://localhost/mydb",
            "postgresql://user@localhost | jdbc:postgresql://localhost/",
            "postgresql://user:secret@localhost | jdbc:postgresql://localhost/",
            "postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp"
                    + " | jdbc:postgresql://localhost/otherdb?connectTimeout=10&ApplicationName=myapp",
            "postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp"
                    + " | jdbc:postgresql://host1:123,host2:456/somedb?targetServerType=any&ApplicationName=myapp",
            "postgresql:///mydb?host=localhost&port=5433 | jdbc:postgresql://localhost:5433/mydb",
            "postgresql://user@localhost:5433/mydb?options=-c%20synchronous_commit%3Doff"
                    + " | jdbc:postgresql://localhost:5433/mydb?options=-c+synchronous_commit%3Doff",
            "postgresql://[2001:db8::1234]/database | jdbc:postgresql://[2001:db8::1234]/database",
            "postgresql://host1:1,host2:2,host3:3/ | jdbc:postgresql://host1:1,host2:2,host3:3/",
    })
    void acceptsTheUrisOfTheLibpqDocumentation(String uri, String expected) {
        assertEquals(expected, jdbc(uri));
    }

    @Test
    void readsUserAndPasswordFromTheDocumentationsUris() {
        assertEquals(Optional.of("user"), parse("postgresql://user:secret@localhost").user());
        assertEquals(Optional.of("secret"), parse("postgresql://user:secret@localhost").password());
        assertEquals(Optional.of("other"), parse("postgresql://other@localhost/otherdb").user());
        assertEquals(Optional.empty(), parse("postgresql://other@localhost/otherdb").password());
    }

    /** The documentation's other URIs mean a Unix-domain socket, which pgJDBC cannot use. */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql://", "postgresql:///dbname?host=/var/lib/postgresql",
            "postgresql://%2Fvar%2Flib%2Fpostgresql/dbname", "postgres://app@/db", "host=@abstract dbname=db",
            "postgres://h1,/db"})
    void refusesAUnixDomainSocketSayingPgjdbcCannotUseIt(String value) {
        String message = refusal(value);
        assertTrue(message.contains("Unix-domain socket") && message.contains("pgJDBC"), message);
    }

    @Test
    void acceptsTheKeywordValueFormWithQuotingAndEscapes() {
        DatabaseUrl url = parse("host=localhost port=5432 dbname=mydb connect_timeout=10");
        assertEquals("jdbc:postgresql://localhost:5432/mydb?connectTimeout=10", url.jdbcUrl());
        DatabaseUrl quoted = parse(" host = pg_primary dbname='my db' user=app password='it\\'s a \\\\ secret' ");
        assertEquals("jdbc:postgresql://pg_primary/my+db", quoted.jdbcUrl());
        assertEquals(Optional.of("it's a \\ secret"), quoted.password());
        assertEquals(Optional.of("a=b"), parse("host=h password=a\\=b").password());
    }

    @Test
    void acceptsSeveralHostsWithOnePortForAllOrOneEach() {
        assertEquals("jdbc:postgresql://h1:5433,h2:5433/", jdbc("host=h1,h2 port=5433"));
        assertEquals("jdbc:postgresql://h1:5432,[::1]:5433/", jdbc("host=h1,::1 port=5432,5433"));
        assertEquals("jdbc:postgresql://h1,h2:5433/db", jdbc("postgres://h1,h2:5433/db"));
        assertEquals("jdbc:postgresql://h1:5432,h2/db", jdbc("postgres://h1:5432,h2:/db"));
        assertEquals("3 ports for 2 hosts: give one port for all, or one for each", refusal("host=a,b port=1,2,3"));
    }

    @Test
    void decodesPercentEncodingInEveryComponentAndKeepsPlusLiteral() {
        DatabaseUrl url = parse("postgres://us%40er:p%40ss%3Aw%2Fo%23rd+x@pg%5Fprimary:%35432/my%2Fdb"
                + "?application_name=a%26b%3Dc&op%74ions=-c%20x%3D1");
        assertEquals(Optional.of("us@er"), url.user());
        assertEquals(Optional.of("p@ss:w/o#rd+x"), url.password());
        assertEquals("jdbc:postgresql://pg_primary:5432/my%2Fdb?ApplicationName=a%26b%3Dc&options=-c+x%3D1",
                url.jdbcUrl());
        assertEquals(Optional.of("é"), parse("postgres://%C3%A9@h/db").user());
    }

    @Test
    void decodesByteWiseSoTextOutsideTheBmpNextToAnEscapeStaysWhole() {
        // libpq copies unescaped bytes as they are: the emoji's four UTF-8 bytes, not two '?' for its surrogates.
        assertEquals(Optional.of("p@ss\uD83D\uDE00"), parse("postgres://app:p%40ss\uD83D\uDE00@db/app").password());
        assertEquals(Optional.of("\uD83D\uDE00:\uD83D\uDE00"),
                parse("postgres://%F0%9F%98%80%3A\uD83D\uDE00@db/app").user());
        assertEquals(Optional.of("caf\u00E9 %"), parse("postgres://app:caf\u00E9%20%25@db/app").password());
    }

    @ParameterizedTest
    @ValueSource(strings = {"%\u0664\u0660", "%\uFF14\uFF10", "%4\u0660"})
    void takesOnlyAsciiHexDigitsInAnEscapeAsLibpqDoes(String escape) {
        // Character.digit reads Arabic-Indic "%٤٠" and fullwidth "%４０" as %40, '@'; libpq refuses them.
        String message = refusal("postgres://app:Zq9" + escape + "@host:5432/db");
        assertTrue(message.startsWith("a '%' in the password is not followed by two hex digits"), message);
        assertFalse(message.contains("Zq9"), message);
    }

    /** backend-testing's TestDatabaseUrlTest reads the same cases: TEST_DATABASE_URL is read as DATABASE_URL. */
    @ParameterizedTest
    @CsvFileSource(resources = "database-url-cases.tsv", delimiter = '\t')
    void readsTheCasesTestDatabaseUrlSharesByLibpqsRules(String url, String part, String expected) {
        switch (part) {
            case "user" -> assertEquals(Optional.of(expected), parse(url).user());
            case "password" -> assertEquals(Optional.of(expected), parse(url).password());
            case "refused" -> {
                String message = refusal(url);
                assertTrue(message.startsWith(expected), message);
                assertFalse(message.contains("Zq9"), message);
            }
            default -> throw new IllegalArgumentException("unknown part " + part);
        }
    }

    @Test
    void acceptsWhatLibpqAcceptsUnencodedInAPassword() {
        // libpq ends the user information at the first '@' before any '/': '#', '?', ':' and spaces are fine.
        assertEquals(Optional.of("Zq9#x?y:z w"), parse("postgres://app:Zq9#x?y:z w@host:5432/db").password());
        assertEquals("jdbc:postgresql://host:5432/db", jdbc("postgres://app:Zq9#x?y:z w@host:5432/db"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "postgres://app:Zq9@x@host:5432/db",          // unencoded @
            "postgres://app:Zq9/x@host:5432/db",          // unencoded / ends the user information early
            "postgres://app:Zq9%zzx@host:5432/db",        // broken escape
            "postgres://app:Zq9%00x@host:5432/db",        // %00, which libpq forbids
            "postgres://app:Zq9%C3x@host:5432/db",        // not UTF-8
            "postgres://host/db?password=Zq9&x&sslmode=require",   // unencoded & in a password parameter
            "host=h password=Zq9 x",                        // space in an unquoted keyword/value password
            "host=h password=Zq9 x=y",
            "host=h password='Zq9",                          // unterminated quote
            "postgres://host/db?password=Zq9&unknown_Zq9=1",
    })
    void refusesMalformedValuesWithoutEchoingThePassword(String value) {
        String message = refusal(value);
        assertFalse(message.contains("Zq9"), message);
    }

    @Test
    void saysWhatToDoWhereAPasswordHidesTheHost() {
        assertTrue(refusal("postgres://app:Zq9@x@host:5432/db").contains("an unencoded '@' in the password? "
                + "percent-encode special characters"));
        assertTrue(refusal("postgres://app:Zq9/x@host:5432/db").contains("percent-encode special characters"));
        assertTrue(refusal("host=h password=Zq9 x").contains("quote the value: password='a b'"));
    }

    @Test
    void translatesSslModesAsLibpqMeansThem() throws IOException {
        assertEquals("jdbc:postgresql://h/db?sslmode=require", jdbc("postgres://h/db?sslmode=require"));
        assertEquals("jdbc:postgresql://h/db?sslmode=require", jdbc("postgres://h/db?ssl=true"));
        assertEquals("jdbc:postgresql://h/db?sslmode=require", jdbc("host=h dbname=db requiressl=1"));
        assertEquals("jdbc:postgresql://h/db?sslmode=disable", jdbc("postgres://h/db?sslmode=disable"));
        assertEquals("jdbc:postgresql://h/db?sslmode=allow", jdbc("postgres://h/db?sslmode=allow"));
        assertEquals("jdbc:postgresql://h/db", jdbc("postgres://h/db"));
        assertEquals("jdbc:postgresql://h/db?sslrootcert=%2Fca.pem&sslmode=verify-full",
                jdbc("postgres://h/db?sslmode=verify-full&sslrootcert=/ca.pem"));
        // libpq's require verifies the chain when it has a root certificate, like verify-ca; pgJDBC's never does.
        assertEquals("jdbc:postgresql://h/db?sslrootcert=%2Fca.pem&sslmode=verify-ca",
                jdbc("postgres://h/db?sslmode=require&sslrootcert=/ca.pem"));
        assertEquals("jdbc:postgresql://h/db?sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory",
                jdbc("postgres://h/db?sslrootcert=system"));
        assertEquals("sslrootcert=system requires sslmode=verify-full, as libpq does",
                refusal("postgres://h/db?sslrootcert=system&sslmode=require"));
        assertEquals("sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full",
                refusal("postgres://h/db?sslmode=on"));
        assertTrue(refusal("postgres://h/db?sslmode=prefer&sslrootcert=/ca.pem").startsWith("sslmode=prefer with a "
                + "root certificate (sslrootcert): libpq verifies the server with it when it uses TLS, and falls back"));

        Files.createDirectories(home.resolve(".postgresql"));
        Files.writeString(home.resolve(".postgresql/root.crt"), "a root certificate");
        assertTrue(refusal("postgres://h/db").startsWith("sslmode=prefer (libpq's default) with a root certificate "
                + "(~/.postgresql/root.crt)"));
        assertTrue(refusal("postgres://h/db?sslmode=allow").startsWith("sslmode=allow with a root certificate"));
        assertEquals("jdbc:postgresql://h/db?sslmode=verify-ca", jdbc("postgres://h/db?sslmode=require"));
    }

    @Test
    void translatesTargetSessionAttributesWherePgjdbcMeansTheSame() {
        assertEquals("jdbc:postgresql://a,b/db?targetServerType=primary&loadBalanceHosts=true",
                jdbc("postgres://a,b/db?target_session_attrs=read-write&load_balance_hosts=random"));
        assertEquals("jdbc:postgresql://a,b/db?targetServerType=secondary",
                jdbc("postgres://a,b/db?target_session_attrs=read-only"));
        for (String value : new String[] {"primary", "standby", "prefer-standby"}) {
            assertTrue(refusal("postgres://a,b/db?target_session_attrs=" + value).startsWith("target_session_attrs="
                    + value + ": pgJDBC tells servers apart by whether they accept writes"));
        }
    }

    @Test
    void translatesTheSessionParameters() {
        assertEquals("jdbc:postgresql://h/db?sslmode=require&sslNegotiation=direct&gssEncMode=disable"
                + "&channelBinding=require&kerberosServerName=pg&requireAuth=scram-sha-256&connectTimeout=0"
                + "&tcpKeepAlive=false&ApplicationName=fallback&options=-c+search_path%3Dapp",
                jdbc("host=h dbname=db connect_timeout=-1 keepalives=0 fallback_application_name=fallback "
                        + "options='-c search_path=app' channel_binding=require gssencmode=disable krbsrvname=pg "
                        + "require_auth=scram-sha-256 sslnegotiation=direct sslmode=require client_encoding=UTF-8 "
                        + "keepalives_idle=0 replication=off sslcompression=0"));
        assertEquals("jdbc:postgresql://h/db?ApplicationName=mine",
                jdbc("postgres://h/db?fallback_application_name=theirs&application_name=mine"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "service=prod | service: pgJDBC reads pg_service.conf, but not with libpq's parameter names",
            "passfile=/run/pgpass | passfile: pgJDBC reads only the password file that PGPASSFILE names",
            "hostaddr=10.0.0.1 | hostaddr beside host: libpq connects to the address and authenticates the name",
            "keepalives_idle=30 | keepalives_idle: only 0 can be honoured (pgJDBC cannot set TCP timings",
            "client_encoding=LATIN1 | client_encoding: pgJDBC always uses UTF8",
            "replication=database | replication: a replication connection cannot serve an application's pool",
            "sslcrl=/crl.pem | sslcrl: pgJDBC cannot check a certificate revocation list",
            "sslsni=0 | sslsni: only 1 can be honoured",
            "require_auth=oauth | require_auth: pgJDBC knows the methods password, md5, gss, sspi, scram-sha-256 and "
                    + "none; it has no OAuth",
            "oauth_issuer=https://issuer | oauth_issuer: pgJDBC has no OAuth support",
            "requirepeer=postgres | requirepeer: it applies to Unix-domain sockets",
            "PGHOST=other | PGHOST is what the location itself sets: use host, port and dbname",
            "no_such_option=1 | unknown parameter 'no_such_option': neither a libpq keyword nor a pgJDBC connection "
                    + "property",
    })
    void refusesWhatPgjdbcCannotDoSayingSo(String setting, String message) {
        assertTrue(refusal("host=h dbname=db " + setting).startsWith(message), refusal("host=h dbname=db " + setting));
        assertTrue(refusal("postgres://h/db?" + setting.replace(" ", "%20")).startsWith(message));
    }

    @Test
    void acceptsHostaddrAloneAsTheHost() {
        assertEquals("jdbc:postgresql://10.0.0.1:6432/db", jdbc("hostaddr=10.0.0.1 port=6432 dbname=db"));
    }

    @Test
    void passesPgjdbcPropertiesOnSoPgbouncerInTransactionModeWorks() {
        assertEquals("jdbc:postgresql://pgbouncer:6432/app?prepareThreshold=0&preferQueryMode=extendedForPrepared",
                jdbc("postgres://app:pw@pgbouncer:6432/app?prepareThreshold=0&preferQueryMode=extendedForPrepared"));
        assertEquals("jdbc:postgresql://h/db?currentSchema=app", jdbc("host=h dbname=db currentSchema=app"));
        // Named as pgJDBC names it, a property wins over the libpq parameter that sets it too.
        assertEquals("jdbc:postgresql://h/db?ApplicationName=b", jdbc("postgres://h/db?ApplicationName=b&application_name=a"));
    }

    @Test
    void readsTheJdbcFormTakingCredentialsOutOfTheQuery() {
        DatabaseUrl url = parse("jdbc:postgresql://pg_primary:5432/users?user=app&password=p%26w&ssl=true&loggerLevel");
        assertEquals("jdbc:postgresql://pg_primary:5432/users?ssl=true&loggerLevel=", url.jdbcUrl());
        assertEquals(Optional.of("app"), url.user());
        assertEquals(Optional.of("p&w"), url.password());
    }

    @Test
    void acceptsIpv6HostsAndSchemesInAnyCase() {
        assertEquals("jdbc:postgresql://[::1]:5432/db", jdbc(" POSTGRES://[::1]:5432/db "));
        assertEquals("jdbc:postgresql://[fe80::1%eth0]/db", jdbc("postgresql://[fe80::1%25eth0]/db"));
    }

    @Test
    void masksThePasswordAndPasswordLikeParameters() {
        DatabaseUrl url = parse("postgres://app:s3cret@host:5432/db?sslmode=require&sslpassword=k3y");
        assertEquals("postgres://app:***@host:5432/db?sslmode=require&sslpassword=***", url.masked());
        assertEquals(url.masked(), url.toString());
        assertFalse(url.toString().contains("s3cret"));
        assertEquals("postgres://:***@host/db", parse("jdbc:postgresql://host/db?password=x").masked());
        assertEquals("postgres://my%20app@host/", parse("host=host user='my app'").masked());
    }

    @Test
    void namesWhatIsMissingOrWrong() {
        assertEquals("the port must be a number from 1 to 65535", refusal("postgres://host:70000/db"));
        assertEquals("the port must be a number from 1 to 65535", refusal("postgres://host:http/db"));
        assertTrue(refusal("mysql://host/db").startsWith("expected postgres://"));
        assertEquals("an IPv6 address opened with '[' has no ']'", refusal("postgres://[::1/db"));
        assertTrue(refusal("postgres://host/db?sslmode").startsWith("query parameter 1 is not name=value"));
        assertEquals("connect_timeout must be an integer", refusal("host=h connect_timeout=2.5"));
    }

    @Test
    void refusesAJdbcUrlForAnotherDatabaseWhenBuiltInCode() {
        assertThrows(IllegalArgumentException.class,
                () -> new DatabaseUrl("jdbc:mysql://host/db", Optional.empty(), Optional.empty()));
    }
}
