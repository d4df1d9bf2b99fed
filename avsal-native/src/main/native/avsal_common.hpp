// Shared argument validation and error reporting for both backends (host code only).
#pragma once
#include "avsal_native.h"
#include <cstdio>
#include <cstdarg>
#include <cstring>
#include <cstdint>

namespace avsal {

inline char *err_buf() { static thread_local char b[512]; return b; }
inline int fail(int code, const char *fmt, ...) {
    va_list ap; va_start(ap, fmt); vsnprintf(err_buf(), 512, fmt, ap); va_end(ap); return code;
}
inline void clear_error() { err_buf()[0] = 0; }

// Returns 0 or an error code; checks non-null data, dtype, rank, contiguity and (where want[i] >= 0) dims.
inline int check(const char *name, const avsal_tensor *t, int dtype, int ndim, const int64_t *want) {
    if (!t || !t->data) return fail(AVSAL_ERR_ARG, "%s: null tensor or data", name);
    if (t->dtype != dtype) return fail(AVSAL_ERR_DTYPE, "%s: dtype %d, expected %d", name, t->dtype, dtype);
    if (t->ndim != ndim) return fail(AVSAL_ERR_SHAPE, "%s: rank %d, expected %d", name, t->ndim, ndim);
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; --i) {
        if (want && want[i] >= 0 && t->shape[i] != want[i])
            return fail(AVSAL_ERR_SHAPE, "%s: dim %d is %lld, expected %lld", name, i, (long long)t->shape[i], (long long)want[i]);
        if (t->shape[i] <= 0) return fail(AVSAL_ERR_SHAPE, "%s: dim %d is %lld", name, i, (long long)t->shape[i]);
        if (t->shape[i] > 1 && t->strides[i] != s) return fail(AVSAL_ERR_LAYOUT, "%s: not contiguous", name);
        s *= t->shape[i];
    }
    return 0;
}
inline int64_t numel(const avsal_tensor *t) { int64_t n = 1; for (int i = 0; i < t->ndim; ++i) n *= t->shape[i]; return n; }

struct FusionDims { int64_t n, lq, lk, d, f; int heads; };

inline int check_fusion(const avsal_tensor *x, const avsal_tensor *ap, const avsal_fusion_weights *w, int heads,
                        const avsal_tensor *out, FusionDims &fd) {
    if (!x || !ap || !w || !out) return fail(AVSAL_ERR_ARG, "fusion: null argument");
    int dt = x->dtype;
    if (dt < 0 || dt > 2) return fail(AVSAL_ERR_DTYPE, "x: unknown dtype %d", dt);
    int r;
    if ((r = check("x", x, dt, 3, nullptr))) return r;
    fd.n = x->shape[0]; fd.lq = x->shape[1]; fd.d = x->shape[2]; fd.heads = heads;
    int64_t d = fd.d;
    if (heads <= 0 || d % heads) return fail(AVSAL_ERR_ARG, "heads %d does not divide width %lld", heads, (long long)d);
    if (d > 256 || d / heads > 256 || d % 4) return fail(AVSAL_ERR_UNSUPPORTED, "width %lld unsupported (multiple of 4, <= 256)", (long long)d);
    int64_t aw[3] = {fd.n, -1, d};
    if ((r = check("ap", ap, dt, 3, aw))) return r;
    fd.lk = ap->shape[1];
    if ((r = check("out", out, dt, 3, x->shape))) return r;
    int64_t vd[1] = {d}, md[2] = {d, d};
    if ((r = check("norm_q.weight", &w->norm_q_w, dt, 1, vd)) || (r = check("norm_q.bias", &w->norm_q_b, dt, 1, vd)) ||
        (r = check("norm_kv.weight", &w->norm_kv_w, dt, 1, vd)) || (r = check("norm_kv.bias", &w->norm_kv_b, dt, 1, vd)) ||
        (r = check("norm_ffn.weight", &w->norm_ffn_w, dt, 1, vd)) || (r = check("norm_ffn.bias", &w->norm_ffn_b, dt, 1, vd)) ||
        (r = check("q_proj.weight", &w->q_w, dt, 2, md)) || (r = check("q_proj.bias", &w->q_b, dt, 1, vd)) ||
        (r = check("k_proj.weight", &w->k_w, dt, 2, md)) || (r = check("k_proj.bias", &w->k_b, dt, 1, vd)) ||
        (r = check("v_proj.weight", &w->v_w, dt, 2, md)) || (r = check("v_proj.bias", &w->v_b, dt, 1, vd)) ||
        (r = check("out_proj.weight", &w->out_w, dt, 2, md)) || (r = check("out_proj.bias", &w->out_b, dt, 1, vd)))
        return r;
    int64_t f0[2] = {-1, d};
    if ((r = check("ffn.0.weight", &w->ffn0_w, dt, 2, f0))) return r;
    fd.f = w->ffn0_w.shape[0];
    int64_t fb[1] = {fd.f}, f2[2] = {d, fd.f};
    if ((r = check("ffn.0.bias", &w->ffn0_b, dt, 1, fb)) || (r = check("ffn.2.weight", &w->ffn2_w, dt, 2, f2)) ||
        (r = check("ffn.2.bias", &w->ffn2_b, dt, 1, vd)))
        return r;
    if (fd.f > 1024) return fail(AVSAL_ERR_UNSUPPORTED, "ffn width %lld > 1024", (long long)fd.f);
    return 0;
}

struct GruDims { int64_t b, t, c, h, w; };
inline bool present(const avsal_tensor *t) { return t && t->data; }
inline int check_gru(const avsal_tensor *seq, const avsal_tensor *wx, const avsal_tensor *bx, const avsal_tensor *wh,
                     const avsal_tensor *h0, const avsal_tensor *out, GruDims &g) {
    if (!seq || !wx || !bx || !wh || !out) return fail(AVSAL_ERR_ARG, "convgru: null argument");
    int dt = seq->dtype, r;
    if (dt < 0 || dt > 2) return fail(AVSAL_ERR_DTYPE, "seq: unknown dtype %d", dt);
    if ((r = check("seq", seq, dt, 5, nullptr))) return r;
    g = {seq->shape[0], seq->shape[1], seq->shape[2], seq->shape[3], seq->shape[4]};
    int64_t ww[4] = {3 * g.c, g.c, 3, 3}, bb[1] = {3 * g.c};
    if ((r = check("conv_x.weight", wx, dt, 4, ww)) || (r = check("conv_x.bias", bx, dt, 1, bb)) ||
        (r = check("conv_h.weight", wh, dt, 4, ww)) || (r = check("out", out, dt, 5, seq->shape)))
        return r;
    int64_t hs[4] = {g.b, g.c, g.h, g.w};
    if (present(h0) && (r = check("h0", h0, dt, 4, hs))) return r;
    if (g.b * g.t > 2147483647LL / (3 * g.c * g.h * g.w)) return fail(AVSAL_ERR_UNSUPPORTED, "convgru: sequence too large");
    return 0;
}

// Arguments of the memory helpers (avsal_device_alloc, avsal_copy_*), shared so both backends reject the same.
inline int check_alloc(int64_t bytes, void **ptr) {
    if (!ptr) return fail(AVSAL_ERR_ARG, "device_alloc: null result pointer");
    *ptr = nullptr;
    if (bytes <= 0) return fail(AVSAL_ERR_ARG, "device_alloc: size %lld, expected >= 1", (long long)bytes);
    return 0;
}
inline int check_copy(const char *what, void *dst, const void *src, int64_t bytes) {
    if (bytes < 0) return fail(AVSAL_ERR_ARG, "%s: size %lld", what, (long long)bytes);
    if (bytes > 0 && (!dst || !src)) return fail(AVSAL_ERR_ARG, "%s: null %s pointer", what, dst ? "source" : "destination");
    return 0;
}

// Host-side scalar conversions (bit-exact round-to-nearest-even for bf16; IEEE half).
inline float bf16_to_f(uint16_t v) { uint32_t u = (uint32_t)v << 16; float f; memcpy(&f, &u, 4); return f; }
inline uint16_t f_to_bf16(float f) {
    uint32_t u; memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1); return (uint16_t)(u >> 16);
}
inline float h_to_f(uint16_t h) {
    uint32_t s = (h & 0x8000u) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, u;
    if (e == 0) { if (!m) u = s; else { int k = -1; do { m <<= 1; ++k; } while (!(m & 0x400)); u = s | ((112 - k) << 23) | ((m & 0x3ff) << 13); } }
    else if (e == 31) u = s | 0x7f800000u | (m << 13);
    else u = s | ((e + 112) << 23) | (m << 13);
    float f; memcpy(&f, &u, 4); return f;
}
inline uint16_t f_to_h(float f) {
    uint32_t u; memcpy(&u, &f, 4);
    uint32_t s = (u >> 16) & 0x8000u; int e = (int)((u >> 23) & 0xff) - 127; uint32_t m = u & 0x7fffffu;
    if (e == 128) return (uint16_t)(s | 0x7c00u | (m ? 0x200u : 0));
    if (e > 15) return (uint16_t)(s | 0x7c00u);
    if (e >= -14) {
        uint32_t v = ((uint32_t)(e + 15) << 10) | (m >> 13), rem = m & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (v & 1))) ++v;
        return (uint16_t)(s | v);
    }
    if (e < -25) return (uint16_t)s;
    m |= 0x800000u; int sh = -e - 14 + 13; uint32_t v = m >> sh, rem = m & ((1u << sh) - 1), half = 1u << (sh - 1);
    if (rem > half || (rem == half && (v & 1))) ++v;
    return (uint16_t)(s | v);
}
inline double load_h(const avsal_tensor *t, int64_t i) {
    switch (t->dtype) {
        case AVSAL_F32: return ((const float *)t->data)[i];
        case AVSAL_BF16: return bf16_to_f(((const uint16_t *)t->data)[i]);
        default: return h_to_f(((const uint16_t *)t->data)[i]);
    }
}
inline void store_h(avsal_tensor *t, int64_t i, double v) {
    switch (t->dtype) {
        case AVSAL_F32: ((float *)t->data)[i] = (float)v; break;
        case AVSAL_BF16: ((uint16_t *)t->data)[i] = f_to_bf16((float)v); break;
        default: ((uint16_t *)t->data)[i] = f_to_h((float)v); break;
    }
}

} // namespace avsal
