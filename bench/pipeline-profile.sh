#!/usr/bin/env bash
# Where a bench/pipeline.sh variant spends its CPU: JFR's CPU-time sampler (JDK 25, jdk.CPUTimeSample) while wrk
# drives GET /json, then the samples aggregated by bench/jfr-summary.py: self time by method, the share in socket
# and file system calls, and inclusive time of the project's methods and of the libraries on the request path
# (logback, Micrometer, Jackson, slf4j).
#
#   bench/pipeline-profile.sh stack-log@backend     # VARIANT as in bench/pipeline.sh: NAME@ENGINE
#
# Settings (environment): CONNECTIONS (64), WARMUP (5s), DURATION (8s), HEAP (512m), PERIOD (1ms: CPU time
# between samples per thread; 200us gives five times the samples), JAVA_OPTS. Needs python3;
# installs wrk (Debian) if missing. Output: bench/results/profile-VARIANT-TIME/ (recording.jfr, profile.txt, allocation.txt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh
. bench/packages.sh
require_packages pipeline-profile wrk:wrk
variant=${1:?variant, such as stack-log@backend}
CONNECTIONS=${CONNECTIONS:-64}; WARMUP=${WARMUP:-5s}; DURATION=${DURATION:-8s}; HEAP=${HEAP:-512m}; PERIOD=${PERIOD:-1ms}
cp=$(backend-examples/run --classpath)
out="bench/results/profile-$variant-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
# The JDK's profile settings with the CPU-time sampler switched on: it samples virtual threads on their carriers.
sed -e '/<event name="jdk.CPUTimeSample">/,/<\/event>/ s#<setting name="enabled">false</setting>#<setting name="enabled">true</setting>#' \
    -e '/<event name="jdk.CPUTimeSample">/,/<\/event>/ s#<setting name="throttle">[^<]*</setting>#<setting name="throttle">'"$PERIOD"'</setting>#' \
    "$JAVA_HOME/lib/jfr/profile.jfc" >"$out/cpu.jfc"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
"$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" \
  dev.backend.examples.bench.PipelineBench "${variant%@*}" "${variant#*@}" 0 >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^PipelineBench .* port \([0-9]*\)$/\1/p' "$out/server.log"); [ -n "$port" ] && break; sleep 0.05
done
[ -n "$port" ] || { echo "profile: $variant did not start" >&2; cat "$out/server.log" >&2; exit 1; }
url="http://127.0.0.1:$port/json"
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
"$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=pipeline settings="$out/cpu.jfc" filename="$out/recording.jfr" >/dev/null
before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
result=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "$url")
after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
"$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=pipeline >/dev/null
awk -v r="$(awk '/requests in/ { print $1 }' <<<"$result")" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
  -v rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$result")" \
  'BEGIN { printf "%s: %.0f req/s, %.2f us CPU/request (with the recording on)\n", "'"$variant"'", rps, t * 1e6 / hz / r }' \
  | tee "$out/summary.txt"
"$JAVA_HOME/bin/jfr" print --json --stack-depth 96 --events jdk.CPUTimeSample "$out/recording.jfr" >"$out/samples.json"
python3 bench/jfr-summary.py "$out/samples.json" dev.backend. ch.qos.logback. io.micrometer. tools.jackson. org.slf4j. \
  >"$out/profile.txt"
"$JAVA_HOME/bin/jfr" view --width 160 allocation-by-class "$out/recording.jfr" >"$out/allocation.txt" 2>&1 || true
rm -f "$out/samples.json"
cat "$out/profile.txt"
echo "profile: $out" >&2
