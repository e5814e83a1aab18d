# The measuring loop of bench/pipeline.sh and bench/engine.sh, sourced by them (not run on its own).
#
# The caller sets ROUNDS, THREADS, CONNECTIONS, DURATION, WARMUP, and defines:
#   start_variant VARIANT OUT   starts that server in the background, its output to file OUT, and prints its pid;
#                               the server prints a line ending in "port N" once it listens
#   base_of VARIANT             (optional) prints the variant VARIANT is also compared with, or nothing
#   port_in OUT                 (optional) prints the port once file OUT shows the server listens, else nothing;
#                               without it, the number ending a line "... port N" is the port
# and may set START_TIMEOUT (seconds a variant may take to listen; 15), then calls: run_rounds VARIANT... and
# report TITLE.
#
# Each round starts every variant in a fresh JVM, warms it up with wrk (WARMUP, then two 1 s runs with new
# connections), then measures GET /json with wrk: req/s,
# p99, and the server's CPU time per request (user + system from /proc/PID/stat over the measured run, divided by
# the requests). Variants are interleaved round by round so drift on a shared machine hits them alike; each
# ratio is taken within a round (runs seconds apart) and the report gives medians over the rounds.

. bench/packages.sh
require_packages bench wrk:wrk

bench_results=bench/results
mkdir -p "$bench_results"
bench_log="$bench_results/$(basename "$0" .sh)-$(date -u +%Y%m%dT%H%M%SZ).log"
bench_tick=$(getconf CLK_TCK)
declare -A bench_rps bench_cpu bench_p99

bench_to_ms() { # wrk prints 812.00us, 3.21ms or 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}

bench_measure() { # $1 variant -> prints "rps cpu_us_per_request p99_ms"
  local variant=$1 out pid port= url before after result
  out=$(mktemp)
  pid=$(start_variant "$variant" "$out")
  for _ in $(seq 1 $((${START_TIMEOUT:-15} * 20))); do
    if declare -F port_in >/dev/null; then
      port=$(port_in "$out")
    else
      port=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$out" | head -n 1)
    fi
    [ -n "$port" ] && break
    sleep 0.05
  done
  head -n 20 "$out" >>"$bench_log"
  if [ -z "$port" ]; then
    echo "bench: $variant did not start:" >&2; cat "$out" >&2; kill "$pid" 2>/dev/null; rm -f "$out"; return 1
  fi
  url="http://127.0.0.1:$port/json"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  # Two short runs more, each closing its connections and opening new ones: the first time the warm-up's clients
  # close, the JIT's compiled serving loop meets a branch it has never seen taken, throws that code away and
  # compiles it again. Left to the measured run, that recompilation cost 0.5-0.7 us of C2 CPU per request and
  # more of the carriers' (docs/benchmarks.md, "Reading the figures").
  wrk -t"$THREADS" -c"$CONNECTIONS" -d1s "$url" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d1s "$url" >/dev/null
  before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  kill "$pid" 2>/dev/null
  # Started in a subshell, so not this shell's child: wait for it to be gone before the next variant starts.
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$out"
  { echo "== $variant"; echo "$result"; } >>"$bench_log"
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }' <<<"$result")
  [ -n "$errors" ] && echo "bench: $variant: $errors" >&2
  awk -v r="$(awk '/requests in/ { print $1 }' <<<"$result")" -v t=$((after - before)) -v hz="$bench_tick" \
    -v rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$result")" -v p99="$(bench_to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$result")")" \
    'BEGIN { printf "%.0f %.2f %s\n", rps, (t * 1e6 / hz) / r, p99 }'
}

run_rounds() { # VARIANT...
  bench_variants=("$@")
  for round in $(seq 1 "$ROUNDS"); do
    echo "bench: round $round of $ROUNDS, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    for variant in "${bench_variants[@]}"; do
      local r c p
      read -r r c p < <(bench_measure "$variant") || exit 1
      bench_rps[$variant,$round]=$r; bench_cpu[$variant,$round]=$c; bench_p99[$variant,$round]=$p
      printf 'round %d %-20s %10s req/s %8s us/req  p99 %7s ms\n' "$round" "$variant" "$r" "$c" "$p" >&2
    done
  done
}

bench_median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench_ratio_median() { # $1 variant, $2 base variant -> median over rounds of the per-round req/s ratio
  for round in $(seq 1 "$ROUNDS"); do
    awk -v a="${bench_rps[$1,$round]}" -v b="${bench_rps[$2,$round]}" 'BEGIN { printf "%.4f\n", a / b }'
  done | bench_median
}

bench_cpu_ratio_median() { # $1 variant, $2 base variant -> median over rounds of the per-round CPU/request ratio
  for round in $(seq 1 "$ROUNDS"); do
    awk -v a="${bench_cpu[$1,$round]}" -v b="${bench_cpu[$2,$round]}" 'BEGIN { printf "%.4f\n", a / b }'
  done | bench_median
}

report() { # $1 title
  local first=${bench_variants[0]} has_base=
  declare -F base_of >/dev/null && has_base=yes
  echo
  echo "$1: wrk -t$THREADS -c$CONNECTIONS -d$DURATION GET /json, $ROUNDS rounds, medians ($(nproc) cores, $(date -u +%F),"
  echo "load now $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ -n "$has_base" ]; then
    printf '| %-20s | %9s | %7s | %10s | %12s | %19s | %15s |\n' variant "req/s" "p99 ms" "CPU us/req" "vs $first" \
      "vs raw, same engine" "CPU vs raw, same"
    printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- ----------- --------- ------------ -------------- \
      --------------------- -----------------
  else
    printf '| %-20s | %9s | %7s | %10s | %12s |\n' variant "req/s" "p99 ms" "CPU us/req" "vs $first"
    printf '|%s|%s|%s|%s|%s|\n' ---------------------- ----------- --------- ------------ --------------
  fi
  for variant in "${bench_variants[@]}"; do
    local rps cpu p99 ratio base same= same_cpu=
    rps=$(for r in $(seq 1 "$ROUNDS"); do echo "${bench_rps[$variant,$r]}"; done | bench_median)
    cpu=$(for r in $(seq 1 "$ROUNDS"); do echo "${bench_cpu[$variant,$r]}"; done | bench_median)
    p99=$(for r in $(seq 1 "$ROUNDS"); do echo "${bench_p99[$variant,$r]}"; done | bench_median)
    ratio=$(bench_ratio_median "$variant" "$first")
    if [ -n "$has_base" ]; then
      base=$(base_of "$variant")
      if [ -n "$base" ] && [ -n "${bench_rps[$base,1]:-}" ]; then
        same=$(printf '%.3f' "$(bench_ratio_median "$variant" "$base")")
        same_cpu=$(printf '%.3f' "$(bench_cpu_ratio_median "$variant" "$base")")
      else
        same=- same_cpu=-
      fi
      printf '| %-20s | %9.0f | %7.2f | %10.2f | %12.3f | %19s | %15s |\n' "$variant" "$rps" "$p99" "$cpu" "$ratio" \
        "$same" "$same_cpu"
    else
      printf '| %-20s | %9.0f | %7.2f | %10.2f | %12.3f |\n' "$variant" "$rps" "$p99" "$cpu" "$ratio"
    fi
  done
  echo "(raw wrk output: $bench_log)"
}
