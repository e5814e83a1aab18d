#!/usr/bin/env bash
# What metrics cost: GET /json (hello world) from the full runtime (TechEmpowerService on BackendServer, standard
# middleware, embedded PostgreSQL) with METRICS=true against METRICS=false, driven by wrk on loopback in the
# same run. The two are interleaved round by round so drift on a shared machine hits both alike; the report
# gives each one's median req/s, p99 and server CPU time per request (from /proc: user + system of the server
# process while wrk measures), and the median over rounds of each round's on/off ratios.
#
#   bench/metrics.sh                       # 5 rounds
#   ROUNDS=3 DURATION=5s bench/metrics.sh
#   ACCESS_LOG=true bench/metrics.sh       # the default configuration (access log to a file)
#
# Settings (environment): ROUNDS (5), THREADS (1), CONNECTIONS (64), DURATION (8s), WARMUP (12s: shorter, the JIT
# is still compiling the metrics code while wrk measures, and its CPU shows as a cost per request), HEAP (512m),
# ACCESS_LOG (false: the stricter measure, since the log line costs more than the metrics), JAVA_OPTS.
# Needs wrk (Debian: apt-get install wrk).
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
MAIN=dev.backend.examples.techempower.TechEmpowerService

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk)" >&2
  exit 1
fi

echo "bench: building backend-examples" >&2
cp=$(backend-examples/run --classpath)

out_dir=bench/results
mkdir -p "$out_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw_log="$out_dir/metrics-$stamp.log"
data_dir=$(mktemp -d)
ticks=$(getconf CLK_TCK)
trap 'rm -rf "$data_dir"' EXIT

to_ms() { # wrk prints 812.00us, 3.21ms or 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}

cpu_ticks() { # user + system time of a process, in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

run_variant() { # $1 on|off -> prints "rps p99ms cpu_us_per_request"; cleans up after itself
  local variant=$1 metrics=false port=
  [ "$variant" = on ] && metrics=true
  server_pid= # not local: the EXIT trap below runs after the function returns
  server_out=$(mktemp)
  trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -f "$server_out"' EXIT
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  HOST=127.0.0.1 PORT=0 METRICS=$metrics ACCESS_LOG=$ACCESS_LOG EMBEDDED_DATABASE_DIR="$data_dir/postgres" \
    MIN_CONNECTIONS=4 MAX_CONNECTIONS=16 \
    "$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" "$MAIN" \
    >"$server_out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    port=$(sed -n 's/.*Listening on http:\/\/[^:]*:\([0-9]*\) .*/\1/p' "$server_out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  grep -v 'dev.backend.access' "$server_out" | head -n 20 >>"$raw_log"
  if [ -z "$port" ]; then echo "bench: metrics=$metrics did not start (see $raw_log)" >&2; exit 1; fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$port/json" >/dev/null
  local result before after
  before=$(cpu_ticks "$server_pid")
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/json")
  after=$(cpu_ticks "$server_pid")
  echo "== metrics $variant" >>"$raw_log"
  echo "$result" >>"$raw_log"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  rm -f "$server_out"
  local rps p99 requests errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$result")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$result")
  requests=$(awk '/requests in/ { print $1 }' <<<"$result")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$result" || true)
  [ -n "$errors" ] && echo "bench: metrics $variant: $errors" >&2
  echo "$rps $(to_ms "$p99") $(awk -v t=$((after - before)) -v hz="$ticks" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "bench: load before: $(uptime)" | tee -a "$raw_log" >&2
declare -A rps_of p99_of cpu_of
rps_ratios= cpu_ratios=
for round in $(seq 1 "$ROUNDS"); do
  for variant in off on; do
    measured=$(run_variant "$variant") || exit 1
    read -r rps p99 cpu <<<"$measured"
    printf 'round %d metrics %-3s %10.0f req/s  p99 %7.2f ms  %6.1f us CPU/request\n' "$round" "$variant" "$rps" "$p99" "$cpu" >&2
    rps_of[$variant]+="$rps "
    p99_of[$variant]+="$p99 "
    cpu_of[$variant]+="$cpu "
    if [ "$variant" = off ]; then off_rps=$rps; off_cpu=$cpu; fi
  done
  rps_ratios+="$(awk -v a="$rps" -v b="$off_rps" 'BEGIN { printf "%.4f", a / b }') "
  cpu_ratios+="$(awk -v a="$cpu" -v b="$off_cpu" 'BEGIN { printf "%.4f", a / b }') "
done
echo "bench: load after: $(uptime)" | tee -a "$raw_log" >&2

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION GET /json, full runtime (ACCESS_LOG=$ACCESS_LOG), $ROUNDS rounds, medians ($(nproc) cores, $(date -u +%F))"
printf '| %-11s | %10s | %8s | %14s |\n' metrics "req/s" "p99 ms" "CPU us/request"
printf '|%s|%s|%s|%s|\n' ------------- ------------ ---------- ----------------
for variant in off on; do
  printf '| %-11s | %10.0f | %8.2f | %14.1f |\n' "$variant" "$(median <<<"${rps_of[$variant]}")" \
    "$(median <<<"${p99_of[$variant]}")" "$(median <<<"${cpu_of[$variant]}")"
done
echo "on/off, median of per-round ratios: throughput $(median <<<"$rps_ratios"), CPU per request $(median <<<"$cpu_ratios")"
echo "(raw wrk output: $raw_log)"
