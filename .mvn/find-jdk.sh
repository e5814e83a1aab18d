# Sourced by ./mvnw and ./serve: sets JAVA_HOME to a JDK 21 or newer, or exits with a message.
# Order: $JAVA_HOME (if 21+), then /usr/lib/jvm/temurin-25-jdk-amd64, then javac on the PATH (if 21+).
# The default `java` on our machines is 17, too old for this project.

java_major() { # prints the feature version of the given java binary, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

jdk_ok() { # $1 = a JDK home
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local v; v=$(java_major "$1/bin/java")
  [ -n "$v" ] && [ "$v" -ge 21 ]
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && jdk_ok "$JAVA_HOME"; then echo "$JAVA_HOME"; return; fi
  if jdk_ok /usr/lib/jvm/temurin-25-jdk-amd64; then echo /usr/lib/jvm/temurin-25-jdk-amd64; return; fi
  if command -v javac >/dev/null 2>&1; then
    local home; home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if jdk_ok "$home"; then echo "$home"; return; fi
  fi
  return 1
}

if ! found_jdk=$(find_jdk); then
  echo "$(basename "$0"): no JDK 21 or newer found." >&2
  echo "  Looked at JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/temurin-25-jdk-amd64 and javac on the PATH." >&2
  echo "  Install a JDK 21+ (we build with Temurin 25) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$found_jdk"
unset found_jdk
