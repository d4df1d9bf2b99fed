"""Device check for the avsal native CUDA kernels (runs on the GPU machine; not used at run time).

  python3 tools/native_device_check.py [--src avsal-native/src/main/native] [--lib path.so] [--quick]

Builds libavsal_native_cuda.so with nvcc (unless --lib is given), loads it with ctypes, checks the fused
cross-attention block and the ConvGRU against tools/avsal_head.py's modules evaluated in float64 on the same
(dtype-rounded) inputs and weights, with outputs poisoned by NaN before every call, then times them against
PyTorch eager, eager + CUDA graph, torch.compile and torch.compile(max-autotune-no-cudagraphs) + CUDA graph.
Every section is guarded; the final table is compact and full results go to $OUT/native_check.json.
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback

T0 = time.time()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
F32, BF16, F16 = 0, 1, 2


class Desc(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int32), ("ndim", ctypes.c_int32),
                ("shape", ctypes.c_int64 * 6), ("strides", ctypes.c_int64 * 6)]


FUSION_FIELDS = ["norm_q_w", "norm_q_b", "norm_kv_w", "norm_kv_b", "q_w", "q_b", "k_w", "k_b", "v_w", "v_b",
                 "out_w", "out_b", "norm_ffn_w", "norm_ffn_b", "ffn0_w", "ffn0_b", "ffn2_w", "ffn2_b"]
FUSION_PARAMS = ["norm_q.weight", "norm_q.bias", "norm_kv.weight", "norm_kv.bias", "q_proj.weight", "q_proj.bias",
                 "k_proj.weight", "k_proj.bias", "v_proj.weight", "v_proj.bias", "out_proj.weight", "out_proj.bias",
                 "norm_ffn.weight", "norm_ffn.bias", "ffn.0.weight", "ffn.0.bias", "ffn.2.weight", "ffn.2.bias"]


class FusionW(ctypes.Structure):
    _fields_ = [(n, Desc) for n in FUSION_FIELDS]


def make_desc(ptr, dtype, shape):
    d = Desc()
    d.data, d.dtype, d.ndim = ptr, dtype, len(shape)
    s = 1
    for i in range(len(shape) - 1, -1, -1):
        d.shape[i], d.strides[i] = shape[i], s
        s *= shape[i]
    return d


def load_lib(path):
    lib = ctypes.CDLL(path)
    P = ctypes.POINTER
    lib.avsal_fusion_forward.argtypes = [P(Desc), P(Desc), P(FusionW), ctypes.c_int32, ctypes.c_float, P(Desc), ctypes.c_void_p]
    lib.avsal_fusion_forward.restype = ctypes.c_int
    lib.avsal_convgru_forward.argtypes = [P(Desc), P(Desc), P(Desc), P(Desc), P(Desc), P(Desc), ctypes.c_void_p]
    lib.avsal_convgru_forward.restype = ctypes.c_int
    for f in ("avsal_last_error", "avsal_backend_name"):
        getattr(lib, f).restype = ctypes.c_char_p
        getattr(lib, f).argtypes = []
    lib.avsal_cuda_device_count.restype = ctypes.c_int
    return lib


def build(src, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    t = time.time()
    r = subprocess.run(["bash", os.path.join(src, "build.sh"), os.path.abspath(out_dir), os.environ.get("JAVA_HOME", "/usr"), "cuda"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("build failed:\n" + r.stdout[-3000:] + r.stderr[-3000:])
    return os.path.join(os.path.abspath(out_dir), "libavsal_native_cuda.so"), time.time() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.path.join(ROOT, "avsal-native", "src", "main", "native"))
    ap.add_argument("--lib", default=None)
    ap.add_argument("--quick", action="store_true", help="one small correctness case each, no timing (sanitizers)")
    ap.add_argument("--budget", type=float, default=300.0, help="seconds; no compile starts later than budget - 90 s")
    args = ap.parse_args()
    out_dir = os.environ.get("OUT") or "native-check-out"
    os.makedirs(out_dir, exist_ok=True)
    res = {"correctness": [], "timing": [], "errors": [], "info": {}}
    table = []

    def save():
        with open(os.path.join(out_dir, "native_check.json" if not args.quick else "native_check_quick.json"), "w") as f:
            json.dump(res, f, indent=1, default=str)

    def err(section, e):
        tb = traceback.format_exc()
        print(f"[{section}] ERROR {e}\n{tb}", flush=True)
        res["errors"].append({"section": section, "error": repr(e), "trace": tb[-4000:]})
        save()

    import torch
    import torch.nn.functional as F
    sys.path.insert(0, HERE)
    from avsal_head import HeadConfig, CrossAttentionFusion, ConvGru

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    res["info"] = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "cuda": torch.version.cuda}

    try:
        if args.lib:
            lib_path = args.lib
        else:
            lib_path, bt = build(args.src, os.path.join(out_dir, "build"))
            res["info"]["build_s"] = round(bt, 2)
        lib = load_lib(lib_path)
        res["info"]["backend"] = lib.avsal_backend_name().decode()
        res["info"]["devices"] = lib.avsal_cuda_device_count()
        print("library", lib_path, res["info"], flush=True)
    except Exception as e:
        err("build", e)
        save()
        return 1

    TD = {torch.float32: F32, torch.bfloat16: BF16, torch.float16: F16}
    DN = {torch.float32: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}

    def desc(t):
        assert t.is_contiguous()
        return make_desc(t.data_ptr(), TD[t.dtype], list(t.shape))

    def stream():
        return ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)

    def check_rc(rc):
        if rc != 0:
            raise RuntimeError(f"status {rc}: {lib.avsal_last_error().decode()}")

    def rel(out, ref):
        o, r = out.double(), ref.double()
        if not torch.isfinite(o).all():
            return float("nan")
        return ((o - r).norm() / r.norm()).item()

    # ---------------- fusion ----------------
    def fusion_setup(n, lq, lk, d, heads, dtype, seed):
        g = torch.Generator(device="cpu").manual_seed(seed)
        cfg = HeadConfig(dim=d, heads=heads, visual_width=d, audio_width=d)
        m = CrossAttentionFusion(cfg)
        with torch.no_grad():
            for name, p in m.named_parameters():
                if name.startswith(("visual_proj", "audio_proj")):
                    continue
                if name.endswith("weight") and p.dim() == 1:
                    p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
                elif name.endswith("bias"):
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[1]))
            # Identity input projections: the module then computes exactly the block from projected tokens.
            for lin in (m.visual_proj, m.audio_proj):
                lin.weight.copy_(torch.eye(d))
                lin.bias.zero_()
        m = m.to(dev).to(dtype).eval()
        x = torch.randn(n, lq, d, generator=g).to(dev, dtype)
        a = (0.5 + torch.randn(n, lk, d, generator=g)).to(dev, dtype)
        w = FusionW()
        params = dict(m.named_parameters())
        keep = [params[p].detach().contiguous() for p in FUSION_PARAMS]
        for f, t in zip(FUSION_FIELDS, keep):
            setattr(w, f, desc(t))
        return m, x, a, w, keep

    def torch_block(m, x, a):
        """The block after the input projections, with SDPA: the strongest eager PyTorch form of the same function."""
        n, lq, d = x.shape
        lk, h = a.shape[1], m.heads
        a = m.norm_kv(a)
        q = m.q_proj(m.norm_q(x)).view(n, lq, h, d // h).transpose(1, 2)
        k = m.k_proj(a).view(n, lk, h, d // h).transpose(1, 2)
        v = m.v_proj(a).view(n, lk, h, d // h).transpose(1, 2)
        att = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(n, lq, d)
        x = x + m.out_proj(att)
        return x + m.ffn(m.norm_ffn(x))

    def fusion_call(x, a, w, heads, out, keep_descs):
        dx, da, do = desc(x), desc(a), desc(out)
        keep_descs[:] = [dx, da, do]
        check_rc(lib.avsal_fusion_forward(ctypes.byref(dx), ctypes.byref(da), ctypes.byref(w), heads, 1e-5, ctypes.byref(do), stream()))

    # Tensor-core kernels (bf16/fp16): d 64/128 with head width 16/32/64, FFN a multiple of 64, audio tokens up to
    # about 300; other cases (and every fp32 case) run the version 1 kernels. Both kinds are listed here.
    fusion_cases = [(3, 37, 229, 128, 4), (2, 196, 229, 128, 4), (4, 336, 229, 128, 4), (1, 5, 1, 64, 1), (2, 33, 70, 96, 3),
                    (1, 20, 100, 256, 1), (2, 17, 512, 256, 8), (1, 50, 33, 64, 8), (2, 70, 229, 128, 8), (1, 100, 300, 64, 2), (2, 150, 300, 128, 4)]
    gru_cases = [(1, 3, 16, 5, 7), (2, 4, 128, 14, 14), (1, 16, 32, 9, 13), (1, 5, 8, 1, 1), (1, 16, 128, 14, 24),
                 (3, 5, 64, 7, 30), (2, 3, 128, 1, 1)]
    dtypes = [torch.float32, torch.bfloat16, torch.float16]
    if args.quick:
        fusion_cases, gru_cases, dtypes = [(2, 19, 37, 64, 2)], [(1, 3, 16, 5, 7), (1, 3, 32, 5, 7)], [torch.float32, torch.bfloat16]
    tol = {torch.float32: 1e-5, torch.bfloat16: 1e-2, torch.float16: 1e-2}
    ok = {"fusion": True, "convgru": True}
    seed = int(time.time()) % 100000

    for case in fusion_cases:
        for dt in dtypes:
            try:
                seed += 1
                n, lq, lk, d, h = case
                m, x, a, w, keep = fusion_setup(n, lq, lk, d, h, dt, seed)
                out = torch.full_like(x, float("nan"))
                kd = []
                fusion_call(x, a, w, h, out, kd)
                torch.cuda.synchronize()
                with torch.no_grad():
                    m64 = m.double()
                    ref = m64(x.double(), a.double())
                    e_torch = None
                    if dt == torch.float32 and not args.quick:
                        m.float()
                        e_torch = rel(torch_block(m, x, a), ref)  # checks the timing baseline computes the same function
                e = rel(out, ref)
                passed = e == e and e <= tol[dt]
                ok["fusion"] &= passed
                r = {"kernel": "fusion", "case": case, "dtype": DN[dt], "rel_err": e, "pass": passed, "seed": seed,
                     "torch_block_rel_err": e_torch}
                res["correctness"].append(r)
                print("check", r, flush=True)
            except Exception as ex:
                ok["fusion"] = False
                err(f"fusion check {case} {DN[dt]}", ex)

    # ---------------- ConvGRU ----------------
    def gru_setup(b, t, c, hh, ww, dtype, seed):
        g = torch.Generator(device="cpu").manual_seed(seed)
        cfg = HeadConfig(dim=c)
        torch.manual_seed(seed)
        m = ConvGru(cfg)
        m = m.to(dev).to(dtype).eval()
        seq = torch.randn(b, t, c, hh, ww, generator=g).to(dev, dtype)
        keep = [m.conv_x.weight.detach().contiguous(), m.conv_x.bias.detach().contiguous(), m.conv_h.weight.detach().contiguous()]
        return m, seq, keep

    def gru_call(seq, keep, out, kd, h0=None):
        ds, do = desc(seq), desc(out)
        dw = [desc(k) for k in keep]
        dh = desc(h0) if h0 is not None else None
        kd[:] = [ds, do, dh] + dw
        check_rc(lib.avsal_convgru_forward(ctypes.byref(ds), ctypes.byref(dw[0]), ctypes.byref(dw[1]), ctypes.byref(dw[2]),
                                           ctypes.byref(dh) if dh is not None else None, ctypes.byref(do), stream()))

    for case in gru_cases:
        for dt in dtypes:
            try:
                seed += 1
                m, seq, keep = gru_setup(*case, dt, seed)
                b_, t_, c_, hh_, ww_ = case
                h0 = (0.5 * torch.randn(b_, c_, hh_, ww_, generator=torch.Generator().manual_seed(seed))).to(dev, dt)
                for with_h0 in (False, True):
                    out = torch.full_like(seq, float("nan"))
                    kd = []
                    gru_call(seq, keep, out, kd, h0 if with_h0 else None)
                    torch.cuda.synchronize()
                    with torch.no_grad():
                        ref = m.double()(seq.double(), h0.double() if with_h0 else None)[0]
                    e = rel(out, ref)
                    passed = e == e and e <= tol[dt]
                    ok["convgru"] &= passed
                    r = {"kernel": "convgru" + ("+h0" if with_h0 else ""), "case": case, "dtype": DN[dt], "rel_err": e,
                         "pass": passed, "seed": seed}
                    res["correctness"].append(r)
                    print("check", r, flush=True)
            except Exception as ex:
                ok["convgru"] = False
                err(f"convgru check {case} {DN[dt]}", ex)
    res["info"]["correct"] = ok
    save()
    if args.quick:
        print("QUICK", "PASS" if all(ok.values()) else "FAIL", ok)
        return 0 if all(ok.values()) else 1

    # ---------------- timing ----------------
    def bench(fn, warm=10, iters=60):
        for _ in range(warm):
            fn()
        torch.cuda.synchronize()
        ts = []
        for _ in range(iters):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            fn()
            e.record()
            e.synchronize()
            ts.append(s.elapsed_time(e))
        return statistics.median(ts), min(ts), max(ts)

    def graphed(fn):
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                fn()
        torch.cuda.current_stream().wait_stream(s)
        torch.cuda.synchronize()
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            fn()
        torch.cuda.synchronize()
        return g.replay

    import torch._dynamo
    try:
        torch._dynamo.config.cache_size_limit = 256
        torch._dynamo.config.recompile_limit = 256
    except Exception:
        pass
    compile_ok = {"default": True}

    def compiled(fn, mode, sample_call):
        if not compile_ok[mode]:
            return None, "skipped (an earlier compile took > 60 s)"
        if time.time() - T0 > args.budget - 90:
            return None, "skipped (time budget)"
        t = time.time()
        cf = torch.compile(fn, mode=None if mode == "default" else mode, dynamic=False)
        sample_call(cf)
        torch.cuda.synchronize()
        ct = time.time() - t
        if ct > 60:
            compile_ok[mode] = False
        return cf, round(ct, 1)

    def time_variants(label, ours, ref_fn, out_ours, compile_this):
        row = {"workload": label}
        for name, fn in [("ours", ours), ("eager", ref_fn)]:
            try:
                row[name] = bench(fn)[0]
            except Exception as ex:
                err(f"{label} {name}", ex)
        for name, fn in [("ours+graph", ours), ("eager+graph", ref_fn)]:
            try:
                row[name] = bench(graphed(fn))[0]
            except Exception as ex:
                err(f"{label} {name}", ex)
        if compile_this:
            try:
                cf, ct = compiled(ref_fn.__wrapped_fn__, "default", ref_fn.__sample__)
                row["compile_s"] = ct
                if cf is not None:
                    call = lambda: ref_fn.__sample__(cf)
                    row["compile"] = bench(call)[0]
                    row["compile+graph"] = bench(graphed(call))[0]
            except Exception as ex:
                err(f"{label} compile", ex)
        if "ours" in row:
            for k in ("eager", "compile"):
                if k in row:
                    row["x_vs_" + k] = row[k] / row["ours"]
        best = [row[k] for k in ("eager", "eager+graph", "compile", "compile+graph") if k in row]
        if best and "ours+graph" in row:
            row["speedup_vs_best_torch"] = min(best) / row["ours+graph"]
        res["timing"].append(row)
        save()
        print("time", row, flush=True)
        table.append(row)

    def ref_wrapper(f, sample):
        f.__wrapped_fn__ = f
        f.__sample__ = sample
        return f

    for frames, lq, dt in [(16, 196, torch.float32), (16, 196, torch.bfloat16), (16, 336, torch.float32), (16, 336, torch.bfloat16),
                           (256, 196, torch.float32), (256, 196, torch.bfloat16), (256, 336, torch.float32), (256, 336, torch.bfloat16)]:
        label = f"fusion N={frames} Lq={lq} {DN[dt]}"
        try:
            m, x, a, w, keep = fusion_setup(frames, lq, 229, 128, 4, dt, 7)
            out = torch.empty_like(x)
            kd = []
            ours = lambda: fusion_call(x, a, w, 4, out, kd)

            def tb(mm=m):
                with torch.no_grad():
                    return torch_block(mm, x, a)
            tbf = ref_wrapper(lambda: tb(), None)
            fn_plain = lambda xx, aa, mm=m: torch_block(mm, xx, aa)
            tbf.__wrapped_fn__ = fn_plain
            tbf.__sample__ = lambda f, xx=x, aa=a: f(xx, aa)
            with torch.no_grad():
                time_variants(label, ours, tbf, out, compile_this=(lq == 196 or dt != torch.float32))
        except Exception as ex:
            err(label, ex)

    for b, hh, ww, dt in [(1, 14, 24, torch.float32), (1, 14, 24, torch.bfloat16), (8, 14, 24, torch.float32),
                          (8, 14, 24, torch.bfloat16), (1, 14, 14, torch.float32), (1, 14, 14, torch.bfloat16)]:
        label = f"convgru B={b} 16x128x{hh}x{ww} {DN[dt]}"
        try:
            m, seq, keep = gru_setup(b, 16, 128, hh, ww, dt, 11)
            out = torch.empty_like(seq)
            kd = []
            ours = lambda: gru_call(seq, keep, out, kd)
            fn_plain = lambda s, mm=m: mm(s)[0]
            rf = ref_wrapper(lambda: fn_plain(seq), None)
            rf.__wrapped_fn__ = fn_plain
            rf.__sample__ = lambda f, s=seq: f(s)
            with torch.no_grad():
                time_variants(label, ours, rf, out, compile_this=(ww == 24))
        except Exception as ex:
            err(label, ex)

    # ---------------- summary ----------------
    res["info"]["elapsed_s"] = round(time.time() - T0, 1)
    save()
    print("\n==== correctness ====")
    for r in res["correctness"]:
        print(f"{r['kernel']:10s} {str(r['case']):24s} {r['dtype']:5s} rel={r['rel_err']:.2e} {'PASS' if r['pass'] else 'FAIL'}")
    print("\n==== timing (ms, median; speedup = best torch / ours+graph) ====")
    cols = ["ours", "ours+graph", "eager", "eager+graph", "compile", "compile+graph", "x_vs_eager", "x_vs_compile", "speedup_vs_best_torch"]
    print(f"{'workload':36s} " + " ".join(f"{c[:12]:>12s}" for c in cols))
    for row in table:
        print(f"{row['workload']:36s} " + " ".join(f"{row[c]:12.4f}" if isinstance(row.get(c), float) else f"{'-':>12s}" for c in cols))
    print(f"\nerrors: {len(res['errors'])}  correct: {ok}  elapsed {res['info']['elapsed_s']} s  json: {out_dir}/native_check.json")
    return 0 if all(ok.values()) and not res["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
