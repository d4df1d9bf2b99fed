// Tensor-core kernels (version 2) for bf16 and fp16 I/O: mma.sync m16n8k16 with fp32 accumulation, operands
// staged in shared memory and fed by ldmatrix. Included by avsal_cuda.cu (which keeps the FFMA kernels of
// version 1 for fp32 and for shapes outside these kernels' limits).
//
// Fragment conventions (PTX ISA, mma.m16n8k16 .row.col): lane = 4*g + q. C/D tile 16x8: c0,c1 = (row g, cols
// 2q, 2q+1), c2,c3 = (row g+8, same cols). A 16x16: a0 = (g, 2q..2q+1), a1 = (g+8, 2q..), a2 = (g, 2q+8..),
// a3 = (g+8, 2q+8..). B 16x8 ("col"): b0 = (k 2q..2q+1, n g), b1 = (k 2q+8.., n g). A C tile pair (n-tiles 2k, 2k+1)
// therefore becomes the A fragment of k-step k without data movement (the flash-attention register trick).
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cooperative_groups.h>
#include <cstdint>

namespace tc {

template <class T> __device__ __forceinline__ uint32_t pack2(float a, float b);
template <> __device__ __forceinline__ uint32_t pack2<__nv_bfloat16>(float a, float b) {
    __nv_bfloat162 v = __floats2bfloat162_rn(a, b);
    return *reinterpret_cast<uint32_t *>(&v);
}
template <> __device__ __forceinline__ uint32_t pack2<__half>(float a, float b) {
    __half2 v = __floats2half2_rn(a, b);
    return *reinterpret_cast<uint32_t *>(&v);
}
template <class T> __device__ __forceinline__ float2 unpack2(uint32_t u);
template <> __device__ __forceinline__ float2 unpack2<__nv_bfloat16>(uint32_t u) {
    return __bfloat1622float2(*reinterpret_cast<__nv_bfloat162 *>(&u));
}
template <> __device__ __forceinline__ float2 unpack2<__half>(uint32_t u) {
    return __half22float2(*reinterpret_cast<__half2 *>(&u));
}
template <class T> __device__ __forceinline__ float tof(T v);
template <> __device__ __forceinline__ float tof<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }
template <> __device__ __forceinline__ float tof<__half>(__half v) { return __half2float(v); }
template <class T> __device__ __forceinline__ T fromf(float v);
template <> __device__ __forceinline__ __nv_bfloat16 fromf<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }
template <> __device__ __forceinline__ __half fromf<__half>(float v) { return __float2half_rn(v); }

template <class T> __device__ __forceinline__ void mma(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);
template <> __device__ __forceinline__ void mma<__nv_bfloat16>(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
template <> __device__ __forceinline__ void mma<__half>(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ void ldsm_x4(uint32_t (&r)[4], const void *p) {
    uint32_t a = (uint32_t)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(a));
}
__device__ __forceinline__ void ldsm_x4_t(uint32_t (&r)[4], const void *p) {
    uint32_t a = (uint32_t)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(a));
}
__device__ __forceinline__ void ldsm_x2(uint32_t (&r)[2], const void *p) {
    uint32_t a = (uint32_t)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];\n" : "=r"(r[0]), "=r"(r[1]) : "r"(a));
}

__device__ __forceinline__ void cp16(void *smem, const void *gmem) {
    uint32_t a = (uint32_t)__cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(a), "l"(gmem));
}
__device__ __forceinline__ void cp_commit() { asm volatile("cp.async.commit_group;\n" ::); }
__device__ __forceinline__ void cp_wait_all() { asm volatile("cp.async.wait_all;\n" ::: "memory"); }

__device__ __forceinline__ float quad_sum(float v) {
    v += __shfl_xor_sync(0xffffffffu, v, 1);
    return v + __shfl_xor_sync(0xffffffffu, v, 2);
}
__device__ __forceinline__ float quad_max(float v) {
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
    return fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
}

// Copies rows x cols (cols % 8 == 0, 16-byte aligned rows) from global (row stride gstride) into shared memory
// (row stride ld), 16 bytes per access, all threads of the block.
template <class T> __device__ __forceinline__ void stage(T *dst, int ld, const T *src, long long gstride, int rows, int cols) {
    const int vpr = cols / 8;
    for (int i = threadIdx.x; i < rows * vpr; i += blockDim.x) {
        int r = i / vpr, v = i % vpr;
        *reinterpret_cast<uint4 *>(dst + (long long)r * ld + v * 8) =
            __ldg(reinterpret_cast<const uint4 *>(src + (long long)r * gstride + v * 8));
    }
}

// Asynchronous form of stage (cp.async, 16 bytes, all copies in flight at once); complete with cp_commit/cp_wait_all.
template <class T> __device__ __forceinline__ void stage_async(T *dst, int ld, const T *src, long long gstride, int rows, int cols) {
    const int vpr = cols / 8;
    for (int i = threadIdx.x; i < rows * vpr; i += blockDim.x) {
        int r = i / vpr, v = i % vpr;
        cp16(dst + (long long)r * ld + v * 8, src + (long long)r * gstride + v * 8);
    }
}

// C tiles (16 x 8*NT, fp32) -> A fragments (16 x 16*NT/2) in T.
template <class T, int NT> __device__ __forceinline__ void c_to_a(const float (&c)[NT][4], uint32_t (&a)[NT / 2][4]) {
#pragma unroll
    for (int k = 0; k < NT / 2; ++k) {
        a[k][0] = pack2<T>(c[2 * k][0], c[2 * k][1]);
        a[k][1] = pack2<T>(c[2 * k][2], c[2 * k][3]);
        a[k][2] = pack2<T>(c[2 * k + 1][0], c[2 * k + 1][1]);
        a[k][3] = pack2<T>(c[2 * k + 1][2], c[2 * k + 1][3]);
    }
}

// acc[n-tile][.] += A (16 x 16*KT, fragments) * W^T, W rows n (NT*8 of them) with k contiguous, in shared memory.
template <class T, int KT, int NT> __device__ __forceinline__ void gemm_w(const uint32_t (&a)[KT][4], const T *w, int ld, float (&acc)[NT][4]) {
    const int lane = threadIdx.x & 31;
    const T *base = w + (long long)((lane & 7) + ((lane >> 4) << 3)) * ld + ((lane >> 3) & 1) * 8;
#pragma unroll
    for (int j = 0; j < NT / 2; ++j)
#pragma unroll
        for (int k = 0; k < KT; ++k) {
            uint32_t b[4];
            ldsm_x4(b, base + (long long)j * 16 * ld + k * 16);
            mma<T>(acc[2 * j], a[k], b[0], b[1]);
            mma<T>(acc[2 * j + 1], a[k], b[2], b[3]);
        }
}

// Loads 16 rows (row0.., rows >= nrows read as 0) of width D from global (C-tile layout, fp32 values).
template <class T, int D> __device__ __forceinline__ void load_rows(const T *src, int row0, int nrows, float (&v)[D / 8][4]) {
    const int lane = threadIdx.x & 31, g = lane >> 2, q = lane & 3;
    const bool ok0 = row0 + g < nrows, ok1 = row0 + g + 8 < nrows;
    const uint32_t *r0 = reinterpret_cast<const uint32_t *>(src + (long long)(row0 + g) * D + 2 * q);
    const uint32_t *r1 = reinterpret_cast<const uint32_t *>(src + (long long)(row0 + g + 8) * D + 2 * q);
#pragma unroll
    for (int j = 0; j < D / 8; ++j) {
        float2 a = ok0 ? unpack2<T>(__ldg(r0 + j * 4)) : make_float2(0.f, 0.f);
        float2 b = ok1 ? unpack2<T>(__ldg(r1 + j * 4)) : make_float2(0.f, 0.f);
        v[j][0] = a.x; v[j][1] = a.y; v[j][2] = b.x; v[j][3] = b.y;
    }
}

// In-place LayerNorm of 16 rows held in C-tile layout (each row spread over one quad), two-pass variance.
template <class T, int D> __device__ __forceinline__ void ln_rows(float (&v)[D / 8][4], const T *gamma, const T *beta, float eps) {
    const int q = threadIdx.x & 3;
    float s0 = 0.f, s1 = 0.f;
#pragma unroll
    for (int j = 0; j < D / 8; ++j) { s0 += v[j][0] + v[j][1]; s1 += v[j][2] + v[j][3]; }
    const float m0 = quad_sum(s0) * (1.f / D), m1 = quad_sum(s1) * (1.f / D);
    float q0 = 0.f, q1 = 0.f;
#pragma unroll
    for (int j = 0; j < D / 8; ++j) {
        float a = v[j][0] - m0, b = v[j][1] - m0, c = v[j][2] - m1, d = v[j][3] - m1;
        q0 += a * a + b * b; q1 += c * c + d * d;
    }
    const float r0 = rsqrtf(quad_sum(q0) * (1.f / D) + eps), r1 = rsqrtf(quad_sum(q1) * (1.f / D) + eps);
#pragma unroll
    for (int j = 0; j < D / 8; ++j) {
        const int c = 8 * j + 2 * q;
        float g0 = tof<T>(gamma[c]), g1 = tof<T>(gamma[c + 1]), b0 = tof<T>(beta[c]), b1 = tof<T>(beta[c + 1]);
        v[j][0] = (v[j][0] - m0) * r0 * g0 + b0; v[j][1] = (v[j][1] - m0) * r0 * g1 + b1;
        v[j][2] = (v[j][2] - m1) * r1 * g0 + b0; v[j][3] = (v[j][3] - m1) * r1 * g1 + b1;
    }
}

template <class T, int NT> __device__ __forceinline__ void add_bias(float (&acc)[NT][4], const T *bias) {
    const int q = threadIdx.x & 3;
#pragma unroll
    for (int j = 0; j < NT; ++j) {
        float b0 = tof<T>(bias[8 * j + 2 * q]), b1 = tof<T>(bias[8 * j + 2 * q + 1]);
        acc[j][0] += b0; acc[j][1] += b1; acc[j][2] += b0; acc[j][3] += b1;
    }
}

template <class T, int NT> __device__ __forceinline__ void zero(float (&acc)[NT][4]) {
#pragma unroll
    for (int j = 0; j < NT; ++j) acc[j][0] = acc[j][1] = acc[j][2] = acc[j][3] = 0.f;
}

// Stores 16 rows (C-tile layout) of width ld_cols, starting at column col0, into row-major T (rows >= nrows skipped).
template <class T, int NT> __device__ __forceinline__ void store_rows(T *dst, long long rstride, int row0, int nrows, int col0,
                                                                      const float (&v)[NT][4]) {
    const int lane = threadIdx.x & 31, g = lane >> 2, q = lane & 3;
#pragma unroll
    for (int j = 0; j < NT; ++j) {
        if (row0 + g < nrows)
            *reinterpret_cast<uint32_t *>(dst + (long long)(row0 + g) * rstride + col0 + 8 * j + 2 * q) = pack2<T>(v[j][0], v[j][1]);
        if (row0 + g + 8 < nrows)
            *reinterpret_cast<uint32_t *>(dst + (long long)(row0 + g + 8) * rstride + col0 + 8 * j + 2 * q) = pack2<T>(v[j][2], v[j][3]);
    }
}

template <class T> struct FWp {
    const T *nqw, *nqb, *nkw, *nkb, *qw, *qb, *kw, *kb, *vw, *vb, *ow, *ob, *nfw, *nfb, *f0w, *f0b, *f2w, *f2b;
};

constexpr int FUS_WARPS = 8, FUS_THREADS = FUS_WARPS * 32, FCH = 64;  // FFN hidden units per staged chunk

__host__ __device__ constexpr int fus_ld(int d) { return d + 8; }
// Elements of one weight staging buffer: a D x D matrix, or one FFN chunk (W1 rows and W2 columns).
__host__ __device__ inline size_t fus_buf(int d) {
    size_t stage_el = (size_t)d * fus_ld(d);
    size_t ffn_el = (size_t)FCH * fus_ld(d) + (size_t)d * (FCH + 8);
    return ffn_el > stage_el ? ffn_el : stage_el;
}
// Shared memory of fusion_tc: K and V (lkp rows each) plus one or two (double-buffered) staging buffers.
__host__ __device__ inline size_t fus_smem(int d, int lkp, bool dbl) {
    return (2 * (size_t)lkp * fus_ld(d) + (dbl ? 2 : 1) * fus_buf(d)) * 2;
}

// Weight phases of one block, in order: Wk, Wv, then per round of query rows Wq, Wo, and the FFN chunks.
template <class T, int D> __device__ __forceinline__ void fus_issue(int p, T *buf, const FWp<T> &w, int f, int nf) {
    constexpr int LD = fus_ld(D), LD2 = FCH + 8;
    if (p < 2) {
        stage_async(buf, LD, p ? w.vw : w.kw, D, D, D);
    } else {
        const int q = (p - 2) % (2 + nf);
        if (q < 2) {
            stage_async(buf, LD, q ? w.ow : w.qw, D, D, D);
        } else {
            const int c0 = (q - 2) * FCH;
            stage_async(buf, LD, w.f0w + (long long)c0 * D, D, FCH, D);
            stage_async(buf + FCH * LD, LD2, w.f2w + c0, f, D, FCH);
        }
    }
    cp_commit();
}
// Begins phase p and returns the buffer with its weights. Double-buffered: phase p's copy was issued at the start
// of phase p-1 and the copy of phase p+1 now overlaps phase p's arithmetic (the barrier guarantees that every warp
// is done with phase p-1, the other buffer's last user). Single buffer: copy, wait, barrier.
template <class T, int D> __device__ __forceinline__ T *fus_phase(int p, int np, T *wb, bool dbl, const FWp<T> &w, int f, int nf) {
    const size_t be = fus_buf(D);
    if (dbl) {
        cp_wait_all();
        __syncthreads();
        if (p + 1 < np) fus_issue<T, D>(p + 1, wb + ((p + 1) & 1) * be, w, f, nf);
        return wb + (p & 1) * be;
    }
    __syncthreads();
    fus_issue<T, D>(p, wb, w, f, nf);
    cp_wait_all();
    __syncthreads();
    return wb;
}

// The whole fusion block (K/V of the frame's audio tokens, then rounds of 8x16 query rows: LN_q, Q, attention with
// online softmax, out_proj + residual, LN_ffn, FFN with exact GELU + residual) in one launch. Grid: frames x chunks;
// each block handles the query rows [chunk*rpc, (chunk+1)*rpc) of one frame, one 16-row tile per warp and round.
template <class T, int D, int HD>
__global__ void __launch_bounds__(FUS_THREADS, 1)
fusion_tc(const T *__restrict__ x, const T *__restrict__ ap, FWp<T> w, T *__restrict__ out, int lq, int lk, int f,
          int chunks, int rpc, float eps, float scale_log2, int dbl) {
    constexpr int LD = fus_ld(D), NT = D / 8, KT = D / 16, H = D / HD, HT = HD / 8, HK = HD / 16;
    extern __shared__ __align__(16) unsigned char smraw[];
    const int lkp = (lk + 31) & ~31;
    T *Ks = reinterpret_cast<T *>(smraw), *Vs = Ks + (size_t)lkp * LD, *Wb = Vs + (size_t)lkp * LD;
    const long long frame = blockIdx.x / chunks;
    const int chunk = blockIdx.x % chunks, warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, q = lane & 3;
    const T *apf = ap + frame * lk * D;
    const T *xf = x + frame * lq * D;
    T *of = out + frame * lq * D;
    const int qb = chunk * rpc, qe = min(lq, qb + rpc), nf = f / FCH;
    const int rounds = (qe - qb + 16 * FUS_WARPS - 1) / (16 * FUS_WARPS), np = 2 + rounds * (2 + nf);
    if (dbl) fus_issue<T, D>(0, Wb, w, f, nf);

    // ---- K and V of all audio tokens of this frame (rows >= lk are zero) ----
    for (int pass = 0; pass < 2; ++pass) {
        T *Wp = fus_phase<T, D>(pass, np, Wb, dbl, w, f, nf);
        T *dst = pass ? Vs : Ks;
        for (int t = warp; t < lkp / 16; t += FUS_WARPS) {
            float v[NT][4];
            load_rows<T, D>(apf, t * 16, lk, v);
            ln_rows<T, D>(v, w.nkw, w.nkb, eps);
            uint32_t a[KT][4];
            c_to_a<T, NT>(v, a);
            float acc[NT][4];
            zero<T, NT>(acc);
            gemm_w<T, KT, NT>(a, Wp, LD, acc);
            add_bias<T, NT>(acc, pass ? w.vb : w.kb);
#pragma unroll
            for (int j = 0; j < NT; ++j) {
                bool z0 = t * 16 + g >= lk, z1 = t * 16 + g + 8 >= lk;
                *reinterpret_cast<uint32_t *>(dst + (t * 16 + g) * LD + 8 * j + 2 * q) = z0 ? 0u : pack2<T>(acc[j][0], acc[j][1]);
                *reinterpret_cast<uint32_t *>(dst + (t * 16 + g + 8) * LD + 8 * j + 2 * q) = z1 ? 0u : pack2<T>(acc[j][2], acc[j][3]);
            }
        }
    }

    for (int r0 = qb, rnd = 0; r0 < qe; r0 += 16 * FUS_WARPS, ++rnd) {
        const int row0 = r0 + 16 * warp, p0 = 2 + rnd * (2 + nf);
        const bool active = row0 < qe;
        // ---- Q = q_proj(LN_q(x)) ----
        T *Wq = fus_phase<T, D>(p0, np, Wb, dbl, w, f, nf);
        uint32_t att[KT][4];
        if (active) {
            uint32_t qa[KT][4];
            {
                float v[NT][4];
                load_rows<T, D>(xf, row0, qe, v);
                ln_rows<T, D>(v, w.nqw, w.nqb, eps);
                uint32_t a[KT][4];
                c_to_a<T, NT>(v, a);
                zero<T, NT>(v);
                gemm_w<T, KT, NT>(a, Wq, LD, v);
                add_bias<T, NT>(v, w.qb);
                c_to_a<T, NT>(v, qa);
            }
            // ---- attention, one head at a time, keys in blocks of 32 with an online softmax ----
            const T *kbase = Ks + (long long)((lane & 7) + ((lane >> 4) << 3)) * LD + ((lane >> 3) & 1) * 8;
            const T *vbase = Vs + (long long)((lane & 7) + ((lane >> 3) & 1) * 8) * LD + (lane >> 4) * 8;
#pragma unroll
            for (int h = 0; h < H; ++h) {
                float o[HT][4];
                zero<T, HT>(o);
                float m0 = -INFINITY, m1 = -INFINITY, l0 = 0.f, l1 = 0.f;
                for (int kb = 0; kb < lkp; kb += 32) {
                    float s[4][4];
                    zero<T, 4>(s);
#pragma unroll
                    for (int jj = 0; jj < 2; ++jj)
#pragma unroll
                        for (int k = 0; k < HK; ++k) {
                            uint32_t b[4];
                            ldsm_x4(b, kbase + (long long)(kb + 16 * jj) * LD + h * HD + 16 * k);
                            mma<T>(s[2 * jj], qa[h * HK + k], b[0], b[1]);
                            mma<T>(s[2 * jj + 1], qa[h * HK + k], b[2], b[3]);
                        }
                    float mx0 = -INFINITY, mx1 = -INFINITY;
#pragma unroll
                    for (int j = 0; j < 4; ++j) {
                        const int key = kb + 8 * j + 2 * q;
#pragma unroll
                        for (int e = 0; e < 2; ++e) {
                            bool valid = key + e < lk;
                            s[j][e] = valid ? s[j][e] * scale_log2 : -INFINITY;
                            s[j][2 + e] = valid ? s[j][2 + e] * scale_log2 : -INFINITY;
                            mx0 = fmaxf(mx0, s[j][e]);
                            mx1 = fmaxf(mx1, s[j][2 + e]);
                        }
                    }
                    const float n0 = fmaxf(m0, quad_max(mx0)), n1 = fmaxf(m1, quad_max(mx1));
                    const float c0 = exp2f(m0 - n0), c1 = exp2f(m1 - n1);
                    m0 = n0; m1 = n1;
                    float p0 = 0.f, p1 = 0.f;
#pragma unroll
                    for (int j = 0; j < 4; ++j) {
                        s[j][0] = exp2f(s[j][0] - n0); s[j][1] = exp2f(s[j][1] - n0);
                        s[j][2] = exp2f(s[j][2] - n1); s[j][3] = exp2f(s[j][3] - n1);
                        p0 += s[j][0] + s[j][1]; p1 += s[j][2] + s[j][3];
                    }
                    l0 = l0 * c0 + p0; l1 = l1 * c1 + p1;
#pragma unroll
                    for (int j = 0; j < HT; ++j) { o[j][0] *= c0; o[j][1] *= c0; o[j][2] *= c1; o[j][3] *= c1; }
                    uint32_t pa[2][4];
                    c_to_a<T, 4>(s, pa);
#pragma unroll
                    for (int k = 0; k < 2; ++k)
#pragma unroll
                        for (int nn = 0; nn < HT / 2; ++nn) {
                            uint32_t b[4];
                            ldsm_x4_t(b, vbase + (long long)(kb + 16 * k) * LD + h * HD + 16 * nn);
                            mma<T>(o[2 * nn], pa[k], b[0], b[1]);
                            mma<T>(o[2 * nn + 1], pa[k], b[2], b[3]);
                        }
                }
                const float i0 = 1.f / quad_sum(l0), i1 = 1.f / quad_sum(l1);
#pragma unroll
                for (int j = 0; j < HT; ++j) { o[j][0] *= i0; o[j][1] *= i0; o[j][2] *= i1; o[j][3] *= i1; }
#pragma unroll
                for (int k = 0; k < HK; ++k) {
                    att[h * HK + k][0] = pack2<T>(o[2 * k][0], o[2 * k][1]);
                    att[h * HK + k][1] = pack2<T>(o[2 * k][2], o[2 * k][3]);
                    att[h * HK + k][2] = pack2<T>(o[2 * k + 1][0], o[2 * k + 1][1]);
                    att[h * HK + k][3] = pack2<T>(o[2 * k + 1][2], o[2 * k + 1][3]);
                }
            }
        }
        // ---- x1 = x + out_proj(att) ----
        T *Wo = fus_phase<T, D>(p0 + 1, np, Wb, dbl, w, f, nf);
        float y[NT][4];
        uint32_t la[KT][4];
        if (active) {
            load_rows<T, D>(xf, row0, qe, y);
            gemm_w<T, KT, NT>(att, Wo, LD, y);
            add_bias<T, NT>(y, w.ob);
            float v[NT][4];
#pragma unroll
            for (int j = 0; j < NT; ++j) { v[j][0] = y[j][0]; v[j][1] = y[j][1]; v[j][2] = y[j][2]; v[j][3] = y[j][3]; }
            ln_rows<T, D>(v, w.nfw, w.nfb, eps);
            c_to_a<T, NT>(v, la);
            add_bias<T, NT>(y, w.f2b);
        }
        // ---- y = x1 + ffn2(GELU(ffn0(LN_ffn(x1)))), hidden units in chunks of FCH ----
        constexpr int LD2 = FCH + 8;
        for (int c0 = 0; c0 < f; c0 += FCH) {
            T *W1 = fus_phase<T, D>(p0 + 2 + c0 / FCH, np, Wb, dbl, w, f, nf), *W2 = W1 + FCH * LD;
            if (active) {
                float hch[FCH / 8][4];
                zero<T, FCH / 8>(hch);
                gemm_w<T, KT, FCH / 8>(la, W1, LD, hch);
                add_bias<T, FCH / 8>(hch, w.f0b + c0);
#pragma unroll
                for (int j = 0; j < FCH / 8; ++j)
#pragma unroll
                    for (int e = 0; e < 4; ++e) hch[j][e] = 0.5f * hch[j][e] * (1.f + erff(hch[j][e] * 0.70710678118654752f));
                uint32_t ha[FCH / 16][4];
                c_to_a<T, FCH / 8>(hch, ha);
                gemm_w<T, FCH / 16, NT>(ha, W2, LD2, y);
            }
        }
        if (active) store_rows<T, NT>(of, D, row0, qe, 0, y);
    }
}


// ---------------------------------------------------------------------------------------------------------------
// ConvGRU, all T steps in one cooperative launch. Each block owns 8 output channels (all three gates: n-tiles r, z,
// n of the same channels, so the gate math stays in registers) and keeps their conv_x and conv_h weights in shared
// memory for the whole sequence, reordered to k = (tap, input channel). Work item = 64 positions of one image;
// warps 0-3 compute conv_x for 16 positions each, warps 4-7 conv_h, both as implicit GEMMs whose A rows (im2col)
// are gathered by ldmatrix from a shared-memory patch [pixel][channel] (zero row for the padding). The state is
// kept in fp32 (owner-only) and exchanged between steps as T [B][HW][C] in a ping-pong buffer; grid.sync() between
// steps.
constexpr int GRU_THREADS = 256, GPOS = 64;
__host__ __device__ inline int gru_prow(int w) { return GPOS + 2 * w + 2; }
__host__ __device__ inline size_t gru_smem(int c, int w) {
    return (size_t)2 * 24 * (9 * c + 8) * 2 + (size_t)2 * (gru_prow(w) + 1) * (c + 8) * 2 + (size_t)GPOS * 25 * 4;
}

template <class T, int C>
__global__ void __launch_bounds__(GRU_THREADS, 1)
gru_tc(const T *__restrict__ seq, const T *__restrict__ wx, const T *__restrict__ bx, const T *__restrict__ wh, T *__restrict__ out,
       float *__restrict__ hstate, T *__restrict__ hx, int nb, int tt, int hh, int ww, int chunks) {
    constexpr int WLD = 9 * C + 8, PLD = C + 8, GLD = 25;
    extern __shared__ __align__(16) unsigned char smraw[];
    const int hw = hh * ww, prow = gru_prow(ww);
    T *Wx = reinterpret_cast<T *>(smraw), *Wh = Wx + 24 * WLD, *Px = Wh + 24 * WLD, *Ph = Px + (size_t)(prow + 1) * PLD;
    float *gxs = reinterpret_cast<float *>(Ph + (size_t)(prow + 1) * PLD);
    const int groups = C / 8, grp = blockIdx.x % groups, slot = blockIdx.x / groups, slots = gridDim.x / groups;
    const int c0 = grp * 8, warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, q = lane & 3;
    // Weights of this block's 24 rows (r, z, n gates of channels c0..c0+7), k = tap * C + ci.
    for (int i = threadIdx.x; i < 24 * C * 9; i += GRU_THREADS) {
        int n = i / (C * 9), rem = i % (C * 9), ci = rem / 9, tap = rem % 9;
        long long o = (long long)(n / 8) * C + c0 + (n % 8);
        Wx[n * WLD + tap * C + ci] = wx[(o * C + ci) * 9 + tap];
        Wh[n * WLD + tap * C + ci] = wh[(o * C + ci) * 9 + tap];
    }
    for (int i = threadIdx.x; i < PLD; i += GRU_THREADS) { Px[prow * PLD + i] = fromf<T>(0.f); Ph[prow * PLD + i] = fromf<T>(0.f); }
    cooperative_groups::grid_group grid = cooperative_groups::this_grid();
    const int items = nb * chunks, which = warp >> 2, mt = warp & 3;
    const T *Wsel = which ? Wh : Wx;
    const T *P = which ? Ph : Px;
    const T *bbase = Wsel + (long long)((lane & 7) + ((lane >> 4) << 3)) * WLD + ((lane >> 3) & 1) * 8;
    const T *bbase2 = Wsel + (long long)(16 + (lane & 7)) * WLD + ((lane >> 3) & 1) * 8;
    for (int t = 0; t < tt; ++t) {
        const T *hin = hx + (size_t)((t & 1) ^ 1) * nb * hw * C;
        T *hout = hx + (size_t)(t & 1) * nb * hw * C;
        for (int it = slot; it < items; it += slots) {
            const int b = it / chunks, p0 = (it % chunks) * GPOS, pb = p0 - ww - 1;
            __syncthreads();  // previous item done with the patches and gxs
            // h patch by cp.async (all copies in flight), then the x patch (transposed to [pixel][channel]) with
            // sixteen loads in flight per thread before their stores.
            const T *hs = hin + (long long)b * hw * C;
            for (int i = threadIdx.x; i < prow * (C / 8); i += GRU_THREADS) {
                int r = i / (C / 8), v = i % (C / 8), pix = pb + r;
                if (pix >= 0 && pix < hw) cp16(Ph + r * PLD + v * 8, hs + (long long)pix * C + v * 8);
                else *reinterpret_cast<uint4 *>(Ph + r * PLD + v * 8) = make_uint4(0, 0, 0, 0);
            }
            cp_commit();
            const T *xs = seq + ((long long)b * tt + t) * C * hw;
            const int total = prow * C;
            for (int base = threadIdx.x; base < total; base += GRU_THREADS * 16) {
                T v[16];
#pragma unroll
                for (int u = 0; u < 16; ++u) {
                    const int i = base + u * GRU_THREADS, ci = i / prow, pix = pb + i % prow;
                    v[u] = (i < total && pix >= 0 && pix < hw) ? xs[(long long)ci * hw + pix] : fromf<T>(0.f);
                }
#pragma unroll
                for (int u = 0; u < 16; ++u) {
                    const int i = base + u * GRU_THREADS;
                    if (i < total) Px[(i % prow) * PLD + i / prow] = v[u];
                }
            }
            cp_wait_all();
            __syncthreads();
            // Row addresses of this lane's A row for the 9 taps (zero row outside the image).
            const int m = p0 + 16 * mt + (lane & 15);
            const int y = m / ww, xq = m % ww;
            const T *rowp[9];
#pragma unroll
            for (int tap = 0; tap < 9; ++tap) {
                int yy = y + tap / 3 - 1, xx = xq + tap % 3 - 1;
                bool ok = m < hw && yy >= 0 && yy < hh && xx >= 0 && xx < ww;
                rowp[tap] = P + (long long)(ok ? yy * ww + xx - pb : prow) * PLD + (lane >> 4) * 8;
            }
            float acc[3][4];
            zero<T, 3>(acc);
#pragma unroll
            for (int tap = 0; tap < 9; ++tap)
#pragma unroll 4
                for (int k0 = 0; k0 < C; k0 += 16) {
                    uint32_t a[4], b[4], b2[2];
                    ldsm_x4(a, rowp[tap] + k0);
                    ldsm_x4(b, bbase + tap * C + k0);
                    ldsm_x2(b2, bbase2 + tap * C + k0);
                    mma<T>(acc[0], a, b[0], b[1]);
                    mma<T>(acc[1], a, b[2], b[3]);
                    mma<T>(acc[2], a, b2[0], b2[1]);
                }
            const int ml0 = 16 * mt + g, ml1 = ml0 + 8;  // local positions of c0/c1 and c2/c3
            if (which == 0) {
#pragma unroll
                for (int j = 0; j < 3; ++j) {
                    float b0 = tof<T>(bx[j * C + c0 + 2 * q]), b1 = tof<T>(bx[j * C + c0 + 2 * q + 1]);
                    gxs[ml0 * GLD + 8 * j + 2 * q] = acc[j][0] + b0;
                    gxs[ml0 * GLD + 8 * j + 2 * q + 1] = acc[j][1] + b1;
                    gxs[ml1 * GLD + 8 * j + 2 * q] = acc[j][2] + b0;
                    gxs[ml1 * GLD + 8 * j + 2 * q + 1] = acc[j][3] + b1;
                }
            }
            __syncthreads();
            if (which == 1) {
#pragma unroll
                for (int half = 0; half < 2; ++half) {
                    const int ml = half ? ml1 : ml0, pix = p0 + ml;
                    if (pix >= hw) continue;
                    float hn[2];
#pragma unroll
                    for (int e = 0; e < 2; ++e) {
                        const int ch = c0 + 2 * q + e, ce = 2 * q + e;
                        float ghr = acc[0][2 * half + e], ghz = acc[1][2 * half + e], ghn = acc[2][2 * half + e];
                        float r = 1.f / (1.f + __expf(-(gxs[ml * GLD + ce] + ghr)));
                        float z = 1.f / (1.f + __expf(-(gxs[ml * GLD + 8 + ce] + ghz)));
                        float n = tanhf(gxs[ml * GLD + 16 + ce] + r * ghn);
                        float* hp = hstate + ((long long)b * C + ch) * hw + pix;
                        float h = *hp;
                        h = h + z * (n - h);
                        *hp = h;
                        hn[e] = h;
                        out[(((long long)b * tt + t) * C + ch) * hw + pix] = fromf<T>(h);
                    }
                    *reinterpret_cast<uint32_t *>(hout + ((long long)b * hw + pix) * C + c0 + 2 * q) = pack2<T>(hn[0], hn[1]);
                }
            }
        }
        if (t + 1 < tt) grid.sync();
    }
}

// Initial state for gru_tc: hstate [B][C][HW] fp32 and the exchange slot 1 [B][HW][C] in T, from h0 [B][C][HW] or zeros.
template <class T> __global__ void gru_tc_init(const T *h0, float *hstate, T *hx1, int nb, int c, int hw) {
    long long n = (long long)nb * c * hw;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        int pix = (int)(i % hw), ch = (int)((i / hw) % c);
        long long b = i / ((long long)hw * c);
        float v = h0 ? tof<T>(h0[i]) : 0.f;
        hstate[i] = v;
        hx1[(b * hw + pix) * c + ch] = fromf<T>(v);
    }
}

} // namespace tc
