package dev.backend.examples.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.middleware.Timeout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the {@link Timeout} middleware costs per request, in process: the same trivial handler called bare and
 * inside {@code Timeout.of(30s)}, interleaved round by round; the difference is the deadline's cost. Two shapes:
 * {@code loop} calls the handler from a few platform threads in a loop (the mechanism alone, with contention
 * between them); {@code spawn} starts one virtual thread per request with 64 in flight, as the server does.
 * Prints, per shape and variant, the median over the rounds of requests per second and of process CPU
 * microseconds per request (the timer's own thread included).
 *
 * <p>Run with: {@code java -cp <examples class path> dev.backend.examples.bench.TimeoutBench [rounds] [seconds]}
 */
public final class TimeoutBench {

    private static final int LOOP_THREADS = 2;
    private static final int SPAWN_IN_FLIGHT = 64;
    /** Written with every answer, so the compiler cannot drop the calls it measures. */
    private static volatile Response sink;

    private TimeoutBench() {}

    /** Runs {@code args[0]} rounds (5) of {@code args[1]} seconds (2) per shape and variant. */
    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long nanos = TimeUnit.SECONDS.toNanos(args.length > 1 ? Long.parseLong(args[1]) : 2);
        Request request = Request.builder("GET", "/").build();
        Response ok = Response.text("ok");
        Handler bare = r -> ok;
        Handler timed = Timeout.of(Duration.ofSeconds(30)).wrap(bare);
        // Warm both paths up before measuring.
        loop(bare, request, nanos / 2);
        loop(timed, request, nanos / 2);
        spawn(bare, request, nanos / 2);
        spawn(timed, request, nanos / 2);
        List<double[]> loopBare = new ArrayList<>();
        List<double[]> loopTimed = new ArrayList<>();
        List<double[]> spawnBare = new ArrayList<>();
        List<double[]> spawnTimed = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            loopBare.add(loop(bare, request, nanos));
            loopTimed.add(loop(timed, request, nanos));
            spawnBare.add(spawn(bare, request, nanos));
            spawnTimed.add(spawn(timed, request, nanos));
        }
        report("loop  bare   ", loopBare);
        report("loop  timeout", loopTimed);
        report("spawn bare   ", spawnBare);
        report("spawn timeout", spawnTimed);
    }

    /** {@value #LOOP_THREADS} platform threads calling {@code handler} back to back; returns {req/s, CPU us/req}. */
    private static double[] loop(Handler handler, Request request, long nanos) throws InterruptedException {
        LongAdder done = new LongAdder();
        long cpu = cpuNanos();
        long begin = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < LOOP_THREADS; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                long end = begin + nanos;
                long count = 0;
                while ((count & 1023) != 0 || System.nanoTime() < end) {
                    sink = Handler.respond(handler, request);
                    count++;
                }
                done.add(count);
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return result(done.sum(), System.nanoTime() - begin, cpuNanos() - cpu);
    }

    /** One virtual thread per request, {@value #SPAWN_IN_FLIGHT} at a time; returns {req/s, CPU us/req}. */
    private static double[] spawn(Handler handler, Request request, long nanos) throws InterruptedException {
        Semaphore inFlight = new Semaphore(SPAWN_IN_FLIGHT);
        LongAdder done = new LongAdder();
        long cpu = cpuNanos();
        long begin = System.nanoTime();
        long end = begin + nanos;
        long started = 0;
        while ((started & 1023) != 0 || System.nanoTime() < end) {
            inFlight.acquire();
            Thread.ofVirtual().start(() -> {
                sink = Handler.respond(handler, request);
                done.increment();
                inFlight.release();
            });
            started++;
        }
        inFlight.acquire(SPAWN_IN_FLIGHT);
        return result(done.sum(), System.nanoTime() - begin, cpuNanos() - cpu);
    }

    private static double[] result(long requests, long wallNanos, long cpuNanos) {
        return new double[] {requests * 1e9 / wallNanos, cpuNanos / 1e3 / requests};
    }

    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void report(String label, List<double[]> rounds) {
        System.out.printf(Locale.ROOT, "%s  %,12.0f req/s  %6.3f CPU us/req%n", label, median(rounds, 0),
                median(rounds, 1));
    }

    private static double median(List<double[]> rounds, int index) {
        double[] values = rounds.stream().mapToDouble(r -> r[index]).sorted().toArray();
        return values[values.length / 2];
    }
}
