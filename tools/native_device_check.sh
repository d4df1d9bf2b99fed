#!/usr/bin/env bash
# Device check of the avsal native kernels (GPU machine: nvcc, compute-sanitizer, PyTorch with CUDA).
#   bash tools/native_device_check.sh            (from the repository root; results under $OUT)
# 1. builds the CPU and CUDA libraries and the C self-test (CUDA vs CPU reference on small odd shapes),
# 2. runs the self-test plain, under compute-sanitizer memcheck and racecheck (each bounded to ~60 s),
# 3. runs tools/native_device_check.py (correctness vs tools/avsal_head.py, then timing vs PyTorch).
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="${1:-$ROOT/avsal-native/src/main/native}"
OUT="${OUT:-$ROOT/native-check-out}"; export OUT
B="$OUT/build"; mkdir -p "$B"
log() { echo "== $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv 2>&1 | tee "$OUT/gpu.txt"
log "build"
t0=$(date +%s)
GENCODE="-gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86 -gencode arch=compute_89,code=sm_89 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90"
# Direct compiler calls (same flags as the Makefile) so that a machine without make still builds.
g++ -O2 -std=c++17 -shared -fPIC -Wall -Wextra -o "$B/libavsal_native_cpu.so" "$SRC/avsal_cpu.cpp" > "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; echo "CPU BUILD FAILED"; }
nvcc -O3 -std=c++17 -shared -Xcompiler -fPIC -cudart static $GENCODE -o "$B/libavsal_native_cuda.so" "$SRC/avsal_cuda.cu" >> "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; echo "CUDA BUILD FAILED"; }
nvcc -O2 -std=c++17 -arch=sm_90 -o "$B/selftest" "$SRC/test/selftest.cpp" -ldl >> "$OUT/build.log" 2>&1 || echo "selftest build failed"
nvcc -O3 -std=c++17 -arch=sm_90 -shared -Xcompiler -fPIC -Xptxas -v -o "$B/ptxas_report.so" "$SRC/avsal_cuda.cu" > "$OUT/ptxas.txt" 2>&1
echo "build took $(( $(date +%s) - t0 )) s"; ls -la "$B"
CU="$B/libavsal_native_cuda.so"; CPU="$B/libavsal_native_cpu.so"
if [ -x "$B/selftest" ]; then
  log "selftest"; timeout 60 "$B/selftest" "$CU" "$CPU" 2>&1 | tee "$OUT/selftest.txt"
  if command -v compute-sanitizer >/dev/null; then
    log "memcheck"; timeout 50 compute-sanitizer --tool memcheck --error-exitcode 9 "$B/selftest" "$CU" "$CPU" > "$OUT/memcheck.txt" 2>&1; echo "memcheck rc=$?"; tail -5 "$OUT/memcheck.txt"
    log "racecheck"; timeout 50 compute-sanitizer --tool racecheck --error-exitcode 9 "$B/selftest" "$CU" "$CPU" > "$OUT/racecheck.txt" 2>&1; echo "racecheck rc=$?"; tail -5 "$OUT/racecheck.txt"
  else echo "compute-sanitizer not found"; fi
fi
log "python check"
timeout 360 python3 "$ROOT/tools/native_device_check.py" --lib "$CU" 2>&1 | tee "$OUT/python_check.txt" | grep -v "^check\|^time" 
echo "python check rc=${PIPESTATUS[0]}"
