package dev.backend.server.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Reads every migration of a {@link MigrationSource}, reporting all problems at once (bad names, duplicate
 * versions, unknown directives, unterminated quotes, invalid UTF-8) rather than the first.
 */
final class ScriptLoader {

    /** A file found in a location, not yet read as a migration. */
    private record Found(String fileName, String where, byte[] content) {}

    private ScriptLoader() {}

    /** The migrations of {@code source} in version order; throws {@link MigrationException} listing every problem. */
    static List<Script> load(MigrationSource source) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(source, loader != null ? loader : ScriptLoader.class.getClassLoader());
    }

    static List<Script> load(MigrationSource source, ClassLoader classLoader) {
        List<Found> files = switch (source) {
            case MigrationSource.Directory d -> fromDirectory(d);
            case MigrationSource.Classpath c -> fromClasspath(c, classLoader);
        };
        List<String> problems = new ArrayList<>();
        List<Script> scripts = new ArrayList<>();
        Map<Version, Found> byVersion = new HashMap<>();
        for (Found file : files) {
            Optional<Script.Name> name = Script.parseName(file.fileName());
            if (name.isEmpty()) {
                problems.add(file.where() + " is not a valid migration name: " + Script.NAMING_RULE);
                continue;
            }
            Found previous = byVersion.putIfAbsent(name.get().version(), file);
            if (previous != null) {
                problems.add("Duplicate migration version " + name.get().version() + ": " + previous.where() + " and "
                        + file.where() + " (versions compare as numbers, so 1, 1.0 and 01 are the same)");
                continue;
            }
            try {
                scripts.add(Script.of(name.get(), file.fileName(), utf8(file.content())));
            } catch (IllegalArgumentException e) {
                problems.add(file.where() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw MigrationException.of(problems);
        }
        scripts.sort(Comparator.comparing(Script::version));
        return List.copyOf(scripts);
    }

    private static List<Found> fromDirectory(MigrationSource.Directory source) {
        Path dir = source.path();
        if (!Files.isDirectory(dir)) {
            throw new MigrationException("The migrations directory " + source + " does not exist or is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Found> found = new ArrayList<>();
            for (Path file : entries.sorted().toList()) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && Script.isCandidate(name)) {
                    found.add(new Found(name, file.toAbsolutePath().normalize().toString(), Files.readAllBytes(file)));
                }
            }
            return found;
        } catch (IOException e) {
            throw new MigrationException("Cannot read the migrations directory " + source + ": " + e, e);
        }
    }

    private static List<Found> fromClasspath(MigrationSource.Classpath source, ClassLoader classLoader) {
        String location = source.location();
        List<URL> roots;
        try {
            roots = Collections.list(classLoader.getResources(location));
        } catch (IOException e) {
            throw new MigrationException("Cannot look up " + source + ": " + e, e);
        }
        if (roots.isEmpty()) {
            throw new MigrationException("No migrations at " + source + ": no classpath entry holds that location");
        }
        List<Found> found = new ArrayList<>();
        for (URL root : roots) {
            try {
                switch (root.getProtocol()) {
                    case "file" -> found.addAll(fromDirectory(Path.of(root.toURI()), source));
                    case "jar" -> found.addAll(fromJar(root, location));
                    default -> throw new MigrationException("Cannot list " + source + " in " + root
                            + ": only directories and jar files are supported");
                }
            } catch (IOException | URISyntaxException | UncheckedIOException e) {
                throw new MigrationException("Cannot read " + source + " from " + root + ": " + e, e);
            }
        }
        return found;
    }

    private static List<Found> fromDirectory(Path dir, MigrationSource.Classpath source) {
        return fromDirectory(new MigrationSource.Directory(dir)).stream()
                .map(f -> new Found(f.fileName(), source + "/" + f.fileName() + " (" + f.where() + ")", f.content()))
                .toList();
    }

    private static List<Found> fromJar(URL root, String location) throws IOException {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        // Our own JarFile, closed here; the cached one is shared with the class loader.
        connection.setUseCaches(false);
        String prefix = location + "/";
        List<Found> found = new ArrayList<>();
        try (JarFile jar = connection.getJarFile()) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                String fileName = name.substring(Math.min(prefix.length(), name.length()));
                if (entry.isDirectory() || !name.startsWith(prefix) || fileName.contains("/")
                        || !Script.isCandidate(fileName)) {
                    continue;
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    found.add(new Found(fileName, "classpath:" + name + " (in " + jar.getName() + ")", in.readAllBytes()));
                }
            }
        }
        return found;
    }

    /** The text of a file, which must be UTF-8: the only encoding pgJDBC speaks. The message says where not. */
    private static String utf8(byte[] content) {
        if (startsWith(content, 0xFE, 0xFF) || startsWith(content, 0xFF, 0xFE)
                || startsWith(content, 0, 0, 0xFE, 0xFF)) {
            throw new IllegalArgumentException("not UTF-8: it starts with a UTF-16 or UTF-32 byte-order mark; "
                    + "save it as UTF-8");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer out = CharBuffer.allocate(content.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            throw new IllegalArgumentException(String.format(Locale.ROOT, "not valid UTF-8: byte 0x%02X on line %d is "
                    + "not part of a UTF-8 character; save the file as UTF-8", content[at] & 0xFF, line(content, at)));
        }
        return out.flip().toString();
    }

    private static boolean startsWith(byte[] content, int... prefix) {
        if (content.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((content[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The 1-based line of a byte offset, counted as {@link SqlSplitter#lineAt} counts characters. */
    private static int line(byte[] content, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (content[i] == '\n' || (content[i] == '\r' && (i + 1 == content.length || content[i + 1] != '\n'))) {
                line++;
            }
        }
        return line;
    }
}
