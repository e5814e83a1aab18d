#!/usr/bin/env bash
# System calls per request of each engine under bench/engine.sh's raw handler (GET /json, wrk -t1 -c64): read,
# write, epoll_ctl, epoll_wait, futex and context switches of the server process, counted by perf's syscall
# tracepoints while wrk runs, divided by wrk's requests. Explains where a small request's CPU goes
# (docs/http-engine.md, "What a request costs in system calls").
#
#   bench/syscalls.sh                     # VARIANTS as in bench/engine.sh: jdk backend
#   VARIANTS=backend DURATION=8 bench/syscalls.sh
#
# Settings (environment): VARIANTS ("jdk backend"), CONNECTIONS (64), WARMUP (3s), DURATION (5, seconds),
# HEAP (512m). Installs wrk and perf (Debian: wrk, linux-perf) if missing; perf needs access to tracepoints (root, or
# kernel.perf_event_paranoid <= -1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh
VARIANTS=${VARIANTS:-jdk backend}; CONNECTIONS=${CONNECTIONS:-64}; WARMUP=${WARMUP:-3s}; DURATION=${DURATION:-5}
HEAP=${HEAP:-512m}
. bench/packages.sh
require_packages syscalls wrk:wrk perf:linux-perf
./mvnw -q -pl backend-http test-compile
cp="backend-http/target/classes:backend-http/target/test-classes"
out="bench/results/syscalls-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
events=syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait
events=$events,syscalls:sys_enter_futex,context-switches

pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
printf '| %-8s | %9s | %6s | %6s | %9s | %10s | %5s | %16s |\n' engine requests read write epoll_ctl epoll_wait futex "context switches"
for variant in $VARIANTS; do
  "$JAVA_HOME/bin/java" ${JAVA_OPTS:-} -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC -cp "$cp" dev.backend.http.bench.RawBench "$variant" 0 \
    >"$out/$variant.log" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 1 200); do
    port=$(sed -n 's/^RawBench .* port \([0-9]*\)$/\1/p' "$out/$variant.log"); [ -n "$port" ] && break; sleep 0.05
  done
  [ -n "$port" ] || { echo "syscalls: $variant did not start" >&2; cat "$out/$variant.log" >&2; exit 1; }
  url="http://127.0.0.1:$port/json"
  wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  # perf counts for exactly as long as wrk runs: both are given the same duration and started together.
  perf stat -x, -e "$events" -p "$pid" -o "$out/$variant.perf" sleep "$DURATION" &
  perf_pid=$!
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$url" >"$out/$variant.wrk"
  wait "$perf_pid"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  requests=$(awk '/requests in/ { print $1 }' "$out/$variant.wrk")
  awk -F, -v n="$requests" -v v="$variant" '
    $1 ~ /^[0-9]+$/ { sub(/^syscalls:sys_enter_/, "", $3); c[$3] = $1 / n }
    END { printf "| %-8s | %9d | %6.2f | %6.2f | %9.2f | %10.2f | %5.2f | %16.2f |\n", v, n, c["read"], c["write"],
          c["epoll_ctl"], c["epoll_wait"], c["futex"], c["context-switches"] }' "$out/$variant.perf"
done
echo "syscalls: logs in $out" >&2
