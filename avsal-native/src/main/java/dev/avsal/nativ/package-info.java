/**
 * Native acceleration for avsal: the C ABI of the fused CUDA kernels (cross-attention fusion, ConvGRU) and its
 * CPU reference backend. Bindings arrive with the kernels; until then avsal-core runs LibTorch ops only.
 */
package dev.avsal.nativ;
