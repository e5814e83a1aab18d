package dev.backend.examples.techempower;

import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The TechEmpower Framework Benchmarks endpoints, following the benchmark's rules: {@code /json},
 * {@code /plaintext}, {@code /db}, {@code /queries?queries=N}, {@code /fortunes}; every response carries
 * {@code Server} (and the provider's {@code Date}).
 *
 * <p>Rules that shape the code: every {@code /queries} row is its own query (no {@code IN} batching); N
 * that is missing, not an integer or below 1 counts as 1, above 500 as 500; fortunes are all read, one
 * is added at request time, the list is sorted by message and HTML-escaped while rendered.
 */
public final class TechEmpowerApi {

    /** A row of {@code world}, with the field names the benchmark's checker expects. */
    record World(int id, int randomNumber) {}

    /** A row of {@code fortune}. */
    record Fortune(int id, String message) {}

    record Message(String message) {}

    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final int WORLDS = 10_000;

    private final DataSource dataSource;

    private TechEmpowerApi(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The benchmark routes on {@code dataSource}, with the {@code Server} header the rules ask for. */
    public static Router routes(DataSource dataSource) {
        TechEmpowerApi api = new TechEmpowerApi(dataSource);
        return Router.create()
                .get("/json", request -> Response.json(new Message("Hello, World!")))
                .get("/plaintext", request -> Response.bytes(200, "text/plain", PLAINTEXT))
                .get("/db", api::db)
                .get("/queries", api::queries)
                .get("/fortunes", api::fortunes)
                .layer(Middleware.after((request, response) -> response.withHeader("Server", "backend")));
    }

    private Response db(Request request) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id, randomnumber FROM world WHERE id = ?")) {
            return Response.json(randomWorld(select));
        }
    }

    private Response queries(Request request) throws SQLException {
        int count = queryCount(request.query("queries").orElse(""));
        List<World> worlds = new ArrayList<>(count);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id, randomnumber FROM world WHERE id = ?")) {
            for (int i = 0; i < count; i++) {
                worlds.add(randomWorld(select));
            }
        }
        return Response.json(worlds);
    }

    private Response fortunes(Request request) throws SQLException {
        List<Fortune> fortunes = new ArrayList<>(16);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id, message FROM fortune");
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                fortunes.add(new Fortune(rs.getInt(1), rs.getString(2)));
            }
        }
        fortunes.add(new Fortune(0, "Additional fortune added at request time."));
        fortunes.sort(Comparator.comparing(Fortune::message));
        StringBuilder html = new StringBuilder(1024).append(
                "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>");
        for (Fortune fortune : fortunes) {
            html.append("<tr><td>").append(fortune.id()).append("</td><td>");
            escapeHtml(fortune.message(), html);
            html.append("</td></tr>");
        }
        return Response.html(html.append("</table></body></html>").toString());
    }

    /**
     * The benchmark's reading of {@code queries}: anything unusable is 1, and the count is capped at 500. An
     * integer is ASCII digits with an optional {@code -}, as {@code Request.queryInt} reads one: {@link BigInteger}
     * alone would also take {@code +5} and other scripts' digits ({@code ٥} was 5).
     */
    static int queryCount(String value) {
        String digits = value.startsWith("-") ? value.substring(1) : value;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 1;
        }
        BigInteger n = new BigInteger(value); // an integer too large for a long is still "greater than 500"
        return n.signum() <= 0 ? 1 : n.min(BigInteger.valueOf(500)).intValue();
    }

    /** Escapes the five characters that matter in HTML text and attribute values. */
    static void escapeHtml(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
    }

    private static World randomWorld(PreparedStatement select) throws SQLException {
        select.setInt(1, 1 + ThreadLocalRandom.current().nextInt(WORLDS));
        try (ResultSet rs = select.executeQuery()) {
            rs.next();
            return new World(rs.getInt(1), rs.getInt(2));
        }
    }
}
