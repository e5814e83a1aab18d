package dev.backend.reference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A program the tests run from Debian's packages (pgbouncer, nginx), installed with apt-get when it is missing
 * and the tests run as root, as on a fresh machine of ours; elsewhere the tests that need it are skipped with a
 * message that says what to install.
 */
final class DebianPackage {

    private DebianPackage() {}

    /** Makes sure {@code binary} exists, installing {@code name} if need be; skips the calling test otherwise. */
    static synchronized void require(Path binary, String name) throws IOException, InterruptedException {
        if (Files.isExecutable(binary)) {
            return;
        }
        Assumptions.assumeTrue(isRoot() && Files.isExecutable(Path.of("/usr/bin/apt-get")), name + " is not installed "
                + "and cannot be installed here (needs root and apt-get): apt-get install " + name
                + ", then run the tests again");
        // policy-rc.d answering 101 keeps the package from starting a service of its own.
        Path policy = Path.of("/usr/sbin/policy-rc.d");
        boolean ownPolicy = !Files.exists(policy);
        if (ownPolicy) {
            Files.writeString(policy, "#!/bin/sh\nexit 101\n");
            policy.toFile().setExecutable(true);
        }
        try {
            run("apt-get", "update", "-qq");
            run("apt-get", "install", "-y", "-qq", name);
        } finally {
            if (ownPolicy) {
                Files.deleteIfExists(policy);
            }
        }
        Assumptions.assumeTrue(Files.isExecutable(binary), "apt-get install " + name + " did not install " + binary);
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
