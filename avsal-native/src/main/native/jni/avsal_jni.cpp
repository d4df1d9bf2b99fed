// JNI glue for dev.avsal.nativ.NativeBinding: opens a backend library (CPU or CUDA, both export the C ABI of
// avsal_native.h) with dlopen, so that both backends can be loaded side by side without symbol clashes, and
// forwards calls. Tensor descriptors arrive as flat long arrays (15 longs each: data, dtype, ndim, shape[6],
// strides[6]); the backend validates everything else and reports errors through its thread-local last error.
#include <jni.h>
#include <dlfcn.h>
#include <cstdint>
#include <cstring>
#include <string>
#include "../avsal_native.h"

namespace {
typedef int (*fusion_fn)(const avsal_tensor *, const avsal_tensor *, const avsal_fusion_weights *, int32_t, float, avsal_tensor *, void *);
typedef int (*gru_fn)(const avsal_tensor *, const avsal_tensor *, const avsal_tensor *, const avsal_tensor *, const avsal_tensor *,
                      avsal_tensor *, void *);
typedef const char *(*str_fn)(void);
typedef int (*int_fn)(void);
typedef int (*alloc_fn)(int64_t, void **);
typedef int (*free_fn)(void *);
typedef int (*copy_fn)(void *, const void *, int64_t);
typedef int (*sync_fn)(void *);

static_assert(sizeof(avsal_fusion_weights) == 18 * sizeof(avsal_tensor), "weights are 18 consecutive descriptors");

// The memory helpers are optional (internal, for device checks): a backend library without them still loads.
struct Backend {
    void *handle; fusion_fn fusion; gru_fn gru; str_fn err, name; int_fn count;
    alloc_fn alloc; free_fn free; copy_fn h2d, d2h; sync_fn sync;
};

constexpr int DESC = 15;
constexpr int BAD_DESCRIPTOR = -1;  // a descriptor the glue rejects before the backend sees it (Java names it)
constexpr int NO_SYMBOL = -2;       // the backend lacks the memory helpers
constexpr int BAD_BUFFER = -3;      // not a direct buffer, or smaller than the copy

void throw_new(JNIEnv *env, const char *cls, const std::string &msg) {
    jclass c = env->FindClass(cls);
    if (c) env->ThrowNew(c, msg.c_str());
}

// Unpacks n descriptors; false if one has an impossible rank (the only field the glue must trust to index arrays).
bool unpack(const jlong *p, int n, avsal_tensor *t) {
    for (int i = 0; i < n; ++i, p += DESC) {
        std::memset(&t[i], 0, sizeof(avsal_tensor));
        if (p[2] < 0 || p[2] > AVSAL_MAX_DIMS) return false;
        t[i].data = reinterpret_cast<void *>(static_cast<intptr_t>(p[0]));
        t[i].dtype = static_cast<int32_t>(p[1]);
        t[i].ndim = static_cast<int32_t>(p[2]);
        for (int d = 0; d < t[i].ndim; ++d) { t[i].shape[d] = p[3 + d]; t[i].strides[d] = p[9 + d]; }
    }
    return true;
}

Backend *backend(JNIEnv *env, jlong h) {
    if (!h) throw_new(env, "java/lang/IllegalStateException", "avsal native backend is closed");
    return reinterpret_cast<Backend *>(static_cast<intptr_t>(h));
}
}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_avsal_nativ_NativeBinding_open(JNIEnv *env, jclass, jstring path) {
    const char *p = env->GetStringUTFChars(path, nullptr);
    if (!p) return 0;
    std::string file(p);
    env->ReleaseStringUTFChars(path, p);
    void *h = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) { throw_new(env, "java/lang/UnsatisfiedLinkError", std::string("dlopen ") + file + ": " + dlerror()); return 0; }
    Backend b{h, (fusion_fn)dlsym(h, "avsal_fusion_forward"), (gru_fn)dlsym(h, "avsal_convgru_forward"),
              (str_fn)dlsym(h, "avsal_last_error"), (str_fn)dlsym(h, "avsal_backend_name"), (int_fn)dlsym(h, "avsal_cuda_device_count"),
              (alloc_fn)dlsym(h, "avsal_device_alloc"), (free_fn)dlsym(h, "avsal_device_free"), (copy_fn)dlsym(h, "avsal_copy_h2d"),
              (copy_fn)dlsym(h, "avsal_copy_d2h"), (sync_fn)dlsym(h, "avsal_synchronize")};
    if (!b.fusion || !b.gru || !b.err || !b.name || !b.count) {
        dlclose(h);
        throw_new(env, "java/lang/UnsatisfiedLinkError", file + " does not export the avsal C ABI (avsal_native.h)");
        return 0;
    }
    return static_cast<jlong>(reinterpret_cast<intptr_t>(new Backend(b)));
}

JNIEXPORT jstring JNICALL Java_dev_avsal_nativ_NativeBinding_backendName(JNIEnv *env, jclass, jlong h) {
    Backend *b = backend(env, h);
    return b ? env->NewStringUTF(b->name()) : nullptr;
}

JNIEXPORT jint JNICALL Java_dev_avsal_nativ_NativeBinding_deviceCount(JNIEnv *env, jclass, jlong h) {
    Backend *b = backend(env, h);
    return b ? b->count() : -1;
}

JNIEXPORT jstring JNICALL Java_dev_avsal_nativ_NativeBinding_lastError(JNIEnv *env, jclass, jlong h) {
    Backend *b = backend(env, h);
    return b ? env->NewStringUTF(b->err()) : nullptr;
}

// desc: x, ap, out, then the 18 weights in avsal_fusion_weights order.
JNIEXPORT jint JNICALL Java_dev_avsal_nativ_NativeBinding_fusion(JNIEnv *env, jclass, jlong h, jlongArray desc, jint heads,
                                                                 jfloat eps, jlong stream) {
    Backend *b = backend(env, h);
    if (!b) return BAD_DESCRIPTOR;
    if (env->GetArrayLength(desc) != 21 * DESC) return BAD_DESCRIPTOR;
    jlong p[21 * DESC];
    env->GetLongArrayRegion(desc, 0, 21 * DESC, p);
    avsal_tensor t[3];
    avsal_fusion_weights w;
    if (!unpack(p, 3, t) || !unpack(p + 3 * DESC, 18, &w.norm_q_w)) return BAD_DESCRIPTOR;  // 18 consecutive descriptors
    return b->fusion(&t[0], &t[1], &w, heads, eps, &t[2], reinterpret_cast<void *>(static_cast<intptr_t>(stream)));
}

// desc: seq, conv_x.weight, conv_x.bias, conv_h.weight, h0 (data 0 = zeros), out.
JNIEXPORT jint JNICALL Java_dev_avsal_nativ_NativeBinding_convGru(JNIEnv *env, jclass, jlong h, jlongArray desc, jlong stream) {
    Backend *b = backend(env, h);
    if (!b) return BAD_DESCRIPTOR;
    if (env->GetArrayLength(desc) != 6 * DESC) return BAD_DESCRIPTOR;
    jlong p[6 * DESC];
    env->GetLongArrayRegion(desc, 0, 6 * DESC, p);
    avsal_tensor t[6];
    if (!unpack(p, 6, t)) return BAD_DESCRIPTOR;
    return b->gru(&t[0], &t[1], &t[2], &t[3], t[4].data ? &t[4] : nullptr, &t[5], reinterpret_cast<void *>(static_cast<intptr_t>(stream)));
}

// Memory helpers (internal). ptr[0] receives the allocation.
JNIEXPORT jint JNICALL Java_dev_avsal_nativ_NativeBinding_alloc(JNIEnv *env, jclass, jlong h, jlong bytes, jlongArray ptr) {
    Backend *b = backend(env, h);
    if (!b) return BAD_DESCRIPTOR;
    if (!b->alloc) return NO_SYMBOL;
    if (env->GetArrayLength(ptr) < 1) return BAD_BUFFER;
    void *p = nullptr;
    int r = b->alloc(bytes, &p);
    jlong v = static_cast<jlong>(reinterpret_cast<intptr_t>(p));
    env->SetLongArrayRegion(ptr, 0, 1, &v);
    return r;
}

JNIEXPORT jint JNICALL Java_dev_avsal_nativ_NativeBinding_free(JNIEnv *env, jclass, jlong h, jlong ptr) {
    Backend *b = backend(env, h);
    if (!b) return BAD_DESCRIPTOR;
    return b->free ? b->free(reinterpret_cast<void *>(static_cast<intptr_t>(ptr))) : NO_SYMBOL;
}

// Copies bytes between a direct ByteBuffer (from its start) and backend memory; toDevice picks the direction.
JNIEXPORT jint JNICALL Java_dev_avsal_nativ_NativeBinding_copy(JNIEnv *env, jclass, jlong h, jlong mem, jobject buf, jlong bytes,
                                                               jboolean toDevice) {
    Backend *b = backend(env, h);
    if (!b) return BAD_DESCRIPTOR;
    if (!b->h2d || !b->d2h) return NO_SYMBOL;
    void *host = buf ? env->GetDirectBufferAddress(buf) : nullptr;
    if (!host || bytes < 0 || env->GetDirectBufferCapacity(buf) < bytes) return BAD_BUFFER;
    void *dev = reinterpret_cast<void *>(static_cast<intptr_t>(mem));
    return toDevice ? b->h2d(dev, host, bytes) : b->d2h(host, dev, bytes);
}

JNIEXPORT jint JNICALL Java_dev_avsal_nativ_NativeBinding_synchronize(JNIEnv *env, jclass, jlong h, jlong stream) {
    Backend *b = backend(env, h);
    if (!b) return BAD_DESCRIPTOR;
    return b->sync ? b->sync(reinterpret_cast<void *>(static_cast<intptr_t>(stream))) : NO_SYMBOL;
}

}  // extern "C"
