#!/usr/bin/env bash
# Builds the container image's contents into a folder, exactly as deploy/Dockerfile copies them into the image
# (its build stage runs this script), so the image can be checked without a Docker engine:
#
#   <out>/runtime   a jlink-ed Java runtime holding only the modules the service needs (jdeps --print-module-deps
#                   on the jars, plus jdk.unsupported, which the server reaches by reflection for SIGTERM)
#   <out>/lib       reference-service's own jar and its runtime dependencies, as Maven resolved them, without
#                   the embedded development PostgreSQL (reference-service/target/image/lib, made in package)
#   <out>/app.aot   a JDK 25 AOT cache (JEP 483, 514, 515: classes loaded and linked, method profiles), made by a
#                   training run of this very runtime and class path (deploy/AotTraining.java: a throw-away
#                   PostgreSQL, the traffic the service will see, SIGTERM); it cuts the time to the first
#                   answer from about 1.2 s to 0.45 s and adds about 40 MB. --no-aot-cache leaves it out.
#   <out>/java.args the class path, jar by jar in a fixed order, and -XX:AOTCache when there is a cache: an
#                   argument file the java command reads (@<out>/java.args)
#
#   deploy/image-layout.sh target/image-layout              # builds the jars first when the sources changed
#   deploy/image-layout.sh --no-build target/image-layout   # uses the jars as they are (the Dockerfile, the tests)
#   deploy/image-layout.sh --no-aot-cache target/image-layout
#
# Settings (environment): AOT_TRAINING_ROUNDS (50), how many times the training sends its requests. The training
# starts zonky's PostgreSQL, which refuses to run as root unless user namespaces are allowed (unshare): the
# Dockerfile's build stage runs as a user of its own.
#
# Prints the modules and the size of each part. The image runs
# <out>/runtime/bin/java <flags> @<out>/java.args dev.backend.reference.Main (see the Dockerfile's ENTRYPOINT).
set -euo pipefail
build=1
aot=1
while [ $# -gt 1 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --no-aot-cache) aot=0 ;;
    *) break ;;
  esac
  shift
done
out=${1:?usage: deploy/image-layout.sh [--no-build] [--no-aot-cache] <output directory>}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
cd "$root"
. .mvn/find-jdk.sh

target=reference-service/target
if [ $build = 1 ] && { [ ! -d "$target/image/lib" ] || [ -n "$(find pom.xml backend-core backend-server reference-service \
    -newer "$target/image/lib" -not -path '*/target/*' -type f 2>/dev/null | head -n 1)" ]; }; then
  echo "image-layout: building reference-service" >&2
  ./mvnw -q -pl reference-service -am package -DskipTests -Dmaven.source.skip=true -Dmaven.javadoc.skip=true
fi
version=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
app="$target/reference-service-$version.jar"
[ -f "$app" ] && [ -d "$target/image/lib" ] || { echo "image-layout: $app or $target/image/lib is missing: build first" >&2; exit 1; }
# The runnable jar carries zonky's PostgreSQL, which the training starts: only the training's driver runs on it.
runnable="$target/reference-service.jar"
[ $aot = 0 ] || [ -f "$runnable" ] || { echo "image-layout: $runnable is missing: build first" >&2; exit 1; }

# The runtime's own version decides which classes of a multi-release jar it loads. backend-server and
# backend-core are modules that require others by name, so the jars go on the module path as well (jdeps then
# warns of split packages: every jar is on both paths; harmless, and not printed).
release=$(java_major "$JAVA_HOME/bin/java")
modules=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$release" \
  --module-path "$target/image/lib" --class-path "$target/image/lib/*" "$app" "$target"/image/lib/*.jar \
  | grep -v '^Warning: split package' | tail -n 1)
if ! [[ $modules =~ ^(java|jdk)\.[a-z.]+(,(java|jdk)\.[a-z.]+)*$ ]]; then
  echo "image-layout: jdeps did not print a module list: $modules" >&2
  exit 1
fi
modules="$modules,jdk.unsupported"

# Emptied rather than removed: in the Dockerfile's build stage /opt/app is the build user's, /opt is not.
mkdir -p "$out"
find "$out" -mindepth 1 -delete
mkdir -p "$out/lib"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$out/runtime"
cp "$app" "$target"/image/lib/*.jar "$out/lib/"

# The class path as a list in a fixed order, not lib/*: the JDK leaves the order of a wildcard's jars unspecified
# (it is the directory's, which another file system may list differently), and the cache asks for the class path
# of its training run (JEP 483).
classpath=$(cd "$out/lib" && printf '%s\n' *.jar | LC_ALL=C sort | sed "s|^|$out/lib/|" | paste -sd: -)
printf -- '-cp "%s"\n' "$classpath" >"$out/java.args"

if [ $aot = 1 ]; then
  echo "image-layout: training the AOT cache" >&2
  # The flags the cache depends on are the ENTRYPOINT's, but for the heap: MaxRAMPercentage=75 of a big build
  # machine's memory is a heap over 32 GB, without compressed object pointers, and a cache made so cannot be used
  # by a JVM with them (any heap under 32 GB: every container under about 42 GB). 512 MB keeps them. The GC may
  # differ (G1 here, Serial in a container of one CPU): the cache serves both.
  "$JAVA_HOME/bin/java" -cp "$runnable" deploy/AotTraining.java "$out/app.aot" "${AOT_TRAINING_ROUNDS:-50}" \
    "$out/runtime/bin/java" -Xmx512m -XX:+ExitOnOutOfMemoryError "@$out/java.args" dev.backend.reference.Main
  printf -- '-XX:AOTCache=%s\n' "$out/app.aot" >>"$out/java.args"
  # AOTMode=on: a cache this runtime cannot map with these flags fails the build here, not a start in production
  # (where it would only print one line and start slowly). ImageLayoutIT checks the classes come from it.
  "$out/runtime/bin/java" -XX:AOTMode=on "@$out/java.args" -version >/dev/null 2>&1 \
    || { echo "image-layout: the runtime cannot use the cache it made:" >&2; "$out/runtime/bin/java" -XX:AOTMode=on "@$out/java.args" -version >&2; exit 1; }
fi

echo "image-layout: modules $modules"
cache=
[ -f "$out/app.aot" ] && cache=", AOT cache $(du -sm "$out/app.aot" | cut -f1) MB"
echo "image-layout: runtime $(du -sm "$out/runtime" | cut -f1) MB, lib $(du -sm "$out/lib" | cut -f1) MB$cache, total $(du -sm "$out" | cut -f1) MB in $out"
