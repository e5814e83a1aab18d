package dev.backend.server.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptLoaderTest {

    @TempDir
    Path dir;

    private List<String> versions(MigrationSource source) {
        return ScriptLoader.load(source).stream().map(s -> s.version().toString()).toList();
    }

    @Test
    void ordersDottedVersionsNumerically() throws IOException {
        for (String name : List.of("V1.10__ten.sql", "V1.9__nine.sql", "V2__two.sql", "V1__one.sql", "V1.9.1__patch.sql",
                "V10__ten.sql", "V20250131120000__timestamp.sql")) {
            Files.writeString(dir.resolve(name), "SELECT 1;");
        }
        assertEquals(List.of("1", "1.9", "1.9.1", "1.10", "2", "10", "20250131120000"),
                versions(MigrationSource.directory(dir)));
    }

    @Test
    void readsDescriptionWithUnderscoresAsSpacesAndIgnoresFilesThatAreNotSql() throws IOException {
        Files.writeString(dir.resolve("V1__create_users_table.sql"), "SELECT 1;");
        Files.writeString(dir.resolve("README.md"), "not a migration");
        Files.writeString(dir.resolve("V2__backup.sql~"), "editor backup");
        Files.createDirectory(dir.resolve("V3__a_directory.sql"));
        List<Script> scripts = ScriptLoader.load(MigrationSource.directory(dir));
        assertEquals(1, scripts.size());
        assertEquals("create users table", scripts.getFirst().description());
        assertEquals("V1__create_users_table.sql", scripts.getFirst().fileName());
    }

    @Test
    void rejectsUnparseableNamesListingEveryOneWithTheRule() throws IOException {
        for (String name : List.of("V1__ok.sql", "create_users.sql", "v2__lower.sql", "V3_single.sql", "V1_1__flyway_underscore.sql",
                "V4__.sql", "Va__letters.sql", "V5..1__dots.sql", "R__repeatable.sql")) {
            Files.writeString(dir.resolve(name), "SELECT 1;");
        }
        MigrationException e = assertThrows(MigrationException.class, () -> ScriptLoader.load(MigrationSource.directory(dir)));
        assertTrue(e.getMessage().startsWith("8 migration problems:"), e.getMessage());
        for (String name : List.of("create_users.sql", "v2__lower.sql", "V3_single.sql", "V1_1__flyway_underscore.sql",
                "V4__.sql", "Va__letters.sql", "V5..1__dots.sql", "R__repeatable.sql")) {
            assertTrue(e.getMessage().contains(dir.resolve(name) + " is not a valid migration name: expected "
                    + "V<version>__<description>.sql"), e.getMessage());
        }
    }

    @Test
    void rejectsDuplicateVersionsNamingBothFiles() throws IOException {
        Files.writeString(dir.resolve("V1__first.sql"), "SELECT 1;");
        Files.writeString(dir.resolve("V1.0__second.sql"), "SELECT 2;");
        MigrationException e = assertThrows(MigrationException.class, () -> ScriptLoader.load(MigrationSource.directory(dir)));
        assertTrue(e.getMessage().startsWith("Duplicate migration version "), e.getMessage());
        assertTrue(e.getMessage().contains("V1__first.sql") && e.getMessage().contains("V1.0__second.sql"), e.getMessage());
    }

    @Test
    void crlfAndLfFilesHaveTheSameChecksumAndRunTheSameSql() throws IOException {
        Path lf = Files.createDirectory(dir.resolve("lf"));
        Path crlf = Files.createDirectory(dir.resolve("crlf"));
        String sql = "-- users\nCREATE TABLE t (\n  s text DEFAULT 'a;\nb'\n);\n";
        Files.writeString(lf.resolve("V1__t.sql"), sql);
        Files.writeString(crlf.resolve("V1__t.sql"), "\uFEFF" + sql.replace("\n", "\r\n"));
        Script fromLf = ScriptLoader.load(MigrationSource.directory(lf)).getFirst();
        Script fromCrlf = ScriptLoader.load(MigrationSource.directory(crlf)).getFirst();
        assertEquals(fromLf.checksum(), fromCrlf.checksum());
        assertEquals(fromLf.statements(), fromCrlf.statements());
        assertEquals(64, fromLf.checksum().length());
        Files.writeString(lf.resolve("V1__t.sql"), sql + " ");
        assertFalse(fromLf.checksum().equals(ScriptLoader.load(MigrationSource.directory(lf)).getFirst().checksum()));
    }

    @Test
    void readsTheNoTransactionDirectiveOnlyOnTheFirstLine() throws IOException {
        Files.writeString(dir.resolve("V1__concurrently.sql"), "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);");
        Files.writeString(dir.resolve("V2__plain.sql"), "CREATE INDEX i2 ON t (a);");
        List<Script> scripts = ScriptLoader.load(MigrationSource.directory(dir));
        assertFalse(scripts.get(0).transactional());
        assertTrue(scripts.get(1).transactional());
    }

    @Test
    void rejectsUnknownOrMisplacedDirectivesAndUnterminatedSql() throws IOException {
        Files.writeString(dir.resolve("V1__typo.sql"), "-- migrate:no-transactions\nSELECT 1;");
        Files.writeString(dir.resolve("V2__late.sql"), "-- an index\n-- migrate:no-transaction\nSELECT 1;");
        Files.writeString(dir.resolve("V3__open.sql"), "SELECT 1;\nDO $$ BEGIN END;\n");
        Files.write(dir.resolve("V4__latin1.sql"), "SELECT 'caf\u00e9';".getBytes(StandardCharsets.ISO_8859_1));
        String message = assertThrows(MigrationException.class, () -> ScriptLoader.load(MigrationSource.directory(dir)))
                .getMessage();
        assertTrue(message.contains("V1__typo.sql: unknown directive '-- migrate:no-transactions' on line 1"), message);
        assertTrue(message.contains("V2__late.sql: the directive '-- migrate:no-transaction' on line 2 has no effect"), message);
        assertTrue(message.contains("V3__open.sql: unterminated dollar-quoted string $$ starting at line 2"), message);
        assertTrue(message.contains("V4__latin1.sql: not valid UTF-8: byte 0xE9 on line 1 is not part of a UTF-8 "
                + "character; save the file as UTF-8"), message);
    }

    @Test
    void readsAFileWithOldMacLineEndingsAsPostgresDoes() throws IOException {
        Files.writeString(dir.resolve("V1__audit.sql"), "-- create the audit table\rCREATE TABLE audit(id int);\r"
                + "-- and its index\rCREATE INDEX audit_id ON audit (id);\r");
        Script script = ScriptLoader.load(MigrationSource.directory(dir)).getFirst();
        assertEquals(List.of(new SqlSplitter.Statement("CREATE TABLE audit(id int)", 26, 2, true),
                new SqlSplitter.Statement("CREATE INDEX audit_id ON audit (id)", 71, 4, true)), script.statements());
        assertTrue(script.transactional());
    }

    @Test
    void keepsALoneCarriageReturnSoItsChecksumDiffersFromTheLfFile() throws IOException {
        Path lf = Files.createDirectory(dir.resolve("lf"));
        Path cr = Files.createDirectory(dir.resolve("cr"));
        Files.writeString(lf.resolve("V1__t.sql"), "SELECT 'a\nb';\n");
        Files.writeString(cr.resolve("V1__t.sql"), "\uFEFFSELECT 'a\rb';\r");
        Script fromLf = ScriptLoader.load(MigrationSource.directory(lf)).getFirst();
        Script fromCr = ScriptLoader.load(MigrationSource.directory(cr)).getFirst();
        // The CR inside the string is what the file says, so it runs, and is checksummed, as written.
        assertEquals("SELECT 'a\rb'", fromCr.statements().getFirst().sql());
        assertFalse(fromLf.checksum().equals(fromCr.checksum()));
        assertEquals(Script.checksum("SELECT 'a\rb';\r"), fromCr.checksum());
    }

    @Test
    void readsDirectivesOnLinesEndedByACarriageReturn() throws IOException {
        Files.writeString(dir.resolve("V1__concurrently.sql"),
                "-- migrate:no-transaction\rCREATE INDEX CONCURRENTLY i ON t (a);\r");
        assertFalse(ScriptLoader.load(MigrationSource.directory(dir)).getFirst().transactional());
        Files.writeString(dir.resolve("V2__late.sql"), "-- an index\r-- migrate:no-transaction\rSELECT 1;");
        String message = assertThrows(MigrationException.class, () -> ScriptLoader.load(MigrationSource.directory(dir)))
                .getMessage();
        assertTrue(message.contains("V2__late.sql: the directive '-- migrate:no-transaction' on line 2 has no effect"),
                message);
    }

    @Test
    void namesTheLineOfBytesThatAreNotUtf8AndRecognisesUtf16() throws IOException {
        byte[] broken = "SELECT 1;\r\nSELECT 2;\rSELECT 'x".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("V1__broken.sql"), concat(broken, new byte[] {(byte) 0xC3, '\''}));
        Files.write(dir.resolve("V2__utf16.sql"), concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
                "SELECT 1;".getBytes(StandardCharsets.UTF_16LE)));
        String message = assertThrows(MigrationException.class, () -> ScriptLoader.load(MigrationSource.directory(dir)))
                .getMessage();
        assertTrue(message.contains("V1__broken.sql: not valid UTF-8: byte 0xC3 on line 3"), message);
        assertTrue(message.contains("V2__utf16.sql: not UTF-8: it starts with a UTF-16 or UTF-32 byte-order mark"),
                message);
    }

    @Test
    void refusesANulCharacterNamingItsLine() throws IOException {
        Files.writeString(dir.resolve("V1__nul.sql"), "SELECT 1;\nSELECT '\0';");
        String message = assertThrows(MigrationException.class, () -> ScriptLoader.load(MigrationSource.directory(dir)))
                .getMessage();
        assertTrue(message.contains("V1__nul.sql: line 2 contains a NUL character"), message);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void aMissingDirectoryIsAClearError() {
        MigrationException e = assertThrows(MigrationException.class,
                () -> ScriptLoader.load(MigrationSource.directory(dir.resolve("nope"))));
        assertTrue(e.getMessage().contains("nope does not exist"), e.getMessage());
    }

    @Test
    void loadsFromADirectoryOnTheClasspath() {
        List<Script> scripts = ScriptLoader.load(MigrationSource.classpath("dev/backend/server/migration/bundled"));
        assertEquals(List.of("V1__create_things.sql", "V2__add_index.sql"), scripts.stream().map(Script::fileName).toList());
        assertTrue(scripts.getFirst().transactional());
    }

    @Test
    void loadsFromAJarOnTheClasspathAndIgnoresSubdirectories() throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("app/"));
            out.putNextEntry(new JarEntry("app/migrations/"));
            entry(out, "app/migrations/V2__second.sql", "SELECT 2;");
            entry(out, "app/migrations/V1__first.sql", "SELECT 1;");
            entry(out, "app/migrations/old/V0__ignored.sql", "SELECT 0;");
            entry(out, "app/other/V9__elsewhere.sql", "SELECT 9;");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            List<Script> scripts = ScriptLoader.load(MigrationSource.classpath("/app/migrations/"), loader);
            assertEquals(List.of("V1__first.sql", "V2__second.sql"), scripts.stream().map(Script::fileName).toList());
            MigrationException e = assertThrows(MigrationException.class,
                    () -> ScriptLoader.load(MigrationSource.classpath("app/absent"), loader));
            assertEquals("No migrations at classpath:app/absent: no classpath entry holds that location", e.getMessage());
        }
    }

    private static void entry(JarOutputStream out, String name, String content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(content.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    @Test
    void versionsCompareAsNumbersIgnoringTrailingZeros() {
        Version v19 = Version.parse("1.9").orElseThrow();
        Version v110 = Version.parse("1.10").orElseThrow();
        assertTrue(v110.compareTo(v19) > 0);
        assertEquals(Version.parse("1").orElseThrow(), Version.parse("1.0.0").orElseThrow());
        assertEquals(0, Version.parse("01").orElseThrow().compareTo(Version.parse("1").orElseThrow()));
        assertTrue(Version.parse("1.").isEmpty());
        assertTrue(Version.parse("1.a").isEmpty());
        assertTrue(Version.parse("").isEmpty());
    }
}
