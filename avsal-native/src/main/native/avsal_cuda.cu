// CUDA backend. Fusion block: two launches (K/V of the audio tokens, then one fused kernel per tile of 16 query rows
// doing LN, Q projection, online-softmax attention, out projection + residual, LN, FFN with GELU + residual).
// ConvGRU: one launch for conv_x over all frames, then one cooperative (persistent) launch for all T steps with a
// grid-wide barrier between steps; the hidden state ping-pongs in a small fp32 buffer that stays in L2.
// Accumulation is fp32 everywhere; K/V and the output are stored in the I/O dtype.
#include "avsal_common.hpp"
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cooperative_groups.h>
#include <cmath>
#include <cstdlib>
#include <algorithm>
#include "avsal_tc.cuh"

using namespace avsal;
namespace cg = cooperative_groups;

namespace {

template <class T> __device__ __forceinline__ float ld(const T *p, long long i);
template <> __device__ __forceinline__ float ld<float>(const float *p, long long i) { return __ldg(p + i); }
template <> __device__ __forceinline__ float ld<__nv_bfloat16>(const __nv_bfloat16 *p, long long i) { return __bfloat162float(p[i]); }
template <> __device__ __forceinline__ float ld<__half>(const __half *p, long long i) { return __half2float(p[i]); }
template <class T> __device__ __forceinline__ T cv(float v);
template <> __device__ __forceinline__ float cv<float>(float v) { return v; }
template <> __device__ __forceinline__ __nv_bfloat16 cv<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }
template <> __device__ __forceinline__ __half cv<__half>(float v) { return __float2half_rn(v); }

template <class T> struct FW {
    const T *nqw, *nqb, *nkw, *nkb, *qw, *qb, *kw, *kb, *vw, *vb, *ow, *ob, *nfw, *nfb, *f0w, *f0b, *f2w, *f2b;
};

constexpr int TQ = 16;       // rows (tokens) per block
constexpr int RG = 8;        // rows accumulated per thread in the linear layers (weights read once per RG rows)
constexpr int NT = 256;      // threads per block
constexpr int MAXI = 8;      // head width <= 32 * MAXI

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// LayerNorm of TQ rows of width d (smem -> smem), one warp per row, two-pass variance.
template <class T> __device__ void block_ln(const float *in, float *o, int d, const T *g, const T *b, float eps) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    for (int r = warp; r < TQ; r += NT / 32) {
        const float *x = in + r * d;
        float s = 0;
        for (int c = lane; c < d; c += 32) s += x[c];
        float m = warp_sum(s) / d, v = 0;
        for (int c = lane; c < d; c += 32) { float t = x[c] - m; v += t * t; }
        float rs = rsqrtf(warp_sum(v) / d + eps);
        for (int c = lane; c < d; c += 32) o[r * d + c] = (x[c] - m) * rs * ld(g, c) + ld(b, c);
    }
}

// o[r][j] = epi(sum_c in[r][c] W[j][c] + bias[j]) for TQ rows; epi: 0 plain, 1 GELU(erf), 2 + res[r][j].
template <class T> __device__ void block_linear(const float *in, int nin, const T *W, const T *bias, int nout, float *o,
                                                const float *res, int epi) {
    for (int it = threadIdx.x; it < nout * (TQ / RG); it += NT) {
        int j = it % nout, r0 = (it / nout) * RG;
        float acc[RG];
        float bj = ld(bias, j);
#pragma unroll
        for (int r = 0; r < RG; ++r) acc[r] = bj;
        const T *wr = W + (long long)j * nin;
        for (int c = 0; c < nin; ++c) {
            float wv = ld(wr, c);
#pragma unroll
            for (int r = 0; r < RG; ++r) acc[r] = fmaf(in[(r0 + r) * nin + c], wv, acc[r]);
        }
#pragma unroll
        for (int r = 0; r < RG; ++r) {
            float v = acc[r];
            if (epi == 1) v = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
            else if (epi == 2) v += res[(r0 + r) * nout + j];
            o[(r0 + r) * nout + j] = v;
        }
    }
}

// K and V (dtype T) of TQ audio tokens: LN(norm_kv) then the two projections.
template <class T> __global__ void __launch_bounds__(NT) fusion_kv(const T *ap, FW<T> w, T *K, T *V, int lk, int d, float eps) {
    extern __shared__ float sm[];
    float *X = sm, *N = sm + TQ * d;
    long long fr = blockIdx.y;
    int j0 = blockIdx.x * TQ, rows = min(TQ, lk - j0);
    for (int i = threadIdx.x; i < TQ * d; i += NT) {
        int r = i / d;
        X[i] = r < rows ? ld(ap, (fr * lk + j0 + r) * d + i % d) : 0.f;
    }
    __syncthreads();
    block_ln(X, N, d, w.nkw, w.nkb, eps);
    __syncthreads();
    for (int pass = 0; pass < 2; ++pass) {
        block_linear(N, d, pass ? w.vw : w.kw, pass ? w.vb : w.kb, d, X, nullptr, 0);
        __syncthreads();
        T *dst = pass ? V : K;
        for (int i = threadIdx.x; i < rows * d; i += NT) dst[(fr * lk + j0) * d + i] = cv<T>(X[i]);
        __syncthreads();
    }
}

template <class T> __global__ void __launch_bounds__(NT) fusion_main(const T *x, const T *K, const T *V, FW<T> w, T *out,
                                                                      int lq, int lk, int d, int f, int heads, float eps, float scale) {
    extern __shared__ float sm[];
    float *X = sm, *N = X + TQ * d, *Q = N + TQ * d, *A = Q + TQ * d, *H = A + TQ * d;
    long long fr = blockIdx.y;
    int q0 = blockIdx.x * TQ, rows = min(TQ, lq - q0);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, hd = d / heads;
    const long long base = (fr * lq + q0) * d;
    for (int i = threadIdx.x; i < TQ * d; i += NT) X[i] = i < rows * d ? ld(x, base + i) : 0.f;
    __syncthreads();
    block_ln(X, N, d, w.nqw, w.nqb, eps);
    __syncthreads();
    block_linear(N, d, w.qw, w.qb, d, Q, nullptr, 0);
    __syncthreads();
    // One warp per (row, head): keys in batches of 32 (one per lane), online softmax, lanes own output columns.
    for (int p = warp; p < rows * heads; p += NT / 32) {
        int r = p / heads, h = p % heads;
        const float *q = Q + r * d + h * hd;
        const T *kb = K + fr * lk * d + h * hd, *vb = V + fr * lk * d + h * hd;
        float m = -INFINITY, l = 0.f, acc[MAXI];
#pragma unroll
        for (int i = 0; i < MAXI; ++i) acc[i] = 0.f;
        for (int j0 = 0; j0 < lk; j0 += 32) {
            int j = j0 + lane;
            float s = -INFINITY;
            if (j < lk) {
                const T *kr = kb + (long long)j * d;
                float a = 0.f;
                for (int c = 0; c < hd; ++c) a = fmaf(q[c], ld(kr, c), a);
                s = a * scale;
            }
            float mn = fmaxf(m, warp_max(s));
            float corr = expf(m - mn), pj = j < lk ? expf(s - mn) : 0.f;
            l = l * corr + warp_sum(pj);
#pragma unroll
            for (int i = 0; i < MAXI; ++i) acc[i] *= corr;
            int nb = min(32, lk - j0);
            for (int t = 0; t < nb; ++t) {
                float pt = __shfl_sync(0xffffffffu, pj, t);
                const T *vr = vb + (long long)(j0 + t) * d;
#pragma unroll
                for (int i = 0; i < MAXI; ++i)
                    if (lane + 32 * i < hd) acc[i] = fmaf(pt, ld(vr, lane + 32 * i), acc[i]);
            }
            m = mn;
        }
        float il = 1.f / l;
#pragma unroll
        for (int i = 0; i < MAXI; ++i)
            if (lane + 32 * i < hd) A[r * d + h * hd + lane + 32 * i] = acc[i] * il;
    }
    // Rows past the end: keep A finite (zeros) so the dense layers below stay clean.
    for (int i = rows * d + threadIdx.x; i < TQ * d; i += NT) A[i] = 0.f;
    __syncthreads();
    block_linear(A, d, w.ow, w.ob, d, X, X, 2);  // x1 = x + out_proj(att), in place: each thread owns its (r, j)
    __syncthreads();
    block_ln(X, N, d, w.nfw, w.nfb, eps);
    __syncthreads();
    block_linear(N, d, w.f0w, w.f0b, f, H, nullptr, 1);
    __syncthreads();
    block_linear(H, f, w.f2w, w.f2b, d, N, X, 2);
    __syncthreads();
    for (int i = threadIdx.x; i < rows * d; i += NT) out[base + i] = cv<T>(N[i]);
}

constexpr int MAX_SMEM = (4 * TQ * 256 + TQ * 1024) * 4;

int cuda_fail(cudaError_t e, const char *what) {
    return fail(AVSAL_ERR_CUDA, "%s: %s (%d)", what, cudaGetErrorString(e), (int)e);
}

// The workspaces come from the device's default stream-ordered pool; keep freed memory in the pool (the default
// threshold 0 hands it back to the driver at every synchronisation, making each call re-map memory).
void keep_pool() {
    static thread_local int done_dev = -1;
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || dev == done_dev) return;
    cudaMemPool_t pool;
    if (cudaDeviceGetDefaultMemPool(&pool, dev) == cudaSuccess) {
        unsigned long long big = ~0ULL;
        cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &big);
    }
    done_dev = dev;
}

template <class T> int fusion_run(const avsal_tensor *x, const avsal_tensor *ap, const avsal_fusion_weights *w,
                                  const FusionDims &fd, float eps, avsal_tensor *out, cudaStream_t st) {
    static cudaError_t attr = [] {
        cudaError_t e = cudaFuncSetAttribute(fusion_main<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, MAX_SMEM);
        if (e == cudaSuccess) e = cudaFuncSetAttribute(fusion_kv<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, MAX_SMEM);
        return e;
    }();
    if (attr != cudaSuccess) return cuda_fail(attr, "cudaFuncSetAttribute");
    keep_pool();
    FW<T> p;
    const avsal_tensor *src[18] = {&w->norm_q_w, &w->norm_q_b, &w->norm_kv_w, &w->norm_kv_b, &w->q_w, &w->q_b, &w->k_w,
                                   &w->k_b, &w->v_w, &w->v_b, &w->out_w, &w->out_b, &w->norm_ffn_w, &w->norm_ffn_b,
                                   &w->ffn0_w, &w->ffn0_b, &w->ffn2_w, &w->ffn2_b};
    const T **dst[18] = {&p.nqw, &p.nqb, &p.nkw, &p.nkb, &p.qw, &p.qb, &p.kw, &p.kb, &p.vw, &p.vb, &p.ow, &p.ob,
                         &p.nfw, &p.nfb, &p.f0w, &p.f0b, &p.f2w, &p.f2b};
    for (int i = 0; i < 18; ++i) *dst[i] = (const T *)src[i]->data;
    int d = (int)fd.d, lk = (int)fd.lk, lq = (int)fd.lq, f = (int)fd.f;
    if (fd.n > 65535) return fail(AVSAL_ERR_UNSUPPORTED, "more than 65535 frames in one call");
    size_t kv = (size_t)fd.n * lk * d;
    T *ws = nullptr;
    cudaError_t e = cudaMallocAsync((void **)&ws, 2 * kv * sizeof(T), st);
    if (e != cudaSuccess) return cuda_fail(e, "cudaMallocAsync");
    fusion_kv<T><<<dim3((lk + TQ - 1) / TQ, (unsigned)fd.n), NT, 2 * TQ * d * 4, st>>>((const T *)ap->data, p, ws, ws + kv, lk, d, eps);
    e = cudaGetLastError();
    if (e == cudaSuccess) {
        size_t smem = (size_t)(4 * TQ * d + TQ * f) * 4;
        fusion_main<T><<<dim3((lq + TQ - 1) / TQ, (unsigned)fd.n), NT, smem, st>>>(
            (const T *)x->data, ws, ws + kv, p, (T *)out->data, lq, lk, d, f, fd.heads, eps, 1.0f / sqrtf((float)(d / fd.heads)));
        e = cudaGetLastError();
    }
    cudaError_t e2 = cudaFreeAsync(ws, st);
    if (e != cudaSuccess) return cuda_fail(e, "fusion kernel launch");
    if (e2 != cudaSuccess) return cuda_fail(e2, "cudaFreeAsync");
    return AVSAL_OK;
}

// conv_x (with bias) for all B*T frames at once into fp32 gx [B*T, 3C, H, W]; thread per output element.
template <class T> __global__ void gru_convx(const T *seq, const T *wx, const T *bx, float *gx, int imgs, int c, int hh, int ww) {
    long long total = (long long)imgs * 3 * c * hh * ww;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total; e += (long long)gridDim.x * blockDim.x) {
        int x = (int)(e % ww), y = (int)((e / ww) % hh), k = (int)((e / ((long long)ww * hh)) % (3 * c));
        long long im = e / ((long long)ww * hh * 3 * c);
        float s = ld(bx, k);
        const T *in = seq + im * c * hh * ww;
        for (int ci = 0; ci < c; ++ci)
#pragma unroll
            for (int dy = 0; dy < 3; ++dy) {
                int yy = y + dy - 1;
                if (yy < 0 || yy >= hh) continue;
#pragma unroll
                for (int dx = 0; dx < 3; ++dx) {
                    int xx = x + dx - 1;
                    if (xx < 0 || xx >= ww) continue;
                    s = fmaf(ld(wx, ((long long)(k * c + ci) * 3 + dy) * 3 + dx), ld(in, ((long long)ci * hh + yy) * ww + xx), s);
                }
            }
        gx[e] = s;
    }
}

// Steps t0..t1-1 of the recurrence; with coop != 0 the launch is cooperative and grid.sync() separates steps.
template <class T> __global__ void __launch_bounds__(256) gru_steps(const float *gx, const T *wh, T *out, float *hbuf, int b, int tt,
                                                                    int c, int hh, int ww, int t0, int t1, int coop, int has_h0) {
    const int plane = hh * ww;
    const long long img = (long long)b * c * plane;
    for (int t = t0; t < t1; ++t) {
        const float *hp = hbuf + ((t & 1) ^ 1) * img;
        float *hn = hbuf + (t & 1) * img;
        for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < img; e += (long long)gridDim.x * blockDim.x) {
            int p = (int)(e % plane), ch = (int)((e / plane) % c), bi = (int)(e / ((long long)plane * c));
            int y = p / ww, x = p % ww;
            const float *g = gx + ((long long)(bi * tt + t) * 3 * c + ch) * plane + p;
            float ar = g[0], az = g[(long long)c * plane], an = g[2LL * c * plane];
            float hr = 0.f, hz = 0.f, hnn = 0.f, hprev = 0.f;
            if (t > 0 || has_h0) {
                const float *hi = hp + (long long)bi * c * plane;
                for (int ci = 0; ci < c; ++ci)
#pragma unroll
                    for (int dy = 0; dy < 3; ++dy) {
                        int yy = y + dy - 1;
                        if (yy < 0 || yy >= hh) continue;
#pragma unroll
                        for (int dx = 0; dx < 3; ++dx) {
                            int xx = x + dx - 1;
                            if (xx < 0 || xx >= ww) continue;
                            float hv = hi[(long long)ci * plane + yy * ww + xx];
                            long long wi = ((long long)ci * 3 + dy) * 3 + dx;
                            hr = fmaf(ld(wh, (long long)ch * c * 9 + wi), hv, hr);
                            hz = fmaf(ld(wh, (long long)(c + ch) * c * 9 + wi), hv, hz);
                            hnn = fmaf(ld(wh, (long long)(2 * c + ch) * c * 9 + wi), hv, hnn);
                        }
                    }
                hprev = hp[e];
            }
            float r = 1.f / (1.f + expf(-(ar + hr))), z = 1.f / (1.f + expf(-(az + hz)));
            float n = tanhf(an + r * hnn);
            float h = (1.f - z) * hprev + z * n;
            hn[e] = h;
            out[((long long)(bi * tt + t) * c + ch) * plane + p] = cv<T>(h);
        }
        if (coop && t + 1 < t1) cg::this_grid().sync();
    }
}

template <class T> __global__ void to_f32(const T *in, float *o, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) o[i] = ld(in, i);
}

template <class T> int gru_run(const avsal_tensor *seq, const avsal_tensor *wx, const avsal_tensor *bx, const avsal_tensor *wh,
                               const avsal_tensor *h0, const GruDims &g, avsal_tensor *out, cudaStream_t st) {
    int b = (int)g.b, tt = (int)g.t, c = (int)g.c, hh = (int)g.h, ww = (int)g.w;
    long long gxn = (long long)b * tt * 3 * c * hh * ww, img = (long long)b * c * hh * ww;
    keep_pool();
    float *ws = nullptr;
    cudaError_t e = cudaMallocAsync((void **)&ws, (size_t)(gxn + 2 * img) * 4, st);
    if (e != cudaSuccess) return cuda_fail(e, "cudaMallocAsync");
    float *gx = ws, *hbuf = ws + gxn;
    int dev = 0, sms = 1, occ = 1;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
    long long cblocks = (gxn + 255) / 256;
    gru_convx<T><<<(unsigned)(cblocks < 65535LL * 8 ? cblocks : 65535LL * 8), 256, 0, st>>>(
        (const T *)seq->data, (const T *)wx->data, (const T *)bx->data, gx, b * tt, c, hh, ww);
    e = cudaGetLastError();
    int has_h0 = present(h0) ? 1 : 0;
    if (e == cudaSuccess && has_h0) {  // step 0 reads the previous state from slot 1 of the ping-pong buffer
        to_f32<T><<<(unsigned)((img + 255) / 256 < 4096 ? (img + 255) / 256 : 4096), 256, 0, st>>>((const T *)h0->data, hbuf + img, img);
        e = cudaGetLastError();
    }
    if (e == cudaSuccess) {
        int coop = 0;
        cudaDeviceGetAttribute(&coop, cudaDevAttrCooperativeLaunch, dev);
        cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, gru_steps<T>, 256, 0);
        long long need = (img + 255) / 256, grid = (long long)occ * sms;
        if (grid > need) grid = need;
        if (grid < 1) grid = 1;
        const float *gxc = gx;
        const T *whp = (const T *)wh->data;
        T *op = (T *)out->data;
        int t0 = 0, t1 = tt, one = 1;
        void *args[] = {(void *)&gxc, (void *)&whp, (void *)&op, (void *)&hbuf, (void *)&b, (void *)&tt, (void *)&c,
                        (void *)&hh, (void *)&ww, (void *)&t0, (void *)&t1, (void *)&one, (void *)&has_h0};
        if (coop && occ > 0) {
            e = cudaLaunchCooperativeKernel((const void *)gru_steps<T>, dim3((unsigned)grid), dim3(256), args, 0, st);
        } else {
            unsigned gfull = (unsigned)(need < 65535LL * 8 ? need : 65535LL * 8);
            for (int t = 0; t < tt && e == cudaSuccess; ++t) {
                gru_steps<T><<<gfull, 256, 0, st>>>(gx, whp, op, hbuf, b, tt, c, hh, ww, t, t + 1, 0, has_h0);
                e = cudaGetLastError();
            }
        }
        if (e == cudaSuccess) e = cudaGetLastError();
    }
    cudaError_t e2 = cudaFreeAsync(ws, st);
    if (e != cudaSuccess) return cuda_fail(e, "convgru kernel launch");
    if (e2 != cudaSuccess) return cuda_fail(e2, "cudaFreeAsync");
    return AVSAL_OK;
}


// ---------------- version 2: tensor cores (bf16/fp16), see avsal_tc.cuh ----------------
// AVSAL_NATIVE_V1=1 forces the version 1 kernels (for comparisons in the device check).
bool force_v1() {
    const char *e = getenv("AVSAL_NATIVE_V1");
    return e && *e && *e != '0';
}
bool aligned16(const void *p) { return ((uintptr_t)p & 15) == 0; }
// The opt-in shared memory limit and the result of raising a kernel's limit to it.
struct SmemSetUp { int optin; cudaError_t attr; };
int smem_optin() {
    int dev = 0, v = 0;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev);
    return v;
}
int sm_count() {
    int dev = 0, v = 1;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev);
    return v;
}

template <class T, int D, int HD>
int fusion_tc_launch(const T *x, const T *ap, const tc::FWp<T> &p, T *out, const FusionDims &fd, float eps, cudaStream_t st) {
    const int lkp = ((int)fd.lk + 31) & ~31;
    // Set up once per instantiation; a function-local static is initialised exactly once even when several threads
    // make their first call together (a plain flag let a second thread read the attribute before it was set).
    static const SmemSetUp su = [] {
        const int optin = smem_optin();
        return SmemSetUp{optin, cudaFuncSetAttribute(tc::fusion_tc<T, D, HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, optin)};
    }();
    const int optin = su.optin;
    if (su.attr != cudaSuccess) return -1;
    const int dbl = tc::fus_smem(D, lkp, true) <= (size_t)optin ? 1 : 0;
    const size_t smem = tc::fus_smem(D, lkp, dbl);
    if (smem > (size_t)optin) return -1;
    const int lq = (int)fd.lq, tiles = (lq + 15) / 16;
    long long frames = fd.n;
    int chunks = (int)std::max(1LL, std::min((long long)(lq + 63) / 64, (long long)sm_count() / std::max(1LL, frames)));
    const int rpc = 16 * ((tiles + chunks - 1) / chunks);
    chunks = (lq + rpc - 1) / rpc;
    if (frames * chunks > 2147483647LL) return -1;
    const float scale_log2 = 1.4426950408889634f / sqrtf((float)HD);
    tc::fusion_tc<T, D, HD><<<(unsigned)(frames * chunks), tc::FUS_THREADS, smem, st>>>(x, ap, p, out, lq, (int)fd.lk, (int)fd.f,
                                                                                           chunks, rpc, eps, scale_log2, dbl);
    cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? AVSAL_OK : cuda_fail(e, "fusion_tc launch");
}

// Returns -1 when the tensor-core kernel does not apply (the caller then runs version 1).
template <class T> int fusion_tc_run(const avsal_tensor *x, const avsal_tensor *ap, const avsal_fusion_weights *w,
                                     const FusionDims &fd, float eps, avsal_tensor *out, cudaStream_t st) {
    if (force_v1() || fd.f % tc::FCH) return -1;
    tc::FWp<T> p;
    const avsal_tensor *src[18] = {&w->norm_q_w, &w->norm_q_b, &w->norm_kv_w, &w->norm_kv_b, &w->q_w, &w->q_b, &w->k_w,
                                   &w->k_b, &w->v_w, &w->v_b, &w->out_w, &w->out_b, &w->norm_ffn_w, &w->norm_ffn_b,
                                   &w->ffn0_w, &w->ffn0_b, &w->ffn2_w, &w->ffn2_b};
    const T **dst[18] = {&p.nqw, &p.nqb, &p.nkw, &p.nkb, &p.qw, &p.qb, &p.kw, &p.kb, &p.vw, &p.vb, &p.ow, &p.ob,
                         &p.nfw, &p.nfb, &p.f0w, &p.f0b, &p.f2w, &p.f2b};
    for (int i = 0; i < 18; ++i) *dst[i] = (const T *)src[i]->data;
    // 16-byte staging of the weight matrices; 4-byte pairs for activations, biases and norms.
    for (const void *m : {(const void *)p.qw, (const void *)p.kw, (const void *)p.vw, (const void *)p.ow, (const void *)p.f0w, (const void *)p.f2w})
        if (!aligned16(m)) return -1;
    const T *xp = (const T *)x->data, *app = (const T *)ap->data;
    T *op = (T *)out->data;
    if (((uintptr_t)xp | (uintptr_t)app | (uintptr_t)op) & 3) return -1;
    const int d = (int)fd.d, hd = d / fd.heads;
#define AVSAL_FUS(DD, HH) if (d == DD && hd == HH) return fusion_tc_launch<T, DD, HH>(xp, app, p, op, fd, eps, st);
    AVSAL_FUS(128, 32) AVSAL_FUS(128, 64) AVSAL_FUS(128, 16) AVSAL_FUS(64, 32) AVSAL_FUS(64, 64) AVSAL_FUS(64, 16)
#undef AVSAL_FUS
    return -1;
}

template <class T, int C>
int gru_tc_launch(const T *seq, const T *wx, const T *bx, const T *wh, const T *h0, T *out, const GruDims &g, cudaStream_t st) {
    const int hw = (int)(g.h * g.w), nb = (int)g.b, tt = (int)g.t, hh = (int)g.h, ww = (int)g.w;
    const size_t smem = tc::gru_smem(C, ww);
    static const SmemSetUp su = [] {  // once per instantiation, thread-safe (see fusion_tc_launch)
        const int optin = smem_optin();
        return SmemSetUp{optin, cudaFuncSetAttribute(tc::gru_tc<T, C>, cudaFuncAttributeMaxDynamicSharedMemorySize, optin)};
    }();
    if (su.attr != cudaSuccess || smem > (size_t)su.optin) return -1;
    int dev = 0, coop = 0, occ = 0;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&coop, cudaDevAttrCooperativeLaunch, dev);
    if (!coop || cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, tc::gru_tc<T, C>, tc::GRU_THREADS, smem) != cudaSuccess || occ < 1)
        return -1;
    const int groups = C / 8, chunks = (hw + tc::GPOS - 1) / tc::GPOS;
    const long long items = (long long)nb * chunks;
    long long slots = std::min(items, (long long)occ * sm_count() / groups);
    if (slots < 1) return -1;
    keep_pool();
    size_t hs = (size_t)nb * C * hw;
    float *ws = nullptr;
    cudaError_t e = cudaMallocAsync((void **)&ws, hs * 4 + 2 * hs * sizeof(T) + 16, st);
    if (e != cudaSuccess) return cuda_fail(e, "cudaMallocAsync");
    float *hstate = ws;
    T *hx = (T *)(ws + hs);
    tc::gru_tc_init<T><<<(unsigned)std::min<size_t>((hs + 255) / 256, 4096), 256, 0, st>>>(h0, hstate, hx + hs, nb, C, hw);
    e = cudaGetLastError();
    if (e == cudaSuccess) {
        int chunks_arg = chunks;
        void *args[] = {(void *)&seq, (void *)&wx, (void *)&bx, (void *)&wh, (void *)&out, (void *)&hstate, (void *)&hx,
                        (void *)&nb, (void *)&tt, (void *)&hh, (void *)&ww, (void *)&chunks_arg};
        e = cudaLaunchCooperativeKernel((const void *)tc::gru_tc<T, C>, dim3((unsigned)(groups * slots)), dim3(tc::GRU_THREADS), args, smem, st);
    }
    cudaError_t e2 = cudaFreeAsync(ws, st);
    if (e != cudaSuccess) return cuda_fail(e, "gru_tc launch");
    if (e2 != cudaSuccess) return cuda_fail(e2, "cudaFreeAsync");
    return AVSAL_OK;
}

template <class T> int gru_tc_run(const avsal_tensor *seq, const avsal_tensor *wx, const avsal_tensor *bx, const avsal_tensor *wh,
                                  const avsal_tensor *h0, const GruDims &g, avsal_tensor *out, cudaStream_t st) {
    if (force_v1() || g.h * g.w > (1 << 30)) return -1;
    const T *s = (const T *)seq->data, *px = (const T *)wx->data, *pb = (const T *)bx->data, *ph = (const T *)wh->data;
    const T *p0 = present(h0) ? (const T *)h0->data : nullptr;
    T *o = (T *)out->data;
    switch (g.c) {
        case 128: return gru_tc_launch<T, 128>(s, px, pb, ph, p0, o, g, st);
        case 64: return gru_tc_launch<T, 64>(s, px, pb, ph, p0, o, g, st);
        case 32: return gru_tc_launch<T, 32>(s, px, pb, ph, p0, o, g, st);
        default: return -1;
    }
}
} // namespace

extern "C" int avsal_fusion_forward(const avsal_tensor *x, const avsal_tensor *ap, const avsal_fusion_weights *w,
                                    int32_t heads, float eps, avsal_tensor *out, void *stream) {
    clear_error();
    FusionDims fd;
    if (int r = check_fusion(x, ap, w, heads, out, fd)) return r;
    if (fd.d / heads > 32 * MAXI) return fail(AVSAL_ERR_UNSUPPORTED, "head width > %d", 32 * MAXI);
    cudaStream_t st = (cudaStream_t)stream;
    switch (x->dtype) {
        case AVSAL_F32: return fusion_run<float>(x, ap, w, fd, eps, out, st);
        case AVSAL_BF16: {
            int r = fusion_tc_run<__nv_bfloat16>(x, ap, w, fd, eps, out, st);
            return r >= 0 ? r : fusion_run<__nv_bfloat16>(x, ap, w, fd, eps, out, st);
        }
        default: {
            int r = fusion_tc_run<__half>(x, ap, w, fd, eps, out, st);
            return r >= 0 ? r : fusion_run<__half>(x, ap, w, fd, eps, out, st);
        }
    }
}

extern "C" int avsal_convgru_forward(const avsal_tensor *seq, const avsal_tensor *conv_x_w, const avsal_tensor *conv_x_b,
                                     const avsal_tensor *conv_h_w, const avsal_tensor *h0, avsal_tensor *out, void *stream) {
    clear_error();
    GruDims g;
    if (int r = check_gru(seq, conv_x_w, conv_x_b, conv_h_w, h0, out, g)) return r;
    cudaStream_t st = (cudaStream_t)stream;
    switch (seq->dtype) {
        case AVSAL_F32: return gru_run<float>(seq, conv_x_w, conv_x_b, conv_h_w, h0, g, out, st);
        case AVSAL_BF16: {
            int r = gru_tc_run<__nv_bfloat16>(seq, conv_x_w, conv_x_b, conv_h_w, h0, g, out, st);
            return r >= 0 ? r : gru_run<__nv_bfloat16>(seq, conv_x_w, conv_x_b, conv_h_w, h0, g, out, st);
        }
        default: {
            int r = gru_tc_run<__half>(seq, conv_x_w, conv_x_b, conv_h_w, h0, g, out, st);
            return r >= 0 ? r : gru_run<__half>(seq, conv_x_w, conv_x_b, conv_h_w, h0, g, out, st);
        }
    }
}

extern "C" const char *avsal_last_error(void) { return err_buf(); }
extern "C" const char *avsal_backend_name(void) { return "cuda"; }
extern "C" int avsal_cuda_device_count(void) {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) { cuda_fail(e, "cudaGetDeviceCount"); return -1; }
    return n;
}

// Memory helpers (internal: device checks). A failed runtime call is also recorded as the runtime's last error,
// which the kernel launches read with cudaGetLastError(): clear it so it is not reported by an unrelated call.
namespace {
int mem_fail(cudaError_t e, const char *what) {
    cudaGetLastError();
    return e == cudaErrorMemoryAllocation ? fail(AVSAL_ERR_MEMORY, "%s: %s", what, cudaGetErrorString(e)) : cuda_fail(e, what);
}
} // namespace
extern "C" int avsal_device_alloc(int64_t bytes, void **ptr) {
    clear_error();
    if (int r = check_alloc(bytes, ptr)) return r;
    cudaError_t e = cudaMalloc(ptr, (size_t)bytes);
    if (e != cudaSuccess) { *ptr = nullptr; return mem_fail(e, "cudaMalloc"); }
    return AVSAL_OK;
}
extern "C" int avsal_device_free(void *ptr) {
    clear_error();
    cudaError_t e = ptr ? cudaFree(ptr) : cudaSuccess;
    return e == cudaSuccess ? AVSAL_OK : mem_fail(e, "cudaFree");
}
extern "C" int avsal_copy_h2d(void *dst, const void *src, int64_t bytes) {
    clear_error();
    if (int r = check_copy("copy_h2d", dst, src, bytes)) return r;
    cudaError_t e = bytes ? cudaMemcpy(dst, src, (size_t)bytes, cudaMemcpyHostToDevice) : cudaSuccess;
    return e == cudaSuccess ? AVSAL_OK : mem_fail(e, "cudaMemcpy host to device");
}
extern "C" int avsal_copy_d2h(void *dst, const void *src, int64_t bytes) {
    clear_error();
    if (int r = check_copy("copy_d2h", dst, src, bytes)) return r;
    cudaError_t e = bytes ? cudaMemcpy(dst, src, (size_t)bytes, cudaMemcpyDeviceToHost) : cudaSuccess;
    return e == cudaSuccess ? AVSAL_OK : mem_fail(e, "cudaMemcpy device to host");
}
extern "C" int avsal_synchronize(void *stream) {
    clear_error();
    cudaError_t e = cudaStreamSynchronize((cudaStream_t)stream);
    return e == cudaSuccess ? AVSAL_OK : mem_fail(e, "cudaStreamSynchronize");
}
