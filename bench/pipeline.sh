#!/usr/bin/env bash
# Measures what the pipeline costs: GET /json from a raw com.sun.net.httpserver HttpHandler and from the
# pipeline variants, on the same provider and virtual-thread executor, driven by wrk on loopback in the
# same run. Variants are interleaved round by round so drift on a shared machine hits all of them alike;
# the report gives each variant's median req/s and p99 over the rounds, and the median of its per-round
# ratio to the raw handler.
#
#   bench/pipeline.sh                      # 3 rounds, JDK provider, every variant
#   ROUNDS=5 PROVIDER=robaho bench/pipeline.sh
#   VARIANTS="raw router stack stack-log" bench/pipeline.sh
#
# Variants: raw (a hand-written HttpHandler), router (Router + HttpAdapter), stack (the server's standard
# middleware around the router, access log off), stack-log (the same with the access log on, written to
# a file as a log collector would read it).
#
# Settings (environment): ROUNDS (3), PROVIDER (jdk|robaho), VARIANTS ("raw router stack stack-log"), THREADS (1),
# CONNECTIONS (64), DURATION (8s), WARMUP (3s), HEAP (512m), JAVA_OPTS (extra JVM options). Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh

ROUNDS=${ROUNDS:-3}
PROVIDER=${PROVIDER:-jdk}
VARIANTS=${VARIANTS:-raw router stack stack-log}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-3s}
HEAP=${HEAP:-512m}
MAIN=${MAIN:-dev.backend.examples.bench.PipelineBench}

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk)" >&2
  exit 1
fi

echo "bench: building backend-examples" >&2
cp=$(backend-examples/run --classpath)
if [ "$PROVIDER" = robaho ]; then
  # The examples carry no second provider (HttpServer.create would pick it over the JDK's); fetch robaho's.
  robaho_version=$(sed -n 's:.*<robaho-httpserver.version>\(.*\)</robaho-httpserver.version>.*:\1:p' pom.xml)
  ./mvnw -q -N dependency:copy -Dartifact="io.github.robaho:httpserver:$robaho_version" -DoutputDirectory=target/robaho
  cp="$cp:$PWD/target/robaho/httpserver-$robaho_version.jar"
fi

out_dir=bench/results
mkdir -p "$out_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw_log="$out_dir/pipeline-$stamp.log"

to_ms() { # wrk prints 812.00us, 3.21ms or 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}

run_variant() { # $1 variant -> prints "rps p99ms"; runs in a subshell of its own, so it cleans up itself
  local variant=$1 port=
  server_pid= # not local: the EXIT trap below runs after the function returns
  server_out=$(mktemp)
  trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -f "$server_out"' EXIT
  # Port 0: the server binds a free port and prints it.
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  "$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" "$MAIN" "$variant" "$PROVIDER" 0 \
    >"$server_out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    port=$(sed -n 's/^PipelineBench .* port \([0-9]*\)$/\1/p' "$server_out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  head -n 20 "$server_out" >>"$raw_log"
  if [ -z "$port" ]; then echo "bench: $variant did not start (see $raw_log)" >&2; exit 1; fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$port/json" >/dev/null
  local result
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/json")
  echo "== $variant ($PROVIDER)" >>"$raw_log"
  echo "$result" >>"$raw_log"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  rm -f "$server_out"
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$result")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$result")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$result" || true)
  [ -n "$errors" ] && echo "bench: $variant: $errors" >&2
  echo "$rps $(to_ms "$p99")"
}

declare -A rps_of p99_of ratio_of
first=${VARIANTS%% *}
for round in $(seq 1 "$ROUNDS"); do
  for variant in $VARIANTS; do
    measured=$(run_variant "$variant") || exit 1
    read -r rps p99 <<<"$measured"
    printf 'round %d %-9s %10.0f req/s  p99 %7.2f ms\n' "$round" "$variant" "$rps" "$p99" >&2
    rps_of[$variant]+="$rps "
    p99_of[$variant]+="$p99 "
    [ "$variant" = "$first" ] && base_rps=$rps
    # The ratio within a round compares runs seconds apart; across rounds the machine drifts more.
    ratio_of[$variant]+="$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.4f", a / b }') "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION GET /json, provider $PROVIDER, $ROUNDS rounds, medians ($(nproc) cores, $(date -u +%F))"
echo "(vs $first: the median over rounds of each round's ratio to $first)"
printf '| %-9s | %10s | %8s | %s |\n' variant "req/s" "p99 ms" "vs $first"
printf '|%s|%s|%s|%s|\n' ----------- ------------ ---------- ----------
for variant in $VARIANTS; do
  rps=$(median <<<"${rps_of[$variant]}")
  p99=$(median <<<"${p99_of[$variant]}")
  ratio=$(median <<<"${ratio_of[$variant]}")
  printf '| %-9s | %10.0f | %8.2f | %.3f |\n' "$variant" "$rps" "$p99" "$ratio"
done
echo "(raw wrk output: $raw_log)"
