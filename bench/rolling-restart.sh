#!/usr/bin/env bash
# Rolling restarts under load, as an orchestrator does them: 3 instances of reference-service.jar behind
# nginx (upstream keepalive 32, proxy_next_upstream error timeout, so a POST that reached an instance is
# never retried), one PostgreSQL 15 shared by all, a steady POST+GET load (bench/RollingRestartLoad.java),
# and ROUNDS rolling restarts: each instance in turn gets SIGTERM and, REMOVAL_LAG later, is taken out of the
# upstream (marked down, nginx reloaded), as an orchestrator removes a stopping pod's endpoint; it drains and
# exits, its replacement starts, turns ready and is put back before the next one goes. Prints the failed
# requests of each round, and checks that the rows in the users table are exactly the 201s the load saw (no
# create lost, none answered as failed but done). Loopback only; bounded (every wait has a limit, the load
# stops by itself). docs/operations.md records the results and the rules they rest on.
#
#   bench/rolling-restart.sh                    # 5 rounds, SHUTDOWN_DELAY=5s, keepalive_timeout 2s
#   LB=static bench/rolling-restart.sh          # nginx keeps every instance in its upstream throughout
#   SHUTDOWN_DELAY=0 bench/rolling-restart.sh   # no delay: the listener closes at SIGTERM
#
# Settings (environment): ROUNDS (5), SHUTDOWN_DELAY (5s), KEEPALIVE_TIMEOUT (nginx's upstream
# keepalive_timeout, 2s: shorter than SHUTDOWN_DELAY), LB (reload | static), REMOVAL_LAG (seconds from SIGTERM
# to the reload, 1), RATE (requests/s in all, 300), WORKERS (16), BASE_PORT (18080: nginx; +1..+3 the
# instances; +10 PostgreSQL), KEEP (1 keeps the work directory with every log). Installs nginx and
# postgresql-15 from Debian's packages when they are missing (needs root). Exits 1 when any request failed or
# the row count differs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
. .mvn/find-jdk.sh

ROUNDS=${ROUNDS:-5}
SHUTDOWN_DELAY=${SHUTDOWN_DELAY:-5s}
KEEPALIVE_TIMEOUT=${KEEPALIVE_TIMEOUT:-2s}
LB=${LB:-reload}
REMOVAL_LAG=${REMOVAL_LAG:-1}
RATE=${RATE:-300}
WORKERS=${WORKERS:-16}
BASE_PORT=${BASE_PORT:-18080}
INSTANCES=3
PG_BIN=/usr/lib/postgresql/15/bin
nginx_port=$BASE_PORT
pg_port=$((BASE_PORT + 10))

say() { echo "rolling-restart: $*" >&2; }


port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # $1 seconds, $2.. a command that succeeds when ready
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

. bench/packages.sh
require_packages rolling-restart nginx:nginx "$PG_BIN/initdb:postgresql-15"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
for port in "$nginx_port" $(seq $((BASE_PORT + 1)) $((BASE_PORT + INSTANCES))) "$pg_port"; do
  port_free "$port" || { say "port $port is taken: set BASE_PORT"; exit 1; }
done

jar=reference-service/target/reference-service.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml backend-core backend-server reference-service -newer "$jar" \
      -not -path '*/target/*' -type f 2>/dev/null | head -n 1)" ]; then
  say "building $jar"
  ./mvnw -q -pl reference-service -am package -DskipTests -Dmaven.source.skip=true -Dmaven.javadoc.skip=true
fi

work=$(mktemp -d /tmp/rolling-restart.XXXXXX)
chmod 755 "$work"
declare -a pids=()
nginx_pid=
load_pid=
cleanup() {
  set +e
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
  for pid in "${pids[@]}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null; done
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  [ -f "$work/pg/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then say "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' INT TERM # so that the EXIT trap runs when the script is stopped

as_postgres() { # PostgreSQL refuses to run as root
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

say "PostgreSQL 15 on 127.0.0.1:$pg_port"
mkdir -p "$work/pg" && [ "$(id -u)" -ne 0 ] || chown postgres "$work/pg"
as_postgres "$PG_BIN/initdb" -D "$work/pg" -U app --auth=trust -E UTF8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -t 60 \
  -o "-p $pg_port -k '' -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off" start >/dev/null
psql_app() { psql -h 127.0.0.1 -p "$pg_port" -U app -d app -v ON_ERROR_STOP=1 -qtA "$@"; }
psql -h 127.0.0.1 -p "$pg_port" -U app -d postgres -qc "CREATE DATABASE app"
database_url="postgres://app@127.0.0.1:$pg_port/app"

start_instance() { # $1 index 1..3
  local i=$1 port=$((BASE_PORT + $1))
  DATABASE_URL=$database_url PORT=$port HOST=127.0.0.1 SHUTDOWN_DELAY=$SHUTDOWN_DELAY SHUTDOWN_TIMEOUT=30s \
    MAX_CONNECTIONS=8 MIN_CONNECTIONS=2 ACCESS_LOG=false \
    "$JAVA_HOME/bin/java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" \
    >>"$work/instance-$i.log" 2>&1 &
  pids[$i]=$!
  wait_for 120 curl -sf "http://127.0.0.1:$port/health/ready" || { say "instance $i did not turn ready"; tail -20 "$work/instance-$i.log" >&2; exit 1; }
}

say "starting $INSTANCES instances (SHUTDOWN_DELAY=$SHUTDOWN_DELAY, LB=$LB)"
start_instance 1 # the first applies the migrations alone
for i in $(seq 2 $INSTANCES); do start_instance "$i"; done

write_upstream() { # $1: the instance taken out of the upstream (marked down), 0 for none
  local i
  for i in $(seq 1 $INSTANCES); do
    # max_fails=0: nginx would otherwise shun an instance for 10 s after one refused connection, and with
    # instances restarting faster than that (SHUTDOWN_DELAY=0) answer 502 "no live upstreams".
    echo "server 127.0.0.1:$((BASE_PORT + i)) max_fails=0$([ "$i" = "$1" ] && echo ' down');"
  done >"$work/nginx/upstream.conf"
}

mkdir -p "$work/nginx/logs"
write_upstream 0
{
  echo "worker_processes 2; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;"
  echo "events { worker_connections 1024; }"
  echo "http {"
  echo "  access_log off;"
  echo "  upstream app {"
  echo "    include $work/nginx/upstream.conf;"
  echo "    keepalive 32; keepalive_timeout $KEEPALIVE_TIMEOUT;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:$nginx_port;"
  # One connection per client request: a reload retires nginx's old workers, which close their idle client
  # connections under any client about to reuse one (the race this bench is about, one hop earlier, and
  # nginx's own). What is measured here is the upstream side.
  echo "    keepalive_timeout 0;"
  echo "    location / {"
  echo "      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\";"
  echo "      proxy_next_upstream error timeout;"
  echo "    }"
  echo "  }"
  echo "}"
} >"$work/nginx/nginx.conf"
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!

# What an orchestrator does when it stops an instance: it takes it out of the load balancer, asynchronously,
# while the instance gets SIGTERM. Here: mark it down and reload nginx, REMOVAL_LAG after the signal.
take_out() { # $1 instance
  [ "$LB" = reload ] || return 0
  sleep "$REMOVAL_LAG"
  write_upstream "$1"
  kill -HUP "$nginx_pid"
}
put_back() {
  [ "$LB" = reload ] || return 0
  write_upstream 0
  kill -HUP "$nginx_pid"
}
wait_for 30 curl -sf "http://127.0.0.1:$nginx_port/health/live" || { say "nginx did not answer"; exit 1; }

say "load: $RATE requests/s from $WORKERS workers through nginx on :$nginx_port"
max_seconds=$((ROUNDS * INSTANCES * 90 + 60))
"$JAVA_HOME/bin/java" bench/RollingRestartLoad.java "http://127.0.0.1:$nginx_port" "$WORKERS" "$RATE" \
  "$max_seconds" "$work/stop" "$work/totals" >"$work/load.log" 2>&1 &
load_pid=$!
wait_for 60 test -s "$work/totals" || { say "the load did not start"; cat "$work/load.log" >&2; exit 1; }
sleep 3

totals() { tail -n 1 "$work/totals"; }
read -r _ sent0 failed0 _ <<<"$(totals)"
printf '%-6s %10s %8s %s\n' round requests failed "restart seconds (per instance)" | tee "$work/rounds"
for round in $(seq 1 "$ROUNDS"); do
  times=()
  for i in $(seq 1 $INSTANCES); do
    begin=$SECONDS
    kill -TERM "${pids[$i]}"
    take_out "$i"
    wait_for 120 bash -c "! kill -0 ${pids[$i]}" || { say "instance $i did not stop"; exit 1; }
    wait "${pids[$i]}" || { say "instance $i exited with $?"; tail -20 "$work/instance-$i.log" >&2; exit 1; }
    start_instance "$i"
    put_back
    times+=($((SECONDS - begin)))
  done
  sleep 2 # let requests sent during the last restart finish before the count
  read -r _ sent failed _ <<<"$(totals)"
  printf '%-6s %10d %8d %s\n' "$round" $((sent - sent0)) $((failed - failed0)) "${times[*]}" | tee -a "$work/rounds"
  sent0=$sent failed0=$failed
done

touch "$work/stop"
wait "$load_pid" || true
load_pid=
grep '^failure' "$work/load.log" | head -20 >&2 || true
summary=$(grep '^load:' "$work/load.log")
created=$(sed -n 's/.*created=\([0-9]*\).*/\1/p' <<<"$summary")
failed=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$summary")
rows=$(psql_app -c "SELECT count(*) FROM users")
echo "$summary; rows in users: $rows"
upstream_errors=$(grep -c 'upstream' "$work/nginx/error.log" || true)
echo "nginx error.log lines naming an upstream: $upstream_errors"
if [ "$failed" != 0 ] || [ "$rows" != "$created" ]; then
  say "FAILED: $failed failed request(s), $rows rows for $created 201s"
  KEEP=1
  exit 1
fi
say "0 failed requests, every 201 is a row"
