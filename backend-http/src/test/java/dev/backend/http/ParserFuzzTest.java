package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Mutated requests from a fixed seed, for a bounded time, through the parser alone and through the whole request
 * loop in memory (parser, body decoding, handlers, response writer). The seed makes every failure reproducible;
 * the counts are printed to the test output.
 */
class ParserFuzzTest {

    private static final long SEED = 0x5EED_2026_0010L;
    /** Each run lasts this long, and covers at least {@link #MIN_INPUTS} however slow the machine is. */
    private static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final int MIN_INPUTS = 2000;
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final HttpServerOptions OPTIONS = HttpServerOptions.defaults()
            .withMaxRequestLineLength(4096).withMaxHeaderSize(8192).withMaxHeaderCount(50);

    @Test
    void parserRefusesMutatedRequestsOnlyWithItsOwnSignal() {
        InMemory memory = InMemory.echo(OPTIONS);
        Map<Integer, Integer> outcomes = new TreeMap<>();
        int runs = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Fuzz fuzz = new Fuzz(SEED);
            int count = 0;
            long end = System.nanoTime() + BUDGET_NANOS;
            while (count < MIN_INPUTS || System.nanoTime() < end) {
                byte[] input = fuzz.next();
                Connection connection = new Connection(memory.engine, new MemoryTransport(input, fuzz.slice()), false);
                RequestParser parser = new RequestParser(connection);
                RequestHead head = new RequestHead();
                try {
                    // Each parse consumes one head; what follows is parsed as the next one, bodies included.
                    while (parser.parse(head, System.nanoTime() + TimeUnit.HOURS.toNanos(1), 0)) {
                        outcomes.merge(200, 1, Integer::sum);
                    }
                } catch (HttpError refused) {
                    outcomes.merge(refused.status(), 1, Integer::sum);
                    assertTrue(Fuzz.EXPECTED_STATUSES.contains(refused.status()), refused.status() + " for " + Fuzz.printable(input));
                } catch (Throwable escaped) {
                    fail("the parser let " + escaped + " escape for " + Fuzz.printable(input), escaped);
                }
                count++;
            }
            return count;
        });
        System.out.printf("parser fuzz: %d inputs (seed %x), heads parsed or refused by status: %s%n", runs, SEED, outcomes);
        assertTrue(runs >= MIN_INPUTS, "only " + runs + " inputs ran");
    }

    @Test
    void wholeRequestLoopAnswersMutatedRequestsWithoutServerErrorsOrInternals() {
        InMemory memory = InMemory.echo(OPTIONS);
        Map<Integer, Integer> statuses = new TreeMap<>();
        int runs = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Fuzz fuzz = new Fuzz(SEED + 1);
            int count = 0;
            long end = System.nanoTime() + BUDGET_NANOS;
            while (count < MIN_INPUTS || System.nanoTime() < end) {
                byte[] input = fuzz.next();
                String output = memory.run(input, fuzz.slice()).output.toString(StandardCharsets.ISO_8859_1);
                check(input, output, statuses);
                count++;
            }
            return count;
        });
        System.out.printf("request loop fuzz: %d inputs (seed %x), responses by status: %s%n", runs, SEED + 1, statuses);
        assertTrue(runs >= MIN_INPUTS, "only " + runs + " inputs ran");
        assertEquals(null, statuses.get(500));
    }

    /** No 500, no internals, and every response starts with a well-formed status line. */
    static void check(byte[] input, String output, Map<Integer, Integer> statuses) {
        if (Fuzz.INTERNALS.matcher(output).find()) {
            fail("internals in the response to " + Fuzz.printable(input) + ":\n" + output);
        }
        if (!output.isEmpty() && !output.startsWith("HTTP/1.1 ")) {
            fail("not a response to " + Fuzz.printable(input) + ":\n" + output);
        }
        Matcher matcher = STATUS.matcher(output);
        while (matcher.find()) {
            int status = Integer.parseInt(matcher.group(1));
            statuses.merge(status, 1, Integer::sum);
            if (!Fuzz.EXPECTED_STATUSES.contains(status)) {
                fail(status + " in the response to " + Fuzz.printable(input) + ":\n" + output);
            }
        }
    }
}
