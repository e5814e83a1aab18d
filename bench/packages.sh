# Sourced by the bench scripts: installs from Debian's packages what a script needs and this machine lacks, as the
# tests do for nginx and pgbouncer (reference-service's DebianPackage), so a fresh machine needs no step of its own.
# Only as root with apt-get; anywhere else it says what to install and exits.
#
#   require_packages CALLER COMMAND:PACKAGE...   e.g. require_packages bench wrk:wrk perf:linux-perf
#
# COMMAND is looked up on the PATH and in /usr/sbin, or is a path when it holds a '/'.
require_packages() {
  local caller=$1 pair command missing=()
  shift
  for pair in "$@"; do
    command=${pair%%:*}
    if [[ $command == */* ]]; then
      [ -x "$command" ] && continue
    else
      command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] && continue
    fi
    missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "$caller: missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  fi
  echo "$caller: installing ${missing[*]} from Debian's packages" >&2
  apt-get update -qq
  # policy-rc.d answering 101 keeps a package from starting a service of its own (nginx, PostgreSQL) here.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || {
    [ "$own_policy" = 1 ] && rm -f "$policy"
    echo "$caller: apt-get install ${missing[*]} failed" >&2
    exit 1
  }
  [ "$own_policy" = 1 ] && rm -f "$policy"
  return 0
}
