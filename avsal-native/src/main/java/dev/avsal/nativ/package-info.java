/**
 * Native acceleration for avsal: fused kernels for the head's cross-attention fusion block and ConvGRU behind one
 * C ABI ({@code src/main/native/avsal_native.h}) with two backends: a CPU reference backend (always built with g++)
 * and a CUDA backend (built with nvcc when it is on the build machine's PATH).
 *
 * <p>{@link dev.avsal.nativ.AvSalNative} loads the libraries (overrides: system properties
 * {@code avsal.native.path} and {@code avsal.native.skip}); {@link dev.avsal.nativ.KernelBackend} calls one
 * backend; {@link dev.avsal.nativ.NativeHeadKernels} plugs the CUDA backend into avsal-core's head through the
 * {@link dev.avsal.model.head.HeadKernels} service, so that CUDA tensors use the kernels and everything else
 * LibTorch ops.
 */
package dev.avsal.nativ;
