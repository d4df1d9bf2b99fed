#!/usr/bin/env bash
# Java → JNI → C ABI → CUDA backend check on the GPU machine (no Java there: the bundle brings a jlink'd runtime).
# Prepare here with tools/prepare_java_device_check.sh, carry .java-device-check, then on the device from the repo root:
#   bash tools/native_java_device_check.sh [BUNDLE_DIR] [DeviceCheck options...]
# BUNDLE_DIR defaults to <repo>/.java-device-check (holding bundle.tar.gz). Environment:
#   BACKEND=cuda|cpu (default cuda; cpu checks the CPU backend against itself, for a dry run without a GPU)
#   JAVA_TIMEOUT=seconds for DeviceCheck (default 240)
#   WITH_PYTHON=1 also runs tools/native_device_check.py on the same CUDA library (ctypes timings of the same
#     kernels, PyTorch baselines; needs PyTorch; PY_BUDGET seconds, default 200)
# Results in $OUT (default <repo>/java-check-out): java_device_check.json/.txt, gpu.txt; exit code of DeviceCheck
# (0 pass, 1 a check failed, 2 usage, 3 backend missing or no GPU), 4 when the bundle is missing or broken.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLE="$ROOT/.java-device-check"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then BUNDLE="$1"; shift; fi
OUT="${OUT:-$ROOT/java-check-out}"; export OUT
BACKEND="${BACKEND:-cuda}"
W=/tmp/avsal-java-device-check
mkdir -p "$OUT"
T0=$(date +%s)
log() { echo "== $* ($(( $(date +%s) - T0 )) s)"; }

{ date -u; uname -a; command -v nvidia-smi >/dev/null &&
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv; } > "$OUT/gpu.txt" 2>&1
cat "$OUT/gpu.txt"

log "unpack $BUNDLE/bundle.tar.gz"
[ -f "$BUNDLE/bundle.tar.gz" ] || { echo "no $BUNDLE/bundle.tar.gz: run tools/prepare_java_device_check.sh and carry it" | tee -a "$OUT/gpu.txt"; exit 4; }
rm -rf "$W" && mkdir -p "$W" && tar -xzf "$BUNDLE/bundle.tar.gz" -C "$W" || exit 4
head -4 "$W/MANIFEST.txt" | tee -a "$OUT/gpu.txt"
SRC="$ROOT/avsal-native/src/main/native"
if [ -d "$SRC" ]; then
  H="$(cat "$SRC"/*.h "$SRC"/*.hpp "$SRC"/*.cpp "$SRC"/*.cu "$SRC"/*.cuh "$SRC"/jni/*.cpp | sha256sum | cut -c1-16)"
  grep -q "sources sha256/16 $H" "$W/MANIFEST.txt" ||
    echo "WARNING: the bundle was built from other native sources than this checkout's ($H): rerun the preparation" | tee -a "$OUT/gpu.txt"
fi

log "libraries"
if [ ! -f "$W/lib/libavsal_native_cuda.so" ] && [ "$BACKEND" = cuda ]; then
  # Bundle prepared without nvcc: build the CUDA backend here (JAVA_HOME is unused by the cuda target).
  bash "$SRC/build.sh" "$W/lib" "$W/jre" cuda 2>&1 | tail -5
fi
# A bare machine may lack a library the JVM links (zlib, libstdc++): use the bundle's copies only then. (ldd cannot
# resolve libjvm.so for the runtime's own libraries; the launcher finds it at run time.)
MISSING="$(ldd "$W/jre/bin/java" "$W/jre/lib/server/libjvm.so" "$W"/jre/lib/*.so "$W"/lib/*.so 2>&1 | grep "not found" | grep -v "libjvm.so =>" | sort -u)"
if [ -n "$MISSING" ]; then
  echo "missing on this machine (using the bundle's syslib/):"; echo "$MISSING"
  export LD_LIBRARY_PATH="$W/syslib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
"$W/jre/bin/java" -version 2>&1 | head -1 | tee -a "$OUT/gpu.txt"

log "DeviceCheck --backend $BACKEND"
set -o pipefail
timeout "${JAVA_TIMEOUT:-240}" "$W/jre/bin/java" -Davsal.native.path="$W/lib" -cp "$W/jars/*" \
  dev.avsal.nativ.DeviceCheck --backend "$BACKEND" --reference cpu --json "$OUT/java_device_check.json" "$@" 2>&1 |
  tee "$OUT/java_device_check.txt"
RC=$?
echo "DeviceCheck rc=$RC" | tee -a "$OUT/java_device_check.txt"

if [ "${WITH_PYTHON:-0}" = 1 ] && [ -f "$W/lib/libavsal_native_cuda.so" ]; then
  log "tools/native_device_check.py on the same library (ctypes)"
  PYTHONUNBUFFERED=1 timeout "$(( ${PY_BUDGET:-200} + 30 ))" python3 "$ROOT/tools/native_device_check.py" \
    --lib "$W/lib/libavsal_native_cuda.so" --budget "${PY_BUDGET:-200}" > "$OUT/python_check.txt" 2>&1
  echo "python check rc=$?" | tee -a "$OUT/python_check.txt"
  sed -n '/==== correctness ====/,$p' "$OUT/python_check.txt"
fi
log "done"
exit $RC
