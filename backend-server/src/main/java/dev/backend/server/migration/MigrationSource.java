package dev.backend.server.migration;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where migration files are: a classpath location (files packaged in a jar, or in {@code target/classes}
 * during development) or a directory on disk. Only the files directly in it count; a {@code .sql} file whose
 * name does not follow {@code V<version>__<description>.sql} is an error, other files are ignored.
 *
 * {@snippet :
 * MigrationSource bundled = MigrationSource.classpath("notes/migrations");
 * MigrationSource onDisk = MigrationSource.directory(Path.of("/srv/app/migrations"));
 * }
 */
public sealed interface MigrationSource {

    /**
     * Files under a classpath location such as {@code com/example/notes/migrations}, found through the context
     * class loader, in a directory or a jar (shaded ones included). Every classpath entry holding the location
     * contributes, so pick one under your own package: a bare {@code migrations} would collect any library's
     * files of that name. On the module path, a location under a package of the application's module is
     * found without opening anything.
     *
     * @param location a slash-separated resource path, without a leading slash or {@code classpath:}
     * @return the source; nothing is read until the migrator runs
     */
    static MigrationSource classpath(String location) {
        return new Classpath(location);
    }

    /**
     * Files directly in {@code directory}.
     *
     * @param directory the directory; subdirectories are not read
     * @return the source; nothing is read until the migrator runs
     */
    static MigrationSource directory(Path directory) {
        return new Directory(directory);
    }

    /**
     * A classpath location.
     *
     * @param location a resource path without leading or trailing slash, e.g. {@code com/example/app/migrations}
     */
    record Classpath(String location) implements MigrationSource {
        /** Normalises leading and trailing slashes away; the location must not be empty. */
        public Classpath {
            Objects.requireNonNull(location, "location");
            location = location.replaceAll("^/+|/+$", "");
            if (location.isEmpty()) {
                throw new IllegalArgumentException("A classpath migration location must not be empty");
            }
        }

        /** {@code classpath:location}, as messages show it. */
        @Override
        public String toString() {
            return "classpath:" + location;
        }
    }

    /**
     * A directory on disk.
     *
     * @param path the directory; relative paths resolve against the working directory
     */
    record Directory(Path path) implements MigrationSource {
        /** Requires a path. */
        public Directory {
            Objects.requireNonNull(path, "path");
        }

        /** The absolute path, as messages show it. */
        @Override
        public String toString() {
            return path.toAbsolutePath().normalize().toString();
        }
    }
}
