#!/usr/bin/env bash
# Where an engine spends its CPU under the raw handler of bench/engine.sh: JFR's CPU-time sampler (JDK 25,
# jdk.CPUTimeSample) while wrk drives GET /json, then the samples aggregated: self time by method and the share
# spent in socket system calls, and inclusive time of backend-http's own methods.
#
#   bench/engine-profile.sh backend          # VARIANT as in bench/engine.sh: jdk | backend | backend-executor
#
# Settings (environment): CONNECTIONS (64), WARMUP (3s), DURATION (8s), HEAP (512m). Needs python3;
# installs wrk (Debian) if missing. Output: bench/results/profile-VARIANT-TIME/ (recording.jfr, profile.txt, allocation.txt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh
. bench/packages.sh
require_packages engine-profile wrk:wrk
variant=${1:?variant}
CONNECTIONS=${CONNECTIONS:-64}; WARMUP=${WARMUP:-3s}; DURATION=${DURATION:-8s}; HEAP=${HEAP:-512m}
./mvnw -q -pl backend-http test-compile
cp="backend-http/target/classes:backend-http/target/test-classes"
out="bench/results/profile-$variant-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
# The JDK's profile settings with the CPU-time sampler switched on: it samples virtual threads on their carriers,
# where the default execution sampler sees few samples.
sed -e '/<event name="jdk.CPUTimeSample">/,/<\/event>/ s#<setting name="enabled">false</setting>#<setting name="enabled">true</setting>#' \
    -e '/<event name="jdk.CPUTimeSample">/,/<\/event>/ s#<setting name="throttle">[^<]*</setting>#<setting name="throttle">1ms</setting>#' \
    "$JAVA_HOME/lib/jfr/profile.jfc" >"$out/cpu.jfc"
"$JAVA_HOME/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC -cp "$cp" dev.backend.http.bench.RawBench "$variant" 0 \
  >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  port=$(sed -n 's/^RawBench .* port \([0-9]*\)$/\1/p' "$out/server.log"); [ -n "$port" ] && break; sleep 0.05
done
url="http://127.0.0.1:$port/json"
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
"$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=engine settings="$out/cpu.jfc" filename="$out/recording.jfr" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "$url" | grep "Requests/sec"
"$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=engine >/dev/null
"$JAVA_HOME/bin/jfr" print --json --stack-depth 64 --events jdk.CPUTimeSample "$out/recording.jfr" >"$out/samples.json"
python3 bench/jfr-summary.py "$out/samples.json" dev.backend.http. >"$out/profile.txt"
"$JAVA_HOME/bin/jfr" view --width 160 allocation-by-class "$out/recording.jfr" >"$out/allocation.txt" 2>&1 || true
rm -f "$out/samples.json"
head -40 "$out/profile.txt"
echo "profile: $out" >&2
