#!/usr/bin/env bash
# The engines alone under one raw com.sun.net.httpserver HttpHandler (GET /json, a constant body): the JDK's
# built-in provider, and backend-http inline and with an executor (RawBench, in backend-http's test classes, so
# nothing but the engine is on the class path). Measured by bench/harness.sh; "vs" is each variant's req/s
# against the first's in the same round.
#
#   bench/engine.sh                               # 3 rounds, every variant
#   ROUNDS=5 VARIANTS="jdk backend" bench/engine.sh
#
# Settings (environment): ROUNDS (3), VARIANTS ("jdk backend backend-executor"), THREADS (1), CONNECTIONS (64),
# DURATION (8s), WARMUP (3s), HEAP (512m), JAVA_OPTS (extra JVM options). Installs wrk (Debian) if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh

ROUNDS=${ROUNDS:-3}
VARIANTS=${VARIANTS:-jdk backend backend-executor}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-3s}
HEAP=${HEAP:-512m}
. bench/harness.sh

echo "bench: compiling backend-http and its tests" >&2
./mvnw -q -pl backend-http test-compile
cp="backend-http/target/classes:backend-http/target/test-classes"

start_variant() { # VARIANT OUT -> pid
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  "$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" \
    dev.backend.http.bench.RawBench "$1" 0 >"$2" 2>&1 &
  echo $!
}

# shellcheck disable=SC2086 # VARIANTS is a list
run_rounds $VARIANTS
report "bench/engine.sh"
