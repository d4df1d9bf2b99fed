#!/usr/bin/env python3
"""Reference values of the AIM 2024 challenge metrics (bench.py of msu-video-group/ECCVW24_Saliency_Prediction)
for dev.avsal.metrics (Protocol.AIM2024), computed by bench.py itself.

Usage: python3 tools/make_metric_fixtures.py PATH/TO/bench.py OUT_DIR
Needs numpy and opencv-python(-headless); no network. Writes OUT_DIR/aim2024_bench.txt (about 100 KB, a few
seconds). bench.py is imported from the given, uncommitted copy; nothing of it is copied here.

Inputs are 8-bit gray frames (three equal channels, as ffmpeg extracts them) made from Park-Miller streams with
the same recipes as tools/metrics_octave/ and the Java test (RefGen); they are written as PNG files, read back by
bench.read_sm and scored by bench.calculate_frame_metrics, the per-frame function of the bench. Fixations are
[row, col] pairs, as bench.py indexes them. KLD is bench.kldiv on the maps calculate_frame_metrics prepares.
The raw pixels (base64) and fixations are saved with the values. The file also holds cv2.resize outputs on
small float64 arrays, to pin OpenCV's bilinear arithmetic (and whether this build routes it through IPP).
"""
import base64
import importlib.util
import math
import os
import sys
import tempfile
import types
import warnings


def pm_draws(s, n):
    out = []
    for _ in range(n):
        s = (16807 * s) % 2147483647
        out.append(s / 2147483647)
    return out


def smooth(rows, cols, seed, cyf, cxf, s2f, noise):
    u = pm_draws(seed, rows * cols)
    cy, cx, s2 = cyf * rows, cxf * cols, s2f * rows * cols
    m = []
    for r in range(rows):
        for c in range(cols):
            dr, dc = r - cy, c - cx
            q = (dr * dr + dc * dc) / s2
            m.append(noise * u[r * cols + c] + 1 / (1 + q))
    return m


def to_u8(vals, scale):
    return bytes(min(max(int(math.floor(v * scale)), 0), 255) for v in vals)


def fixations(rows, cols, seed, k, cyf, cxf, spread):
    u = pm_draws(seed, 2 * k)
    pts = []
    for i in range(k):
        r = min(max(math.floor((cyf + spread * (u[2 * i] - 0.5)) * rows), 0), rows - 1)
        c = min(max(math.floor((cxf + spread * (u[2 * i + 1] - 0.5)) * cols), 0), cols - 1)
        pts.append([r, c])
    return pts


def load_bench(path):
    try:
        import tqdm  # noqa: F401  (bench.py imports it at module level)
    except ImportError:
        fake = types.ModuleType("tqdm")
        fake.tqdm = lambda it=None, **kw: it
        sys.modules["tqdm"] = fake
    import numpy as np
    if not hasattr(np, "trapz"):  # removed in NumPy 2.4; trapezoid is the same function
        np.trapz = np.trapezoid
    spec = importlib.util.spec_from_file_location("bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    # bench.py turns every warning into an error; keep that for numerical warnings (they decide NaN-like cases)
    # but not for NumPy deprecation notices, which do not change any value.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    return bench


# name, pred (rows, cols, seed, 8-bit scale, op), gt rows/cols/seed, fixations (seed, k, pattern)
GT = (0.55, 0.42, 0.08, 0.1)
PRED = (0.37, 0.61, 0.05, 0.25)
CASES = [
    ("a_same", (36, 64, 1234567, 200, None), (36, 64, 7654321), (1111111, 40, "blob")),
    ("a_down2", (72, 128, 3333333, 200, None), (36, 64, 7654321), (1111111, 40, "blob")),
    ("a_down", (50, 90, 3434343, 200, None), (36, 64, 7654321), (1111111, 40, "blob")),
    ("a_up", (27, 48, 7777777, 200, None), (36, 64, 7654321), (1111111, 40, "blob")),
    ("a_dups", (36, 64, 1234567, 200, None), (36, 64, 7654321), (2222222, 30, "dups")),
    ("a_diag", (36, 64, 1234567, 200, None), (36, 64, 7654321), (3333333, 20, "diag")),
    ("a_onefix", (36, 64, 1234567, 200, None), (36, 64, 7654321), (4444444, 1, "blob")),
    ("a_quant", (36, 64, 1234567, 8, None), (36, 64, 7654321), (1111111, 40, "blob")),
    ("a_sparse", (36, 64, 1234567, 200, "sparse"), (36, 64, 7654321), (1111111, 40, "blob")),
    ("a_constpred", (36, 64, 1234567, 200, "const"), (36, 64, 7654321), (1111111, 40, "blob")),
    ("a_constgt", (36, 64, 1234567, 200, None), (36, 64, 0), (1111111, 40, "blob")),
]
RESIZES = [(3, 5, 7, 4), (4, 6, 2, 3), (8, 8, 3, 5), (5, 7, 11, 13), (1, 6, 1, 4), (6, 1, 9, 1), (9, 12, 4, 5),
           (36, 64, 27, 48), (10, 10, 15, 15)]  # in rows, in cols, out rows, out cols


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_metric_fixtures.py PATH/TO/bench.py OUT_DIR")
    bench = load_bench(sys.argv[1])
    import cv2
    import numpy as np
    os.makedirs(sys.argv[2], exist_ok=True)
    ipp = [l.strip() for l in cv2.getBuildInformation().splitlines() if "IPP" in l]
    out = ["# AIM 2024 bench.py reference values, written by tools/make_metric_fixtures.py",
           f"env python {sys.version.split()[0]}", f"env numpy {np.__version__}", f"env opencv {cv2.__version__}",
           "env ipp " + (" | ".join(ipp) if ipp else "none")]
    for ir, ic, orr, oc in RESIZES:
        a = np.array([((i * 7919) % 1009) / 1009.0 * 3 - 1 for i in range(ir * ic)], dtype=np.float64).reshape(ir, ic)
        b = cv2.resize(a, (oc, orr))
        out.append(f"resize {ir} {ic} {orr} {oc} " + " ".join("%.17g" % v for v in b.ravel()))
    with tempfile.TemporaryDirectory() as tmp:
        for name, (pr, pc, pseed, scale, op), (gr, gc, gseed), (fseed, k, pattern) in CASES:
            pv = smooth(pr, pc, pseed, *PRED)
            if op == "sparse":
                pv = [v if v >= 0.8 else 0.0 for v in pv]
            pred = to_u8(pv, scale) if op != "const" else bytes([90]) * (pr * pc)
            gt = to_u8(smooth(gr, gc, gseed, *GT), 200) if gseed else bytes([120]) * (gr * gc)
            if pattern == "blob":
                fix = fixations(gr, gc, fseed, k, 0.37, 0.61, 0.5)
            elif pattern == "dups":
                fix = fixations(gr, gc, fseed, k, 0.37, 0.61, 0.5)
                fix = fix + fix[:10] + fix[:3]
            else:  # every fixation with row == col: bench's unique-column count becomes 1
                fix = [[r, r] for r, _ in fixations(gr, gc, fseed, k, 0.3, 0.3, 0.5)]
            paths = {}
            out.append(f"case {name}")
            for what, data, rows, cols in (("pred", pred, pr, pc), ("gt", gt, gr, gc)):
                img = np.frombuffer(data, dtype=np.uint8).reshape(rows, cols)
                paths[what] = os.path.join(tmp, f"{name}_{what}.png")
                cv2.imwrite(paths[what], np.stack([img] * 3, axis=2))
                out.append(f"{what} {rows} {cols} " + base64.b64encode(data).decode())
            out.append(f"fix {len(fix)} " + " ".join(f"{r} {c}" for r, c in fix))
            frame = {"gt_fixations": fix, "gt_saliency_path": paths["gt"], "predictions_path": paths["pred"]}
            try:
                res = bench.calculate_frame_metrics(frame)
                for key, label in (("sim_score", "SIM"), ("nss_score", "NSS"), ("cc_score", "CC"),
                                   ("auc_judd_score", "AUCJ")):
                    out.append("value %s %.17g" % (label, float(res[key])))
            except Exception as e:  # noqa: BLE001  (bench raises on numpy warnings)
                out.append(f"error FRAME {type(e).__name__}")
            try:
                g = bench.read_sm(paths["gt"])
                p = cv2.resize(bench.read_sm(paths["pred"]), (g.shape[1], g.shape[0]))
                out.append("value KLD %.17g" % float(bench.kldiv(p, g)))
            except Exception as e:  # noqa: BLE001
                out.append(f"error KLD {type(e).__name__}")
            out.append("end")
    dst = os.path.join(sys.argv[2], "aim2024_bench.txt")
    with open(dst, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {dst} ({os.path.getsize(dst)} bytes); " + "; ".join(out[1:5]))


if __name__ == "__main__":
    main()
