#!/usr/bin/env bash
# Prepares the bundle that tools/native_java_device_check.sh runs on the GPU machine (which has no Java and no
# network): a jlink'd Java runtime, the avsal-native and avsal-core classes, slf4j, and the native libraries built by
# avsal-native/src/main/native/build.sh (the CUDA backend only where nvcc is on PATH; otherwise the device script
# builds it there). Run here, from anywhere:
#   bash tools/prepare_java_device_check.sh [DEST]      (DEST defaults to <repo>/.java-device-check, git-ignored)
# DEST then holds bundle.tar.gz (everything) and MANIFEST.txt (contents, sizes, sources hash); carry DEST.
# The device tool sends the checkout its session started in: prepare the bundle inside that checkout.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="${1:-$ROOT/.java-device-check}"
SRC="$ROOT/avsal-native/src/main/native"
STAGE="$ROOT/avsal-native/target/java-device-check-stage"
JH="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
T0=$(date +%s)
log() { echo "== $* ($(( $(date +%s) - T0 )) s)"; }
[ -x "$JH/bin/jlink" ] || { echo "jlink not found under JAVA_HOME=$JH" >&2; exit 1; }

log "compile avsal-core and avsal-native (CUDA library built below, not by Maven)"
(cd "$ROOT" && mvn -o -q -pl avsal-native -am compile -Davsal.native.skipCuda=true)

rm -rf "$STAGE"
mkdir -p "$STAGE/b/lib" "$STAGE/b/jars" "$STAGE/b/syslib" "$DEST"
B="$STAGE/b"

log "native libraries"
# Reuse Maven's copies when they are newer than every source (cp -p keeps the time that build.sh compares).
LIBDIR="$ROOT/avsal-native/target/classes/dev/avsal/nativ/linux-x86_64"
for f in libavsal_jni.so libavsal_native_cpu.so libavsal_native_cuda.so; do [ -f "$LIBDIR/$f" ] && cp -p "$LIBDIR/$f" "$B/lib/"; done
bash "$SRC/build.sh" "$B/lib" "$JH" cpu
bash "$SRC/build.sh" "$B/lib" "$JH" cuda
[ -f "$B/lib/libavsal_native_cuda.so" ] || echo "   no CUDA library in the bundle: the device script will build it there with nvcc"

log "jars"
CLS="$ROOT/avsal-native/target/classes"
(cd "$CLS" && find . -name '*.class' > "$STAGE/native-classes.txt")
(cd "$CLS" && "$JH/bin/jar" --create --file "$B/jars/avsal-native.jar" @"$STAGE/native-classes.txt")  # no bundled .so
"$JH/bin/jar" --create --file "$B/jars/avsal-core.jar" -C "$ROOT/avsal-core/target/classes" .
SLF4J="$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' "$ROOT/pom.xml" | sed -n 1p)"
for a in slf4j-api slf4j-simple; do cp "$M2/org/slf4j/$a/$SLF4J/$a-$SLF4J.jar" "$B/jars/"; done

log "jlink"
# The binding is plain JNI (no JavaCPP), so DeviceCheck needs java.base only; jdeps confirms it below.
MODS="$("$JH/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 \
        -cp "$B/jars/*" "$B/jars/avsal-native.jar" 2>/dev/null || echo java.base)"
echo "   jdeps modules of avsal-native: $MODS (linked: java.base)"
"$JH/bin/jlink" --add-modules java.base --strip-debug --no-header-files --no-man-pages --compress=2 --output "$B/jre"
# The symbol tables of the runtime's libraries only serve crash-report decoding: drop them (about 4 MB).
find "$B/jre/lib" -name '*.so' -exec strip --strip-unneeded {} + 2>/dev/null || true
"$B/jre/bin/java" -version 2>&1 | sed -n 1p

# Fallbacks for libraries the JVM links and a bare machine might lack; used only when ldd there reports them missing.
for l in libz.so.1 libstdc++.so.6 libgcc_s.so.1; do
  p="$(ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ && !p {p = $NF} END {print p}')"
  [ -n "$p" ] && cp -L "$p" "$B/syslib/$l"
done

log "manifest and tarball"
SRCHASH="$(cat "$SRC"/*.h "$SRC"/*.hpp "$SRC"/*.cpp "$SRC"/*.cu "$SRC"/*.cuh "$SRC"/jni/*.cpp | sha256sum | cut -c1-16)"
{
  echo "avsal Java device-check bundle, $(date -u +%FT%TZ)"
  echo "git $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- avsal-native avsal-core || echo ' (with uncommitted changes)')"
  echo "native sources sha256/16 $SRCHASH"
  echo "java $("$B/jre/bin/java" -version 2>&1 | sed -n 1p)"
  if command -v nvcc >/dev/null; then echo "nvcc $(nvcc --version | tail -1)"; fi
  echo "sizes (bytes):"
  du -sb "$B/jre" "$B/lib"/* "$B/jars"/* "$B/syslib"/* | sed "s:$B/::"
} > "$B/MANIFEST.txt"
rm -f "$DEST/bundle.tar.gz" "$DEST/MANIFEST.txt"
tar -C "$B" -czf "$DEST/bundle.tar.gz.tmp" jre lib jars syslib MANIFEST.txt
mv "$DEST/bundle.tar.gz.tmp" "$DEST/bundle.tar.gz"
cp "$B/MANIFEST.txt" "$DEST/MANIFEST.txt"
echo "bundle $(du -sb "$DEST/bundle.tar.gz" | cut -f1) bytes compressed ($(du -sb "$B" | cut -f1) unpacked) in $DEST" | tee -a "$DEST/MANIFEST.txt"
log "done"
