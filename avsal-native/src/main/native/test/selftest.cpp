// Self-test: runs the CUDA backend and the CPU reference backend on the same random inputs (small, odd shapes) and
// compares them. Both libraries are dlopen'ed (they export the same symbols). Used under compute-sanitizer.
//   selftest libavsal_native_cuda.so libavsal_native_cpu.so
#include "../avsal_native.h"
#include "../avsal_common.hpp"
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

typedef int (*fusion_fn)(const avsal_tensor *, const avsal_tensor *, const avsal_fusion_weights *, int32_t, float, avsal_tensor *, void *);
typedef int (*gru_fn)(const avsal_tensor *, const avsal_tensor *, const avsal_tensor *, const avsal_tensor *, const avsal_tensor *,
                      avsal_tensor *, void *);
typedef const char *(*err_fn)(void);

struct Lib { fusion_fn fusion; gru_fn gru; err_fn err; };
static Lib open_lib(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "dlopen %s: %s\n", path, dlerror()); exit(2); }
    return {(fusion_fn)dlsym(h, "avsal_fusion_forward"), (gru_fn)dlsym(h, "avsal_convgru_forward"), (err_fn)dlsym(h, "avsal_last_error")};
}
#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e_)); exit(3); } } while (0)

static std::mt19937 rng(12345);
// A host/device pair of one fp32 or bf16 tensor.
struct Pair {
    avsal_tensor h{}, d{};
    std::vector<uint16_t> hb; std::vector<float> hf;
    Pair(int dtype, std::vector<int64_t> shape, float scale, float offset, bool fill = true) {
        int64_t n = 1;
        for (auto s : shape) n *= s;
        size_t el = dtype == AVSAL_F32 ? 4 : 2;
        std::normal_distribution<float> nd(0.f, 1.f);
        if (dtype == AVSAL_F32) hf.resize((size_t)n); else hb.resize((size_t)n);
        for (int64_t i = 0; i < n; ++i) {
            float v = fill ? offset + scale * nd(rng) : NAN;
            if (dtype == AVSAL_F32) hf[(size_t)i] = v; else hb[(size_t)i] = dtype == AVSAL_BF16 ? avsal::f_to_bf16(v) : avsal::f_to_h(v);
        }
        void *dp; CK(cudaMalloc(&dp, (size_t)n * el));
        CK(cudaMemcpy(dp, dtype == AVSAL_F32 ? (void *)hf.data() : (void *)hb.data(), (size_t)n * el, cudaMemcpyHostToDevice));
        for (auto *t : {&h, &d}) {
            t->dtype = dtype; t->ndim = (int)shape.size();
            int64_t s = 1;
            for (int i = t->ndim - 1; i >= 0; --i) { t->shape[i] = shape[(size_t)i]; t->strides[i] = s; s *= shape[(size_t)i]; }
        }
        h.data = dtype == AVSAL_F32 ? (void *)hf.data() : (void *)hb.data();
        d.data = dp;
    }
    double compare() {  // device result vs host result, relative L2
        int64_t n = avsal::numel(&h);
        avsal_tensor back = h;
        std::vector<uint8_t> buf((size_t)n * (h.dtype == AVSAL_F32 ? 4 : 2));
        CK(cudaMemcpy(buf.data(), d.data, buf.size(), cudaMemcpyDeviceToHost));
        back.data = buf.data();
        double num = 0, den = 0;
        for (int64_t i = 0; i < n; ++i) {
            double a = avsal::load_h(&back, i), b = avsal::load_h(&h, i);
            if (!std::isfinite(a)) return NAN;
            num += (a - b) * (a - b); den += b * b;
        }
        return std::sqrt(num / den);
    }
};

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: selftest CUDA.so CPU.so\n"); return 2; }
    Lib cu = open_lib(argv[1]), cpu = open_lib(argv[2]);
    int bad = 0;
    // d=64/128 with head width 16/32/64 take the tensor-core kernels for bf16/fp16; d=96 the version 1 kernels.
    struct FC { int n, lq, lk, d, heads; } fcs[] = {{2, 19, 37, 64, 2}, {1, 17, 5, 96, 3}, {2, 150, 45, 128, 4}, {1, 9, 1, 128, 2}, {1, 33, 70, 64, 4}};
    for (auto c : fcs)
        for (int dt : {AVSAL_F32, AVSAL_BF16, AVSAL_F16}) {
            int64_t d = c.d, f = 2 * d;
            Pair x(dt, {c.n, c.lq, d}, 1, 0), a(dt, {c.n, c.lk, d}, 1, 0.5f), out(dt, {c.n, c.lq, d}, 0, 0, false);
            std::vector<Pair *> ws;
            auto vec = [&](float off) { ws.push_back(new Pair(dt, {d}, 0.2f, off)); return ws.back(); };
            auto mat = [&](int64_t o, int64_t i) { ws.push_back(new Pair(dt, {o, i}, 1.f / std::sqrt((float)i), 0)); return ws.back(); };
            Pair *p[18] = {vec(1), vec(0), vec(1), vec(0), mat(d, d), vec(0), mat(d, d), vec(0), mat(d, d), vec(0), mat(d, d), vec(0),
                           vec(1), vec(0), mat(f, d), nullptr, mat(d, f), vec(0)};
            ws.push_back(new Pair(dt, {f}, 0.2f, 0)); p[15] = ws.back();
            avsal_fusion_weights wh, wd;
            avsal_tensor *th = &wh.norm_q_w, *td = &wd.norm_q_w;  // the struct is 18 consecutive descriptors
            for (int i = 0; i < 18; ++i) { th[i] = p[i]->h; td[i] = p[i]->d; }
            int r1 = cpu.fusion(&x.h, &a.h, &wh, c.heads, 1e-5f, &out.h, nullptr);
            int r2 = cu.fusion(&x.d, &a.d, &wd, c.heads, 1e-5f, &out.d, nullptr);
            CK(cudaDeviceSynchronize());
            double e = (r1 || r2) ? NAN : out.compare();
            bool ok = e == e && e < (dt == AVSAL_F32 ? 1e-5 : 1e-2);
            printf("fusion n=%d lq=%d lk=%d d=%d h=%d dtype=%d rc=%d/%d rel=%.3e %s %s\n", c.n, c.lq, c.lk, c.d, c.heads, dt, r1, r2, e,
                   ok ? "PASS" : "FAIL", r2 ? cu.err() : "");
            bad += !ok;
        }
    struct GC { int b, t, c, h, w; } gcs[] = {{1, 3, 16, 5, 7}, {2, 2, 8, 4, 3}, {2, 3, 32, 5, 7}, {1, 4, 64, 9, 13}, {1, 2, 128, 3, 2}};
    for (auto c : gcs)
        for (int dt : {AVSAL_F32, AVSAL_BF16, AVSAL_F16}) {
            Pair s(dt, {c.b, c.t, c.c, c.h, c.w}, 1, 0), wx(dt, {3 * c.c, c.c, 3, 3}, 0.1f, 0), bx(dt, {3 * c.c}, 0.2f, 0),
                wh(dt, {3 * c.c, c.c, 3, 3}, 0.1f, 0), out(dt, {c.b, c.t, c.c, c.h, c.w}, 0, 0, false);
            Pair h0(dt, {c.b, c.c, c.h, c.w}, 0.5f, 0);
            for (int with_h0 = 0; with_h0 < 2; ++with_h0) {
                int r1 = cpu.gru(&s.h, &wx.h, &bx.h, &wh.h, with_h0 ? &h0.h : nullptr, &out.h, nullptr);
                int r2 = cu.gru(&s.d, &wx.d, &bx.d, &wh.d, with_h0 ? &h0.d : nullptr, &out.d, nullptr);
                CK(cudaDeviceSynchronize());
                double e = (r1 || r2) ? NAN : out.compare();
                bool ok = e == e && e < (dt == AVSAL_F32 ? 1e-5 : 1e-2);
                printf("convgru b=%d t=%d c=%d %dx%d dtype=%d h0=%d rc=%d/%d rel=%.3e %s %s\n", c.b, c.t, c.c, c.h, c.w, dt, with_h0, r1, r2, e,
                       ok ? "PASS" : "FAIL", r2 ? cu.err() : "");
                bad += !ok;
            }
        }
    printf("selftest %s\n", bad ? "FAIL" : "PASS");
    return bad ? 1 : 0;
}
