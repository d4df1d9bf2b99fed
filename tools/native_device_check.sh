#!/usr/bin/env bash
# Device check of the avsal native kernels (GPU machine: nvcc, compute-sanitizer, PyTorch with CUDA).
#   bash tools/native_device_check.sh [PREBUILT_DIR]     (from the repository root; results under $OUT)
# PREBUILT_DIR may hold libavsal_native_cuda.so, libavsal_native_cpu.so and selftest built elsewhere with
# avsal-native/src/main/native/build.sh (saves device time); anything missing is built here.
# 1. the C self-test (CUDA vs the CPU reference backend on small odd shapes, fp32/bf16/fp16, with and without h0),
# 2. tools/native_device_check.py: correctness vs tools/avsal_head.py in float64 (poisoned outputs, odd sizes), then
#    CUDA-event timing of ours / eager / eager + CUDA graph / torch.compile / torch.compile + CUDA graph,
# 3. the self-test under compute-sanitizer memcheck and racecheck.
# Few files land in $OUT (the device tool brings back at most 8); builds go to /tmp.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/avsal-native/src/main/native"
PRE="${1:-}"
OUT="${OUT:-$ROOT/native-check-out}"; export OUT
B=/tmp/avsal-native-build; mkdir -p "$B" "$OUT"
T0=$(date +%s)
log() { echo "== $* ($(( $(date +%s) - T0 )) s)"; }
{ date -u; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv; nvcc --version | tail -1; } 2>&1 | tee "$OUT/gpu.txt"
log "libraries"
for f in libavsal_native_cuda.so libavsal_native_cpu.so selftest; do
  [ -n "$PRE" ] && [ -f "$PRE/$f" ] && cp "$PRE/$f" "$B/$f" && echo "prebuilt $f"
done
[ -f "$B/libavsal_native_cpu.so" ] || bash "$SRC/build.sh" "$B" "${JAVA_HOME:-/usr}" cpu
[ -f "$B/libavsal_native_cuda.so" ] || bash "$SRC/build.sh" "$B" "${JAVA_HOME:-/usr}" cuda
[ -f "$B/selftest" ] || nvcc -O2 -std=c++17 -arch=sm_90 -o "$B/selftest" "$SRC/test/selftest.cpp" -ldl
chmod +x "$B/selftest" 2>/dev/null
cuobjdump --list-elf --list-ptx "$B/libavsal_native_cuda.so" 2>&1 | sed 's/.*\.\(sm_[0-9]*\).*/\1/' | sort | uniq -c | tee -a "$OUT/gpu.txt"
CU="$B/libavsal_native_cuda.so"; CPU="$B/libavsal_native_cpu.so"
log "selftest"
timeout 90 "$B/selftest" "$CU" "$CPU" > "$OUT/selftest.txt" 2>&1; echo "selftest rc=$?" | tee -a "$OUT/selftest.txt"
grep -E "FAIL|selftest" "$OUT/selftest.txt"
log "python check"
PYTHONUNBUFFERED=1 timeout "${PY_TIMEOUT:-220}" python3 "$ROOT/tools/native_device_check.py" --lib "$CU" --budget "${PY_BUDGET:-200}" \
  > "$OUT/python_check.txt" 2>&1
echo "python check rc=$?"
if command -v compute-sanitizer >/dev/null; then
  log "memcheck"
  timeout "${SAN_TIMEOUT:-70}" compute-sanitizer --tool memcheck --error-exitcode 9 "$B/selftest" "$CU" "$CPU" > "$B/memcheck.txt" 2>&1
  echo "memcheck rc=$?" >> "$B/memcheck.txt"
  log "racecheck"
  timeout "${SAN_TIMEOUT:-70}" compute-sanitizer --tool racecheck --racecheck-report hazard --error-exitcode 9 "$B/selftest" "$CU" "$CPU" > "$B/racecheck.txt" 2>&1
  echo "racecheck rc=$?" >> "$B/racecheck.txt"
  { echo "---- memcheck"; grep -E "ERROR SUMMARY|FAIL|^memcheck rc=" "$B/memcheck.txt"; grep -m5 -B2 -A8 "Invalid " "$B/memcheck.txt";
    echo "---- racecheck"; grep -E "RACECHECK SUMMARY|ERROR SUMMARY|FAIL|^racecheck rc=" "$B/racecheck.txt"; grep -m5 -A6 "Hazard" "$B/racecheck.txt"; } > "$OUT/sanitizers.txt"
  cat "$OUT/sanitizers.txt" | head -40
else echo "compute-sanitizer not found" | tee "$OUT/sanitizers.txt"; fi
log "done"
sed -n '/==== correctness ====/,$p' "$OUT/python_check.txt"
grep -E "ERROR" "$OUT/python_check.txt" | head -5
