#!/usr/bin/env bash
# The engine and pipeline ratios of this project's own variants: GET /json ({"message":"Hello, World!"},
# serialised per request) from a raw com.sun.net.httpserver HttpHandler and from the pipeline, on the JDK's
# provider and on backend-http, each engine run as backend-server runs it (backend-http: the handler on each
# connection's virtual thread; the JDK's: a virtual thread per exchange). Measured by bench/harness.sh.
#
#   bench/pipeline.sh                              # 3 rounds: raw@jdk raw@backend router stack stack-log
#   ROUNDS=5 PROVIDER=jdk bench/pipeline.sh        # the pipeline variants on the JDK's provider
#   VARIANTS="raw@jdk raw@backend stack-log" bench/pipeline.sh
#
# Variants, each NAME or NAME@ENGINE (ENGINE jdk or backend; without it, PROVIDER): raw (a hand-written
# HttpHandler), router (Router + HttpAdapter, no middleware), stack (the server's standard middleware around the
# router, access log off), stack-log (the same with the access log on, written to a file as a log collector would
# read it). The first variant is the baseline of "vs" (issue 10's engine ratio when it is raw@jdk); "vs raw, same
# engine" is the pipeline's cost against the raw handler on its own engine in req/s, "CPU vs raw, same" in CPU
# time per request (issue 10's pipeline target: stack-log at most 1.10).
#
# Settings (environment): ROUNDS (3), PROVIDER (backend|jdk: backend), VARIANTS ("raw@jdk raw@backend router stack
# stack-log"), THREADS (1), CONNECTIONS (64), DURATION (8s), WARMUP (3s), HEAP (512m), JAVA_OPTS (extra JVM
# options). Installs wrk (Debian) if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh

ROUNDS=${ROUNDS:-3}
PROVIDER=${PROVIDER:-backend}
VARIANTS=${VARIANTS:-raw@jdk raw@backend router stack stack-log}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-3s}
HEAP=${HEAP:-512m}
. bench/harness.sh

echo "bench: building backend-examples" >&2
cp=$(backend-examples/run --classpath)

qualified() { [[ $1 == *@* ]] && echo "$1" || echo "$1@$PROVIDER"; }

start_variant() { # VARIANT OUT -> pid
  local variant=${1%@*} engine=${1#*@}
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  "$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" \
    dev.backend.examples.bench.PipelineBench "$variant" "$engine" 0 >"$2" 2>&1 &
  echo $!
}

base_of() { # the raw handler on the variant's own engine
  echo "raw@${1#*@}"
}

variants=()
for variant in $VARIANTS; do variants+=("$(qualified "$variant")"); done
run_rounds "${variants[@]}"
report "bench/pipeline.sh"
