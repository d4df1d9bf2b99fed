// CPU reference backend: straightforward loops in double precision. Slow by design; it defines the function
// that the CUDA backend is checked against and serves Java on machines without a GPU.
#include "avsal_common.hpp"
#include <cmath>
#include <cstdlib>
#include <vector>

using namespace avsal;

namespace {
std::vector<double> load_all(const avsal_tensor *t) {
    int64_t n = numel(t); std::vector<double> v((size_t)n);
    for (int64_t i = 0; i < n; ++i) v[(size_t)i] = load_h(t, i);
    return v;
}
void layer_norm(const double *x, double *y, int64_t d, const std::vector<double> &g, const std::vector<double> &b, double eps) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < d; ++i) m += x[i];
    m /= d;
    for (int64_t i = 0; i < d; ++i) v += (x[i] - m) * (x[i] - m);
    v /= d;
    double r = 1.0 / std::sqrt(v + eps);
    for (int64_t i = 0; i < d; ++i) y[i] = (x[i] - m) * r * g[(size_t)i] + b[(size_t)i];
}
void linear(const double *x, double *y, int64_t in, int64_t out, const std::vector<double> &w, const std::vector<double> &b) {
    for (int64_t o = 0; o < out; ++o) {
        double s = b[(size_t)o];
        for (int64_t i = 0; i < in; ++i) s += w[(size_t)(o * in + i)] * x[i];
        y[o] = s;
    }
}
} // namespace

extern "C" int avsal_fusion_forward(const avsal_tensor *x, const avsal_tensor *ap, const avsal_fusion_weights *w,
                                    int32_t heads, float eps, avsal_tensor *out, void *) {
    clear_error();
    FusionDims fd;
    if (int r = check_fusion(x, ap, w, heads, out, fd)) return r;
    const int64_t n = fd.n, lq = fd.lq, lk = fd.lk, d = fd.d, f = fd.f, hd = d / heads;
    auto X = load_all(x), A = load_all(ap);
    auto nqw = load_all(&w->norm_q_w), nqb = load_all(&w->norm_q_b), nkw = load_all(&w->norm_kv_w), nkb = load_all(&w->norm_kv_b);
    auto qw = load_all(&w->q_w), qb = load_all(&w->q_b), kw = load_all(&w->k_w), kb = load_all(&w->k_b);
    auto vw = load_all(&w->v_w), vb = load_all(&w->v_b), ow = load_all(&w->out_w), ob = load_all(&w->out_b);
    auto nfw = load_all(&w->norm_ffn_w), nfb = load_all(&w->norm_ffn_b);
    auto f0w = load_all(&w->ffn0_w), f0b = load_all(&w->ffn0_b), f2w = load_all(&w->ffn2_w), f2b = load_all(&w->ffn2_b);
    std::vector<double> K((size_t)(lk * d)), V((size_t)(lk * d)), tmp((size_t)d), q((size_t)d), att((size_t)d),
        x1((size_t)d), hid((size_t)f), y((size_t)d), s((size_t)lk);
    const double scale = 1.0 / std::sqrt((double)hd);
    for (int64_t fr = 0; fr < n; ++fr) {
        for (int64_t j = 0; j < lk; ++j) {
            layer_norm(&A[(size_t)((fr * lk + j) * d)], tmp.data(), d, nkw, nkb, eps);
            linear(tmp.data(), &K[(size_t)(j * d)], d, d, kw, kb);
            linear(tmp.data(), &V[(size_t)(j * d)], d, d, vw, vb);
        }
        for (int64_t i = 0; i < lq; ++i) {
            const double *xr = &X[(size_t)((fr * lq + i) * d)];
            layer_norm(xr, tmp.data(), d, nqw, nqb, eps);
            linear(tmp.data(), q.data(), d, d, qw, qb);
            for (int h = 0; h < heads; ++h) {
                double m = -INFINITY;
                for (int64_t j = 0; j < lk; ++j) {
                    double a = 0;
                    for (int64_t c = 0; c < hd; ++c) a += q[(size_t)(h * hd + c)] * K[(size_t)(j * d + h * hd + c)];
                    s[(size_t)j] = a * scale; m = std::max(m, s[(size_t)j]);
                }
                double l = 0;
                for (int64_t j = 0; j < lk; ++j) { s[(size_t)j] = std::exp(s[(size_t)j] - m); l += s[(size_t)j]; }
                for (int64_t c = 0; c < hd; ++c) {
                    double a = 0;
                    for (int64_t j = 0; j < lk; ++j) a += s[(size_t)j] * V[(size_t)(j * d + h * hd + c)];
                    att[(size_t)(h * hd + c)] = a / l;
                }
            }
            linear(att.data(), x1.data(), d, d, ow, ob);
            for (int64_t c = 0; c < d; ++c) x1[(size_t)c] += xr[c];
            layer_norm(x1.data(), tmp.data(), d, nfw, nfb, eps);
            linear(tmp.data(), hid.data(), d, f, f0w, f0b);
            for (auto &v : hid) v = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
            linear(hid.data(), y.data(), f, d, f2w, f2b);
            for (int64_t c = 0; c < d; ++c) store_h(out, (fr * lq + i) * d + c, x1[(size_t)c] + y[(size_t)c]);
        }
    }
    return AVSAL_OK;
}

namespace {
// 3x3 same-padding convolution of one [C, H, W] image into [3C, H, W] (adds bias if given).
void conv3(const double *in, double *o, int64_t c, int64_t hh, int64_t ww, const std::vector<double> &w, const double *bias) {
    int64_t oc = 3 * c;
    for (int64_t k = 0; k < oc; ++k)
        for (int64_t y = 0; y < hh; ++y)
            for (int64_t x = 0; x < ww; ++x) {
                double s = bias ? bias[k] : 0.0;
                for (int64_t ci = 0; ci < c; ++ci)
                    for (int dy = -1; dy <= 1; ++dy) {
                        int64_t yy = y + dy;
                        if (yy < 0 || yy >= hh) continue;
                        for (int dx = -1; dx <= 1; ++dx) {
                            int64_t xx = x + dx;
                            if (xx < 0 || xx >= ww) continue;
                            s += w[(size_t)(((k * c + ci) * 3 + dy + 1) * 3 + dx + 1)] * in[(ci * hh + yy) * ww + xx];
                        }
                    }
                o[(k * hh + y) * ww + x] = s;
            }
}
double sigm(double v) { return 1.0 / (1.0 + std::exp(-v)); }
} // namespace

extern "C" int avsal_convgru_forward(const avsal_tensor *seq, const avsal_tensor *conv_x_w, const avsal_tensor *conv_x_b,
                                     const avsal_tensor *conv_h_w, const avsal_tensor *h0, avsal_tensor *out, void *) {
    clear_error();
    GruDims g;
    if (int r = check_gru(seq, conv_x_w, conv_x_b, conv_h_w, h0, out, g)) return r;
    std::vector<double> H0;
    if (present(h0)) H0 = load_all(h0);
    auto S = load_all(seq), wx = load_all(conv_x_w), bx = load_all(conv_x_b), wh = load_all(conv_h_w);
    const int64_t img = g.c * g.h * g.w, plane = g.h * g.w;
    std::vector<double> h((size_t)img), gx((size_t)(3 * img)), gh((size_t)(3 * img));
    for (int64_t b = 0; b < g.b; ++b) {
        if (present(h0)) std::copy(H0.begin() + b * img, H0.begin() + (b + 1) * img, h.begin());
        else std::fill(h.begin(), h.end(), 0.0);
        for (int64_t t = 0; t < g.t; ++t) {
            conv3(&S[(size_t)((b * g.t + t) * img)], gx.data(), g.c, g.h, g.w, wx, bx.data());
            conv3(h.data(), gh.data(), g.c, g.h, g.w, wh, nullptr);
            for (int64_t c = 0; c < g.c; ++c)
                for (int64_t p = 0; p < plane; ++p) {
                    int64_t i = c * plane + p, ir = i, iz = img + i, in = 2 * img + i;
                    double r = sigm(gx[(size_t)ir] + gh[(size_t)ir]), z = sigm(gx[(size_t)iz] + gh[(size_t)iz]);
                    double nn = std::tanh(gx[(size_t)in] + r * gh[(size_t)in]);
                    h[(size_t)i] = (1 - z) * h[(size_t)i] + z * nn;
                }
            for (int64_t i = 0; i < img; ++i) store_h(out, (b * g.t + t) * img + i, h[(size_t)i]);
        }
    }
    return AVSAL_OK;
}

extern "C" const char *avsal_last_error(void) { return err_buf(); }
extern "C" const char *avsal_backend_name(void) { return "cpu-reference"; }
extern "C" int avsal_cuda_device_count(void) { return 0; }

// Memory helpers: the CPU backend's "device" is host memory, so checks run the same code path on both backends.
extern "C" int avsal_device_alloc(int64_t bytes, void **ptr) {
    clear_error();
    if (int r = check_alloc(bytes, ptr)) return r;
    if ((uint64_t)bytes > (uint64_t)PTRDIFF_MAX || posix_memalign(ptr, 256, (size_t)bytes) != 0) {
        *ptr = nullptr;
        return fail(AVSAL_ERR_MEMORY, "device_alloc: cannot allocate %lld bytes of host memory", (long long)bytes);
    }
    return AVSAL_OK;
}
extern "C" int avsal_device_free(void *ptr) { clear_error(); free(ptr); return AVSAL_OK; }
extern "C" int avsal_copy_h2d(void *dst, const void *src, int64_t bytes) {
    clear_error();
    if (int r = check_copy("copy_h2d", dst, src, bytes)) return r;
    if (bytes) memcpy(dst, src, (size_t)bytes);
    return AVSAL_OK;
}
extern "C" int avsal_copy_d2h(void *dst, const void *src, int64_t bytes) {
    clear_error();
    if (int r = check_copy("copy_d2h", dst, src, bytes)) return r;
    if (bytes) memcpy(dst, src, (size_t)bytes);
    return AVSAL_OK;
}
extern "C" int avsal_synchronize(void *) { clear_error(); return AVSAL_OK; }
