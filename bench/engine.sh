#!/usr/bin/env bash
# Compares HTTP engines under one raw com.sun.net.httpserver HttpHandler (GET /json): the JDK's built-in
# provider, robaho's, and backend-http, inline and with an executor. Each round starts every variant in a fresh
# JVM, warms it up, then measures it with wrk; variants are interleaved round by round so drift on a shared
# machine hits all of them alike. Per variant and round: req/s, the server's CPU time per request (user + sys
# from /proc/<pid>/stat over the measured run, divided by the requests), and the ratio to the JDK's req/s in
# the same round; then the medians.
#
#   bench/engine.sh                               # 3 rounds, every variant
#   ROUNDS=5 VARIANTS="jdk backend" bench/engine.sh
#
# Settings (environment): ROUNDS (3), VARIANTS ("jdk robaho backend backend-executor"), THREADS (1),
# CONNECTIONS (64), DURATION (8s), WARMUP (3s), HEAP (512m), JAVA_OPTS (extra JVM options),
# ROBAHO_JAR (io.github.robaho:httpserver 1.0.29 from the local Maven repository). Needs wrk
# (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh

ROUNDS=${ROUNDS:-3}
VARIANTS=${VARIANTS:-jdk robaho backend backend-executor}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-3s}
HEAP=${HEAP:-512m}
ROBAHO_JAR=${ROBAHO_JAR:-$HOME/.m2/repository/io/github/robaho/httpserver/1.0.29/httpserver-1.0.29.jar}

command -v wrk >/dev/null 2>&1 || { echo "bench: wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }
if [[ " $VARIANTS " == *" robaho "* && ! -f "$ROBAHO_JAR" ]]; then
  echo "bench: robaho's jar is not at $ROBAHO_JAR (./mvnw dependency:get -Dartifact=io.github.robaho:httpserver:1.0.29)" >&2
  exit 1
fi

echo "bench: compiling backend-http and its tests" >&2
./mvnw -q -pl backend-http test-compile
cp="backend-http/target/classes:backend-http/target/test-classes:$ROBAHO_JAR"
tick=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run_variant() { # $1 variant -> prints "rps cpu_us_per_request p99"
  local variant=$1 port= out pid
  out=$(mktemp)
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  "$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" \
    dev.backend.http.bench.RawBench "$variant" 0 >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    port=$(sed -n 's/^RawBench .* port \([0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && break
    sleep 0.05
  done
  if [ -z "$port" ]; then
    echo "bench: $variant did not start:" >&2; cat "$out" >&2; kill "$pid" 2>/dev/null; rm -f "$out"; return 1
  fi
  local url="http://127.0.0.1:$port/json"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  local before after result
  before=$(cpu_ticks "$pid")
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  after=$(cpu_ticks "$pid")
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  rm -f "$out"
  local requests rps p99 errors
  requests=$(echo "$result" | awk '/requests in/ { print $1 }')
  rps=$(echo "$result" | awk '/Requests\/sec/ { print $2 }')
  p99=$(echo "$result" | awk '$1 == "99%" { print $2 }')
  errors=$(echo "$result" | awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }')
  [ -n "$errors" ] && echo "bench: $variant: $errors" >&2
  awk -v r="$requests" -v t=$((after - before)) -v hz="$tick" -v rps="$rps" -v p99="$p99" \
    'BEGIN { printf "%.0f %.2f %s\n", rps, (t * 1e6 / hz) / r, p99 }'
}

declare -A rps cpu p99s ratio
printf '%-18s %6s %10s %10s %8s %7s\n' variant round req/s cpu_us/req p99 ratio
for round in $(seq 1 "$ROUNDS"); do
  echo "bench: round $round, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  for variant in $VARIANTS; do
    read -r r c p < <(run_variant "$variant")
    rps[$variant,$round]=$r; cpu[$variant,$round]=$c; p99s[$variant,$round]=$p
  done
  base=${rps[jdk,$round]:-}
  for variant in $VARIANTS; do
    ratio[$variant,$round]=$( [ -n "$base" ] && awk -v a="${rps[$variant,$round]}" -v b="$base" 'BEGIN { printf "%.2f", a / b }' || echo "-")
    printf '%-18s %6s %10s %10s %8s %7s\n' "$variant" "$round" "${rps[$variant,$round]}" "${cpu[$variant,$round]}" \
      "${p99s[$variant,$round]}" "${ratio[$variant,$round]}"
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
printf '%-18s %10s %10s %7s   (medians over %s rounds, load now %s)\n' variant req/s cpu_us/req ratio "$ROUNDS" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
for variant in $VARIANTS; do
  m_rps=$(for r in $(seq 1 "$ROUNDS"); do echo "${rps[$variant,$r]}"; done | median)
  m_cpu=$(for r in $(seq 1 "$ROUNDS"); do echo "${cpu[$variant,$r]}"; done | median)
  m_ratio=$(for r in $(seq 1 "$ROUNDS"); do echo "${ratio[$variant,$r]}"; done | median)
  printf '%-18s %10s %10s %7s\n' "$variant" "$m_rps" "$m_cpu" "$m_ratio"
done
