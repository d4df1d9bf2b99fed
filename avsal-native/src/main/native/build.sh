#!/usr/bin/env bash
# Builds the avsal native libraries (used by Maven's exec-maven-plugin and by tools/native_device_check.sh).
#   build.sh OUT_DIR JAVA_HOME cpu|cuda [extra nvcc flags...]
# cpu : libavsal_native_cpu.so (CPU reference backend) + libavsal_jni.so (JNI glue), g++ only.
# cuda: libavsal_native_cuda.so with nvcc (static cudart, sm_80/86/89/90 cubins + compute_90 PTX); skipped with a
#       message when nvcc is not on PATH. A library newer than its sources is not rebuilt (keeps `mvn test` quick).
set -eu
SRC="$(cd "$(dirname "$0")" && pwd)"
OUT="$1"; JH="$2"; WHAT="$3"; shift 3
mkdir -p "$OUT"
fresh() {  # fresh OUTPUT SOURCES...: true when OUTPUT exists and is newer than every source
  local o="$1"; shift
  [ -f "$o" ] || return 1
  for s in "$@"; do [ "$s" -nt "$o" ] && return 1; done
  return 0
}
HDRS="$SRC/avsal_native.h $SRC/avsal_common.hpp"
case "$WHAT" in
  cpu)
    CXX="${CXX:-g++}"
    [ -f "$JH/include/jni.h" ] || { echo "[avsal-native] $JH/include/jni.h not found: build with a JDK (JAVA_HOME)" >&2; exit 1; }
    fresh "$OUT/libavsal_native_cpu.so" "$SRC/avsal_cpu.cpp" $HDRS ||
      "$CXX" -O2 -std=c++17 -shared -fPIC -Wall -Wextra -o "$OUT/libavsal_native_cpu.so" "$SRC/avsal_cpu.cpp"
    fresh "$OUT/libavsal_jni.so" "$SRC/jni/avsal_jni.cpp" $HDRS ||
      "$CXX" -O2 -std=c++17 -shared -fPIC -Wall -Wextra -I"$JH/include" -I"$JH/include/linux" \
        -o "$OUT/libavsal_jni.so" "$SRC/jni/avsal_jni.cpp" -ldl
    ;;
  cuda)
    NVCC="${NVCC:-nvcc}"
    if ! command -v "$NVCC" >/dev/null 2>&1; then
      echo "[avsal-native] nvcc not on PATH: the CUDA backend is not built (CUDA tensors will use LibTorch ops)"; exit 0
    fi
    GENCODE="-gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86 -gencode arch=compute_89,code=sm_89 \
             -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90"
    fresh "$OUT/libavsal_native_cuda.so" "$SRC/avsal_cuda.cu" $SRC/*.cuh $HDRS 2>/dev/null ||
      "$NVCC" -O3 -std=c++17 -shared -Xcompiler -fPIC -cudart static --threads 0 $GENCODE "$@" \
        -o "$OUT/libavsal_native_cuda.so" "$SRC/avsal_cuda.cu"
    ;;
  *) echo "usage: build.sh OUT_DIR JAVA_HOME cpu|cuda" >&2; exit 2 ;;
esac
