/**
 * The AVSal-R head: audio-visual fusion, temporal aggregation and saliency decoding on top of frozen CLIP ViT taps
 * and ImageBind audio tokens.
 *
 * <p>The AVSal paper (spec §1.1) states only "cross-attention-based fusion ... at multiple levels" and a
 * "spatio-temporal GRU". Everything else here is an <b>AVSal-R choice</b>, documented with its reason on each
 * class: {@link dev.avsal.model.head.CrossAttentionFusion} (visual queries, audio keys/values, pre-norm, residual
 * FFN), {@link dev.avsal.model.head.ConvGru} (UNISAL-style cell on the deepest level, unidirectional, streamable),
 * {@link dev.avsal.model.head.SaliencyDecoder} (DPT reassembly + top-down FPN),
 * {@link dev.avsal.model.head.OutputNormalization} (sigmoid by default) and
 * {@link dev.avsal.model.head.HeadConfig} (taps 3/6/9/12, d = 128).
 *
 * <p>Size: 3,212,161 parameters at d = 128 with 768-wide inputs (fusion 4 x 329,600, ConvGRU 885,120, decoder
 * 1,008,641), slightly above the 1–3 M that spec §1.2 infers for AVSal's new modules; d = 96 gives 1,956,001.
 *
 * <p>tools/avsal_head.py defines the same head in PyTorch with the same parameter names (reference only, never
 * used at run time); tools/make_head_fixtures.py makes the parity fixture the tests check within 1e-4.
 */
package dev.avsal.model.head;
