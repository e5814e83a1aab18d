package dev.backend.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * libpq's connection parameters made into pgJDBC's connection properties, one by one, where pgJDBC does what
 * libpq would; the others are refused, saying why. The location ({@code host}, {@code hostaddr}, {@code port},
 * {@code dbname}) and the credentials are {@link DatabaseUrl}'s.
 */
final class LibpqParameters {

    /** libpq's connection parameters (PostgreSQL 18, §32.1.2); the ones pgJDBC cannot follow are refused. */
    static final Set<String> KEYWORDS = Set.of("host", "hostaddr", "port", "dbname", "user", "password",
            "passfile", "require_auth", "channel_binding", "connect_timeout", "client_encoding", "options",
            "application_name", "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
            "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode", "requiressl",
            "sslnegotiation", "sslcompression", "sslcert", "sslkey", "sslkeylogfile", "sslpassword", "sslcertmode",
            "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
            "ssl_max_protocol_version", "min_protocol_version", "max_protocol_version", "krbsrvname", "gsslib",
            "gssdelegation", "scram_client_key", "scram_server_key", "service", "target_session_attrs",
            "load_balance_hosts", "oauth_issuer", "oauth_client_id", "oauth_client_secret", "oauth_scope");

    private static final Pattern INTEGER = Pattern.compile("\\s*[+-]?[0-9]{1,9}\\s*");

    /** The parameters not yet translated. */
    private final Map<String, String> libpq;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private LibpqParameters(Map<String, String> libpq) {
        this.libpq = new LinkedHashMap<>(libpq);
        for (String location : List.of("host", "hostaddr", "port", "dbname", "user", "password")) {
            this.libpq.remove(location);
        }
    }

    /**
     * pgJDBC's properties for libpq's parameters (by keyword, non-empty values); throws {@link
     * IllegalArgumentException} for the first that pgJDBC cannot honour. {@code defaultRootCertificate} is where
     * both look for a root certificate when {@code sslrootcert} is not given.
     */
    static Map<String, String> toPgjdbc(Map<String, String> libpq, Path defaultRootCertificate) {
        LibpqParameters parameters = new LibpqParameters(libpq);
        parameters.security(defaultRootCertificate);
        parameters.session();
        parameters.refuseTheRest();
        return parameters.properties;
    }

    /** TLS, GSS and authentication. */
    private void security(Path defaultRootCertificate) {
        String rootCertificate = take("sslrootcert");
        String requiressl = take("requiressl");
        String sslmode = take("sslmode");
        if (sslmode == null && requiressl != null) {
            sslmode = integer("requiressl", requiressl) != 0 ? "require" : "prefer";
        }
        if ("system".equals(rootCertificate)) {
            // libpq: the trust store of the TLS library, with sslmode verify-full and nothing weaker.
            if (sslmode != null && !sslmode.equals("verify-full")) {
                throw new IllegalArgumentException("sslrootcert=system requires sslmode=verify-full, as libpq does");
            }
            properties.put("sslmode", "verify-full");
            properties.put("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        } else {
            if (rootCertificate != null) {
                properties.put("sslrootcert", rootCertificate);
            }
            boolean verifiable = rootCertificate != null || Files.exists(defaultRootCertificate);
            String mode = sslmode == null ? "prefer" : sslmode;
            switch (mode) {
                case "disable", "verify-ca", "verify-full" -> properties.put("sslmode", mode);
                case "allow", "prefer" -> {
                    if (verifiable) {
                        throw new IllegalArgumentException("sslmode=" + mode + (sslmode == null ? " (libpq's "
                                + "default)" : "") + " with a root certificate ("
                                + (rootCertificate != null ? "sslrootcert" : "~/.postgresql/root.crt") + "): libpq "
                                + "verifies the server with it when it uses TLS, and falls back to plain text "
                                + "otherwise; pgJDBC cannot do both. Choose sslmode=verify-ca or verify-full, or "
                                + "disable");
                    }
                    if (sslmode != null) {
                        properties.put("sslmode", mode);
                    }
                }
                // libpq's require checks the certificate chain when it has a root certificate; pgJDBC's never.
                case "require" -> properties.put("sslmode", verifiable ? "verify-ca" : "require");
                default -> throw oneOf("sslmode", "disable, allow, prefer, require, verify-ca, verify-full");
            }
        }
        copy("sslcert", "sslcert");
        copy("sslkey", "sslkey");
        copy("sslpassword", "sslpassword");
        choice("sslnegotiation", "sslNegotiation", "postgres", "direct");
        choice("gssencmode", "gssEncMode", "disable", "prefer", "require");
        choice("channel_binding", "channelBinding", "disable", "prefer", "require");
        copy("krbsrvname", "kerberosServerName");
        choice("gsslib", "gsslib", "gssapi", "sspi");
        String requireAuth = take("require_auth");
        if (requireAuth != null) {
            for (String method : requireAuth.split(",")) {
                String name = method.strip().startsWith("!") ? method.strip().substring(1) : method.strip();
                if (!List.of("password", "md5", "gss", "sspi", "scram-sha-256", "none").contains(name)) {
                    throw new IllegalArgumentException("require_auth: pgJDBC knows the methods password, md5, gss, "
                            + "sspi, scram-sha-256 and none" + (name.equals("oauth") ? "; it has no OAuth" : ""));
                }
            }
            properties.put("requireAuth", requireAuth);
        }
        noOp("sslcompression", "0", "PostgreSQL 14 and later never compress");
        noOp("sslcertmode", "allow", "pgJDBC sends a client certificate when it has one");
        noOp("sslsni", "1", "the JDK always sends the host name (SNI)");
        noOp("gssdelegation", "0", "pgJDBC does not delegate GSS credentials");
        noOp("ssl_min_protocol_version", "TLSv1.2", "the JDK accepts TLSv1.2 and TLSv1.3 only");
        noOp("ssl_max_protocol_version", "TLSv1.3", "the JDK accepts TLSv1.2 and TLSv1.3 only");
    }

    /** Hosts, timeouts and the session. */
    private void session() {
        String attributes = take("target_session_attrs");
        if (attributes != null) {
            properties.put("targetServerType", switch (attributes) {
                case "any" -> "any";
                case "read-write" -> "primary";
                case "read-only" -> "secondary";
                case "primary", "standby", "prefer-standby" -> throw new IllegalArgumentException(
                        "target_session_attrs=" + attributes + ": pgJDBC tells servers apart by whether they "
                                + "accept writes, not by whether they are in hot standby; use read-write or "
                                + "read-only, or pgJDBC's targetServerType (primary, secondary, preferSecondary) "
                                + "with its meaning");
                default -> throw oneOf("target_session_attrs",
                        "any, read-write, read-only, primary, standby, prefer-standby");
            });
        }
        String balance = take("load_balance_hosts");
        if (balance != null) {
            properties.put("loadBalanceHosts", switch (balance) {
                case "disable" -> "false";
                case "random" -> "true";
                default -> throw oneOf("load_balance_hosts", "disable, random");
            });
        }
        String timeout = take("connect_timeout");
        if (timeout != null) {
            // libpq waits forever for zero or less; pgJDBC for zero. libpq's bounds each host's whole attempt,
            // pgJDBC's connectTimeout only the TCP connect: ConnectAttempts bounds the rest of each host's by it.
            properties.put("connectTimeout", Integer.toString(Math.max(0, integer("connect_timeout", timeout))));
        }
        String keepalives = take("keepalives");
        if (keepalives != null) {
            properties.put("tcpKeepAlive", Boolean.toString(integer("keepalives", keepalives) != 0));
        }
        for (String timing : List.of("keepalives_idle", "keepalives_interval", "keepalives_count",
                "tcp_user_timeout")) {
            noOp(timing, "0", "pgJDBC cannot set TCP timings per connection; set tcpKeepAlive=true and the "
                    + "operating system's net.ipv4.tcp_keepalive_* instead");
        }
        String name = take("application_name");
        String fallback = take("fallback_application_name");
        if (name != null || fallback != null) {
            properties.put("ApplicationName", name != null ? name : fallback);
        }
        copy("options", "options");
        String encoding = take("client_encoding");
        if (encoding != null && !List.of("utf8", "unicode").contains(
                encoding.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""))) {
            throw new IllegalArgumentException("client_encoding: pgJDBC always uses UTF8");
        }
        String replication = take("replication");
        if (replication != null && !List.of("0", "off", "false", "no").contains(replication.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("replication: a replication connection cannot serve an "
                    + "application's pool");
        }
        noOp("min_protocol_version", "3.0", "pgJDBC speaks protocol 3.0");
        noOp("max_protocol_version", "3.0", "pgJDBC speaks protocol 3.0");
    }

    /** What pgJDBC has no way to do. */
    private void refuseTheRest() {
        if (!libpq.isEmpty()) {
            String keyword = libpq.keySet().iterator().next();
            throw new IllegalArgumentException(keyword + ": " + switch (keyword) {
                case "service" -> "pgJDBC reads pg_service.conf, but not with libpq's parameter names, so some "
                        + "settings would be dropped; write the service's settings into the URL instead";
                case "passfile" -> "pgJDBC reads only the password file that PGPASSFILE names, or ~/.pgpass";
                case "requirepeer" -> "it applies to Unix-domain sockets, which pgJDBC cannot use";
                case "sslcrl", "sslcrldir" -> "pgJDBC cannot check a certificate revocation list";
                case "sslkeylogfile" -> "pgJDBC cannot log TLS keys";
                case "scram_client_key", "scram_server_key" -> "pgJDBC cannot authenticate with SCRAM keys";
                case "oauth_issuer", "oauth_client_id", "oauth_client_secret", "oauth_scope" ->
                        "pgJDBC has no OAuth support";
                default -> "pgJDBC has no equivalent";
            });
        }
    }

    /** The value of a libpq keyword, which counts as handled from then on. */
    private String take(String keyword) {
        return libpq.remove(keyword);
    }

    private void copy(String keyword, String property) {
        String value = take(keyword);
        if (value != null) {
            properties.put(property, value);
        }
    }

    private void choice(String keyword, String property, String... values) {
        String value = take(keyword);
        if (value != null) {
            if (!List.of(values).contains(value)) {
                throw oneOf(keyword, String.join(", ", values));
            }
            properties.put(property, value);
        }
    }

    /** A keyword accepted only with the value that changes nothing for pgJDBC. */
    private void noOp(String keyword, String value, String why) {
        String given = take(keyword);
        if (given != null && !given.strip().equalsIgnoreCase(value)) {
            throw new IllegalArgumentException(keyword + ": only " + value + " can be honoured (" + why + ")");
        }
    }

    private static int integer(String keyword, String value) {
        if (!INTEGER.matcher(value).matches()) {
            throw new IllegalArgumentException(keyword + " must be an integer");
        }
        return Integer.parseInt(value.strip());
    }

    private static IllegalArgumentException oneOf(String keyword, String values) {
        return new IllegalArgumentException(keyword + " must be one of " + values);
    }
}
