package dev.backend.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.backend.server.migration.Migrator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The README and the pages in {@code docs/} say what the code does, and this keeps them saying it: a snippet that
 * no longer compiles, a link or path that no longer resolves, or a variable the table misses fails the build.
 *
 * <p>Java snippets are not extracted and compiled here: each {@code ```java} block must be, verbatim, a region of a
 * source file the build already compiles (and, for some, runs), between {@code // tag::name[]} and {@code //
 * end::name[]} lines. The compiler then checks every snippet against the API, with the project's own warnings
 * as errors, and this test only compares text.
 */
class DocsTest {

    private static final Path ROOT = repositoryRoot();
    private static final Pattern TAG = Pattern.compile("^\\s*// (tag|end)::([\\w.-]+)\\[]\\s*$");
    private static final Pattern FENCE = Pattern.compile("^```(.*)$");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern TEST_CLASS = Pattern.compile("[A-Z][a-z][A-Za-z0-9]*(Test|IT)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");
    private static final Pattern TABLE_VARIABLE = Pattern.compile("^\\| `([A-Z][A-Z0-9_]+)` \\|");
    private static final Pattern CONFIG_READ = Pattern.compile("(?:env\\.\\w+\\(|databaseUrl\\(env, )\"([A-Z][A-Z0-9_]+)\"");
    private static final Set<String> LANGUAGES = Set.of("java", "sh", "console", "text", "xml", "yaml", "sql");

    /** A fenced block of a page: where it starts, its language, its lines. */
    record Block(Path page, int line, String language, String text) {
        String where() {
            return ROOT.relativize(page) + ":" + line;
        }
    }

    /** A tagged region of a source file, indentation removed. */
    record Region(String name, Path file, int line, String text) {
        String where() {
            return ROOT.relativize(file) + ":" + line;
        }
    }

    @Test
    void everyJavaBlockIsATaggedRegionOfACompiledSource() throws IOException {
        Map<String, Region> regions = regions();
        List<Block> java = blocks("java");
        assertTrue(java.size() > 20 && regions.size() > 20, "the pages and sources were read: " + java.size()
                + " blocks, " + regions.size() + " regions");
        List<String> problems = new ArrayList<>();
        for (Block block : java) {
            if (regions.values().stream().noneMatch(region -> region.text().equals(block.text()))) {
                problems.add(block.where() + ": this ```java block is no tagged region of a source file; "
                        + closest(block, regions.values()));
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyTaggedRegionIsShownInTheDocs() throws IOException {
        Set<String> shown = new HashSet<>();
        for (Block block : blocks("java")) {
            shown.add(block.text());
        }
        List<String> unused = regions().values().stream()
                .filter(region -> !shown.contains(region.text()))
                .map(region -> region.where() + ": region '" + region.name() + "' is shown in no ```java block")
                .toList();
        assertTrue(unused.isEmpty(), String.join("\n", unused));
    }

    @Test
    void everyCodeBlockNamesALanguageThisTestKnows() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Block block : blocks()) {
            if (!LANGUAGES.contains(block.language())) {
                problems.add(block.where() + ": a code block needs one of " + new TreeSet<>(LANGUAGES)
                        + " after its ```, so it is checked as what it is; was '" + block.language() + "'");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyShellBlockParses() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Block block : blocks("sh")) {
            Process bash = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
            try (OutputStream in = bash.getOutputStream()) {
                in.write(block.text().getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(bash.waitFor(30, TimeUnit.SECONDS), "bash -n did not finish");
            if (bash.exitValue() != 0) {
                problems.add(block.where() + ": " + output.strip());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyYamlBlockIsACopyOfARepositoryFileOrOfARunOfItsLines() throws IOException {
        List<List<String>> files = new ArrayList<>();
        for (Path file : repositoryFiles(name -> name.endsWith(".yml") || name.endsWith(".yaml"))) {
            files.add(Files.readAllLines(file));
        }
        List<String> problems = new ArrayList<>();
        for (Block block : blocks("yaml")) {
            if (files.stream().noneMatch(lines -> containsRun(lines, block.text()))) {
                problems.add(block.where() + ": this ```yaml block is neither a .yml or .yaml file of the repository nor"
                        + " a run of whole lines of one (indentation aside); show configuration that files hold and"
                        + " tests use, such as deploy/kubernetes/ or deploy/prometheus/");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theDependencySnippetNamesArtifactsOfTheBomAtTheBuildsVersion() throws Exception {
        String version = text(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "version");
        Set<String> published = new TreeSet<>();
        NodeList managed = parse(ROOT.resolve("backend-bom/pom.xml")).getElementsByTagName("dependency");
        for (int i = 0; i < managed.getLength(); i++) {
            published.add(text((Element) managed.item(i), "artifactId"));
        }
        List<Block> xml = blocks("xml");
        assertEquals(1, xml.size(), "the README's dependency snippet is the one ```xml block");
        Document snippet = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader("<snippet>" + xml.getFirst().text() + "</snippet>")));
        NodeList dependencies = snippet.getElementsByTagName("dependency");
        assertTrue(dependencies.getLength() > 1, "the snippet imports the BOM and names modules");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            String artifact = text(dependency, "artifactId");
            assertEquals("dev.backend", text(dependency, "groupId"), artifact);
            assertTrue(artifact.equals("backend-bom") || published.contains(artifact),
                    artifact + " is not in backend-bom, which manages " + published);
            if (artifact.equals("backend-bom")) {
                assertEquals(version, text(dependency, "version"), "the BOM's version in the README");
                assertEquals("import", text(dependency, "scope"));
            } else {
                assertEquals(0, dependency.getElementsByTagName("version").getLength(),
                        artifact + ": the BOM gives the version");
            }
        }
    }

    @Test
    void everyRelativeLinkLeadsToAFileAndItsHeading() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path page : pages(true)) {
            Matcher link = LINK.matcher(prose(Files.readString(page)));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    problems.add(ROOT.relativize(page) + ": link to " + target + ": no such file");
                } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
                    problems.add(ROOT.relativize(page) + ": link to " + target + ": no such heading in "
                            + ROOT.relativize(resolved) + " " + anchors(resolved));
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyRepositoryPathAndTestClassNamedInBackticksExists() throws IOException {
        Set<String> topLevel = new HashSet<>();
        try (Stream<Path> entries = Files.list(ROOT)) {
            entries.forEach(entry -> topLevel.add(entry.getFileName().toString()));
        }
        Set<String> sources = new HashSet<>();
        for (Path file : repositoryFiles(name -> name.endsWith(".java"))) {
            sources.add(file.getFileName().toString());
        }
        List<String> problems = new ArrayList<>();
        for (Path page : pages(false)) {
            Matcher code = INLINE_CODE.matcher(outsideFences(Files.readString(page)));
            while (code.find()) {
                String token = code.group(1);
                if (TEST_CLASS.matcher(token).matches() && !sources.contains(token + ".java")) {
                    problems.add(ROOT.relativize(page) + ": no test class " + token);
                }
                String path = token.startsWith("./") ? token.substring(2) : token;
                if (isRepositoryPath(path, topLevel) && !Files.exists(ROOT.resolve(path))) {
                    problems.add(ROOT.relativize(page) + ": no such path " + token);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theConfigurationTableListsExactlyTheVariablesTheServerReads() throws IOException {
        Set<String> read = new TreeSet<>();
        Matcher reads = CONFIG_READ.matcher(Files.readString(
                ROOT.resolve("backend-server/src/main/java/dev/backend/server/Config.java")));
        while (reads.find()) {
            read.add(reads.group(1));
        }
        assertTrue(Files.readString(ROOT.resolve("backend-testing/src/main/java/dev/backend/testing/PostgresServer.java"))
                .contains("\"TEST_DATABASE_URL\""), "backend-testing reads TEST_DATABASE_URL");
        read.add("TEST_DATABASE_URL");
        Set<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/configuration.md"))) {
            Matcher row = TABLE_VARIABLE.matcher(line);
            if (row.find() && !listed.add(row.group(1))) {
                fail("docs/configuration.md lists " + row.group(1) + " twice");
            }
        }
        assertTrue(read.size() > 40, "Config.java was read: " + read);
        assertEquals(read, listed, "the variables Config reads (and TEST_DATABASE_URL) against docs/configuration.md");
    }

    @Test
    void theMigrationLockKeyInTheDocsIsTheMigratorsOwn() throws IOException {
        String page = Files.readString(ROOT.resolve("docs/migrations.md"));
        assertTrue(page.contains("pg_advisory_lock(" + Migrator.LOCK_KEY + ")"), "the lock the run takes");
        assertTrue(page.contains("= " + Migrator.LOCK_KEY + ";"), "the query that finds who holds it");
        assertTrue(page.contains("`" + Migrator.HISTORY_TABLE + "`"), "the history table");
    }

    private static Map<String, Region> regions() throws IOException {
        Map<String, Region> regions = new TreeMap<>();
        for (Path file : repositoryFiles(name -> name.endsWith(".java"))) {
            List<String> lines = Files.readAllLines(file);
            Map<String, Integer> open = new TreeMap<>();
            for (int i = 0; i < lines.size(); i++) {
                Matcher tag = TAG.matcher(lines.get(i));
                if (!tag.matches()) {
                    continue;
                }
                String name = tag.group(2);
                if (tag.group(1).equals("tag")) {
                    open.put(name, i);
                    continue;
                }
                Integer start = open.remove(name);
                if (start == null) {
                    fail(ROOT.relativize(file) + ":" + (i + 1) + ": end::" + name + " without its tag");
                }
                List<String> body = lines.subList(start + 1, i).stream().filter(l -> !TAG.matcher(l).matches()).toList();
                Region region = new Region(name, file, start + 2, dedented(body));
                Region earlier = regions.put(name, region);
                if (earlier != null) {
                    fail("two regions named " + name + ": " + earlier.where() + " and " + region.where());
                }
            }
            if (!open.isEmpty()) {
                fail(ROOT.relativize(file) + ": tag without its end: " + open.keySet());
            }
        }
        return regions;
    }

    /** Whether some run of consecutive lines of {@code lines}, indentation removed, is {@code text}. */
    private static boolean containsRun(List<String> lines, String text) {
        int length = (int) text.lines().count();
        for (int start = 0; start + length <= lines.size(); start++) {
            if (dedented(lines.subList(start, start + length)).equals(text)) {
                return true;
            }
        }
        return false;
    }

    private static String dedented(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return normalized(String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList()));
    }

    /** Trailing spaces and blank lines at either end do not count. */
    private static String normalized(String text) {
        return String.join("\n", text.lines().map(String::stripTrailing).toList()).strip();
    }

    private static String closest(Block block, Iterable<Region> regions) {
        List<String> wanted = block.text().lines().toList();
        Region best = null;
        long bestShared = 0;
        for (Region region : regions) {
            Set<String> lines = new HashSet<>(region.text().lines().toList());
            long shared = wanted.stream().filter(lines::contains).count();
            if (shared > bestShared) {
                best = region;
                bestShared = shared;
            }
        }
        if (best == null) {
            return "add the code to a compiled source between // tag::name[] and // end::name[]";
        }
        List<String> have = best.text().lines().toList();
        for (int i = 0; i < Math.max(wanted.size(), have.size()); i++) {
            String docs = i < wanted.size() ? wanted.get(i) : "(nothing)";
            String source = i < have.size() ? have.get(i) : "(nothing)";
            if (!docs.equals(source)) {
                return "nearest is '" + best.name() + "' at " + best.where() + ", which differs at its line " + (i + 1)
                        + ":\n    docs:   " + docs + "\n    source: " + source;
            }
        }
        return "nearest is '" + best.name() + "' at " + best.where();
    }

    private static List<Block> blocks(String language) throws IOException {
        return blocks().stream().filter(block -> block.language().equals(language)).toList();
    }

    private static List<Block> blocks() throws IOException {
        List<Block> blocks = new ArrayList<>();
        for (Path page : pages(false)) {
            List<String> lines = Files.readAllLines(page);
            for (int i = 0; i < lines.size(); i++) {
                Matcher fence = FENCE.matcher(lines.get(i));
                if (!fence.matches()) {
                    continue;
                }
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).equals("```")) {
                    end++;
                }
                if (end == lines.size()) {
                    fail(ROOT.relativize(page) + ":" + (i + 1) + ": a code block that is never closed");
                }
                blocks.add(new Block(page, i + 1, fence.group(1).strip(),
                        normalized(String.join("\n", lines.subList(i + 1, end)))));
                i = end;
            }
        }
        return blocks;
    }

    /** README.md and docs/*.md; with the changelog, whose paths are history but whose links must resolve. */
    private static List<Path> pages(boolean withChangelog) throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        if (withChangelog) {
            pages.add(ROOT.resolve("CHANGELOG.md"));
        }
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** The text outside code blocks and inline code, where links are links. */
    private static String prose(String markdown) {
        return INLINE_CODE.matcher(outsideFences(markdown)).replaceAll("");
    }

    private static String outsideFences(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean inFence = false;
        for (String line : markdown.lines().toList()) {
            if (line.startsWith("```")) {
                inFence = !inFence;
            } else if (!inFence) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** GitHub's anchors: headings lower-cased, punctuation dropped, spaces as hyphens, repeats numbered. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new TreeMap<>();
        for (String line : outsideFences(Files.readString(page)).lines().toList()) {
            Matcher heading = HEADING.matcher(line);
            if (!heading.matches()) {
                continue;
            }
            String slug = heading.group(1).strip().toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int count = seen.merge(slug, 1, Integer::sum);
            anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return anchors;
    }

    /** A relative path into this repository, as opposed to a class-path location, a URL or a build output. */
    private static boolean isRepositoryPath(String token, Set<String> topLevel) {
        if (!token.contains("/") || token.matches(".*[*<>{}$ ].*") || token.contains("...") || token.contains("target/")
                || token.startsWith("data/") || token.startsWith("bench/results")) {
            return false;
        }
        return topLevel.contains(token.substring(0, token.indexOf('/')));
    }

    /** The repository's own files: no version control, build output, downloaded packages or runtime data. */
    private static List<Path> repositoryFiles(Predicate<String> name) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                String directory = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skipped = Set.of(".git", "target", "node_modules").contains(directory)
                        || dir.equals(ROOT.resolve("data"));
                return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (name.test(file.getFileName().toString())) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return files;
    }

    private static Document parse(Path xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    }

    /** The text of the first child element named {@code tag} directly under {@code parent}. */
    private static String text(Element parent, String tag) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element child && child.getTagName().equals(tag)) {
                return child.getTextContent().strip();
            }
        }
        return "";
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("DocsTest runs inside the repository; working directory "
                    + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
