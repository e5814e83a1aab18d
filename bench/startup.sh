#!/usr/bin/env bash
# Start to first 200: the full runtime (TechEmpowerService on BackendServer, access log on, pool filled to
# MIN_CONNECTIONS) against a PostgreSQL that is already running, from the JVM's launch to the first 200 on GET
# /json, and the time BackendServer.start() reports in its "Listening on" line. Measured plain, and with a JDK 25
# AOT cache (JEP 483, 514, 515: classes loaded and linked, and method profiles, from a training run), which this
# script makes first with one run under -XX:AOTCacheOutput serving /json and /db.
#
#   DATABASE_URL=postgres://user:pass@127.0.0.1:5432/db bench/startup.sh
#   ../shared/bench/peers/pg.sh start      # prints such a URL, for a throw-away PostgreSQL
#
# Settings (environment): DATABASE_URL (required: the database is external, as in production), ROUNDS (5),
# PORT (28091), MIN_CONNECTIONS (16), MAX_CONNECTIONS (16), HEAP (512m), JAVA_OPTS. The AOT cache needs a class
# path of jars: backend-examples' classes are put in one. Output: bench/results/startup-TIME/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. .mvn/find-jdk.sh

: "${DATABASE_URL:?set DATABASE_URL to a running PostgreSQL (../shared/bench/peers/pg.sh start prints one)}"
ROUNDS=${ROUNDS:-5}
PORT=${PORT:-28091}
MIN_CONNECTIONS=${MIN_CONNECTIONS:-16}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-16}
HEAP=${HEAP:-512m}
. bench/packages.sh
require_packages startup curl:curl

out="bench/results/startup-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "startup: building backend-examples" >&2
cp=$(backend-examples/run --classpath)
"$JAVA_HOME/bin/jar" cf "$out/examples.jar" -C backend-examples/target/classes .
cp=${cp/$PWD\/backend-examples\/target\/classes/$PWD/$out/examples.jar}

server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; true' EXIT

start_once() { # LABEL EXTRA_JVM_OPTIONS -> prints "first_200_ms start_ms"; TRAIN=1 also serves traffic before stopping
  local log="$out/$1.log" t0 t1 started
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "startup: port $PORT is taken (set PORT)" >&2; exit 1; fi
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # the options are lists
  PORT=$PORT HOST=127.0.0.1 DATABASE_URL=$DATABASE_URL MIN_CONNECTIONS=$MIN_CONNECTIONS MAX_CONNECTIONS=$MAX_CONNECTIONS \
    "$JAVA_HOME/bin/java" $2 -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" \
    dev.backend.examples.techempower.TechEmpowerService >"$log" 2>&1 &
  server_pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$PORT/json"; do
    kill -0 "$server_pid" 2>/dev/null || { echo "startup: $1 did not start:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  if [ "${TRAIN:-0}" = 1 ]; then
    for _ in $(seq 1 300); do
      curl -fs -o /dev/null "http://127.0.0.1:$PORT/json"; curl -fs -o /dev/null "http://127.0.0.1:$PORT/db"
    done
  fi
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  started=$(sed -n 's/.*Listening on .* in \([0-9]*\) ms$/\1/p' "$log" | head -n 1)
  echo "$(((t1 - t0) / 1000000)) ${started:--}"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "startup: load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "startup: training run for the AOT cache" >&2
TRAIN=1 start_once train "-XX:AOTCacheOutput=$out/app.aot" >/dev/null
[ -f "$out/app.aot" ] || { echo "startup: no AOT cache was written (see $out/train.log)" >&2; exit 1; }
declare -A first started
for round in $(seq 1 "$ROUNDS"); do
  for variant in plain aot; do
    options=
    [ "$variant" = aot ] && options="-XX:AOTCache=$out/app.aot"
    read -r f s < <(start_once "$variant-$round" "$options")
    first[$variant]+="$f "; started[$variant]+="$s "
    printf 'round %d %-5s first 200 after %5d ms, BackendServer.start() %5s ms\n' "$round" "$variant" "$f" "$s" >&2
  done
done
echo
echo "bench/startup.sh: start to first 200 on /json, external PostgreSQL, pool $MIN_CONNECTIONS-$MAX_CONNECTIONS, $ROUNDS rounds,"
echo "medians ($(nproc) cores, $(date -u +%F), load now $(cut -d' ' -f1-3 /proc/loadavg))"
printf '| %-32s | %15s | %25s |\n' variant "first 200, ms" "BackendServer.start(), ms"
printf '|%s|%s|%s|\n' ---------------------------------- ----------------- ---------------------------
for variant in plain aot; do
  label="plain JVM"
  [ "$variant" = aot ] && label="JDK 25 AOT cache (-XX:AOTCache)"
  printf '| %-32s | %15s | %25s |\n' "$label" "$(tr ' ' '\n' <<<"${first[$variant]}" | grep . | median)" \
    "$(tr ' ' '\n' <<<"${started[$variant]}" | grep . | median)"
done
echo "(logs and the cache: $out)"
