/* avsal native kernels: C ABI shared by the CPU reference backend and the CUDA backend.
 * All tensors are dense row-major (strides in elements are checked, contiguity required).
 * Thread-safety: functions are reentrant; the last-error string is thread-local. */
#ifndef AVSAL_NATIVE_H
#define AVSAL_NATIVE_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AVSAL_F32 = 0, AVSAL_BF16 = 1, AVSAL_F16 = 2 } avsal_dtype;
typedef enum { AVSAL_OK = 0, AVSAL_ERR_ARG = 1, AVSAL_ERR_SHAPE = 2, AVSAL_ERR_DTYPE = 3, AVSAL_ERR_LAYOUT = 4,
               AVSAL_ERR_CUDA = 5, AVSAL_ERR_UNSUPPORTED = 6, AVSAL_ERR_MEMORY = 7 } avsal_status;

#define AVSAL_MAX_DIMS 6
typedef struct {
    void *data;                     /* host pointer (CPU backend) or device pointer (CUDA backend) */
    int32_t dtype;                  /* avsal_dtype */
    int32_t ndim;
    int64_t shape[AVSAL_MAX_DIMS];
    int64_t strides[AVSAL_MAX_DIMS]; /* in elements; must be the contiguous row-major strides */
} avsal_tensor;

/* Fusion block weights, PyTorch nn.Linear layout W[out][in], b[out]; LayerNorm weight/bias [d].
 * All weights have the dtype of x. */
typedef struct {
    avsal_tensor norm_q_w, norm_q_b, norm_kv_w, norm_kv_b;
    avsal_tensor q_w, q_b, k_w, k_b, v_w, v_b, out_w, out_b;
    avsal_tensor norm_ffn_w, norm_ffn_b, ffn0_w, ffn0_b, ffn2_w, ffn2_b;
} avsal_fusion_weights;

/* Fusion block after the input projections:
 *   x  = visual_proj(visual) [N, Lq, d]  (input `x`),  ap = audio_proj(audio) [N, Lk, d] (input `ap`, before norm_kv)
 *   a  = norm_kv(ap);  x = x + out_proj(MHA(q_proj(norm_q(x)), k_proj(a), v_proj(a)));
 *   out = x + ffn2(GELU_erf(ffn0(norm_ffn(x))))          out [N, Lq, d], same dtype as x. eps is the LayerNorm eps. */
int avsal_fusion_forward(const avsal_tensor *x, const avsal_tensor *ap, const avsal_fusion_weights *w,
                         int32_t heads, float eps, avsal_tensor *out, void *stream);

/* ConvGRU over a whole sequence: seq [B, T, C, H, W], conv_x_w [3C, C, 3, 3], conv_x_b [3C],
 * conv_h_w [3C, C, 3, 3] (no bias), gates in channel blocks (r, z, n); h0 [B, C, H, W] is the state before the
 * first step (NULL, or a descriptor with NULL data, means h0 = 0); out [B, T, C, H, W] = every state. */
int avsal_convgru_forward(const avsal_tensor *seq, const avsal_tensor *conv_x_w, const avsal_tensor *conv_x_b,
                          const avsal_tensor *conv_h_w, const avsal_tensor *h0, avsal_tensor *out, void *stream);

/* Memory helpers, INTERNAL (device checks and tests that run the kernels without a framework; applications pass
 * their framework's tensors). CUDA backend: cudaMalloc / cudaFree / synchronous cudaMemcpy on the current device,
 * cudaStreamSynchronize; CPU backend: 256-byte aligned host memory, memcpy, and synchronize returns at once.
 * ptr given to free must come from avsal_device_alloc of the same backend (NULL is a no-op). bytes 0 copies nothing.
 * Errors: AVSAL_ERR_ARG (negative or zero size, NULL pointers), AVSAL_ERR_MEMORY (allocation failed),
 * AVSAL_ERR_CUDA (any other CUDA error, including asynchronous kernel errors reported by synchronize). */
int avsal_device_alloc(int64_t bytes, void **ptr);
int avsal_device_free(void *ptr);
int avsal_copy_h2d(void *dst, const void *src, int64_t bytes);
int avsal_copy_d2h(void *dst, const void *src, int64_t bytes);
int avsal_synchronize(void *stream);

const char *avsal_last_error(void);
const char *avsal_backend_name(void);
int avsal_cuda_device_count(void); /* -1 on error (see avsal_last_error), 0 for the CPU backend */

#ifdef __cplusplus
}
#endif
#endif
