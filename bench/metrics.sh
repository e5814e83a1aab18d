#!/usr/bin/env bash
# What metrics cost: GET /json (hello world) from the full runtime (TechEmpowerService on BackendServer, standard
# middleware, embedded PostgreSQL) with METRICS=true against METRICS=false. Measured by bench/harness.sh: the two
# interleaved round by round, each in a fresh JVM; "vs off" is the req/s ratio within each round, and the CPU
# column (server user + system time per request) the figure to compare on a shared machine.
#
#   bench/metrics.sh                       # 5 rounds
#   ROUNDS=3 DURATION=5s bench/metrics.sh
#   ACCESS_LOG=true bench/metrics.sh       # the default configuration (access log on, to a file)
#
# Settings (environment): ROUNDS (5), THREADS (1), CONNECTIONS (64), DURATION (8s), WARMUP (12s: shorter, the JIT
# is still compiling the metrics code while wrk measures, and its CPU shows as a cost per request), HEAP (512m),
# ACCESS_LOG (false: the stricter measure, since the log line costs more than the metrics), JAVA_OPTS.
# Installs wrk (Debian) if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh

ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-12s}
HEAP=${HEAP:-512m}
ACCESS_LOG=${ACCESS_LOG:-false}
# The embedded database starts with each JVM: the first start unpacks PostgreSQL.
START_TIMEOUT=60
. bench/harness.sh

echo "bench: building backend-examples" >&2
cp=$(backend-examples/run --classpath)
data_dir=$(mktemp -d)
trap 'rm -rf "$data_dir"' EXIT

start_variant() { # off|on OUT -> pid
  local metrics=false
  [ "$1" = on ] && metrics=true
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  HOST=127.0.0.1 PORT=0 METRICS=$metrics ACCESS_LOG=$ACCESS_LOG EMBEDDED_DATABASE_DIR="$data_dir/postgres" \
    MIN_CONNECTIONS=4 MAX_CONNECTIONS=16 \
    "$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" \
    dev.backend.examples.techempower.TechEmpowerService >"$2" 2>&1 &
  echo $!
}

port_in() { # the server logs "Listening on http://HOST:PORT (...)"
  sed -n 's/.*Listening on http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$1" | head -n 1
}

run_rounds off on
report "bench/metrics.sh, full runtime, ACCESS_LOG=$ACCESS_LOG"
