#!/usr/bin/env bash
# Builds the container image's contents into a folder, exactly as deploy/Dockerfile copies them into the image
# (its build stage runs this script), so the image can be checked without a Docker engine:
#
#   <out>/runtime   a jlink-ed Java runtime holding only the modules the service needs (jdeps --print-module-deps
#                   on the jars, plus jdk.unsupported, which the server reaches by reflection for SIGTERM)
#   <out>/lib       reference-service's own jar and its runtime dependencies, as Maven resolved them, without
#                   the embedded development PostgreSQL (reference-service/target/image/lib, made in package)
#
#   deploy/image-layout.sh target/image-layout              # builds the jars first when the sources changed
#   deploy/image-layout.sh --no-build target/image-layout   # uses the jars as they are (the Dockerfile, the tests)
#
# Prints the modules and the size of each part. The image runs
# <out>/runtime/bin/java <flags> -cp '<out>/lib/*' dev.backend.reference.Main (see the Dockerfile's ENTRYPOINT).
set -euo pipefail
build=1
if [ "${1:-}" = --no-build ]; then build=0; shift; fi
out=${1:?usage: deploy/image-layout.sh [--no-build] <output directory>}
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

rm -rf "$out"
mkdir -p "$out/lib"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$out/runtime"
cp "$app" "$target"/image/lib/*.jar "$out/lib/"

echo "image-layout: modules $modules"
echo "image-layout: runtime $(du -sm "$out/runtime" | cut -f1) MB, lib $(du -sm "$out/lib" | cut -f1) MB, total $(du -sm "$out" | cut -f1) MB in $out"
