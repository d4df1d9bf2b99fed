#!/usr/bin/env python3
"""Makes the AVSal-R head fixture: a tiny head with random weights and its reference outputs.

Runs in seconds on a machine with PyTorch (2.11) and safetensors, no network, never in the build or in CI.
Usage:

    python3 tools/make_head_fixtures.py OUT_DIR

Writes OUT_DIR/head/ (commit it to avsal-core/src/test/resources/fixtures/head/):
  head_tiny.safetensors     float32 weights under the state-dict keys of tools/avsal_head.py; metadata
                            "avsal.config" = the HeadConfig JSON
  head_tiny_io.safetensors  float32: taps.0..3 [B*T, gh*gw, Cv], audio_tokens [B*T, Lk, Ca], logits [B, T, 1, H, W],
                            sigmoid and spatial_softmax maps (same shape), fused.0..3 [B*T, d, gh, gw] (fusion outputs
                            before the GRU) and gru_states [B, T, d, gh, gw]; metadata batch, frames, audio_tokens
  head_tiny_keys.txt        one "key<TAB>d0,d1,..." line per parameter, in named_parameters() order

The config is tiny (Cv 24, Ca 20, d 16, 4 heads, odd 3x5 grid, patch 6 -> 18x30 output, B 2, T 3, Lk 7) so the whole
folder stays under 300 KB; the odd grid exercises the decoder's explicit-size resampling (3x5 -> 2x3 -> 3x5) and
the non-integer final upsampling (12x20 -> 18x30). Weights and inputs are drawn in float32; the reference is then
computed in float64 from those exact values and stored as float32, so the Java head (float32) can be held to 1e-4.
"""
import copy
import math
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from avsal_head import AvSalHead, HeadConfig, normalize  # noqa: E402

if len(sys.argv) != 2:
    sys.exit("usage: make_head_fixtures.py OUT_DIR")
OUT = os.path.join(sys.argv[1], "head")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(20261127)

CFG = HeadConfig(taps=[1, 2, 3, 4], patch_size=6, grid_h=3, grid_w=5, visual_width=24, audio_width=20, dim=16,
                 heads=4, ffn_ratio=2, eps=1e-5, gru_kernel=3, output="sigmoid")
B, T, LK = 2, 3, 7
N = B * T

model = AvSalHead(CFG).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        r = torch.randn(p.shape)
        if ".norm_" in name:  # LayerNorm: weights near 1
            p.copy_(1 + 0.1 * r if name.endswith("weight") else 0.1 * r)
        elif p.dim() == 1:  # biases: small but nonzero
            p.copy_(0.1 * r)
        else:  # unit-variance activations: 1/sqrt(fan-in); a stride-k k x k transposed conv has fan-in = in channels
            transposed = name.startswith(("decoder.reassemble.0.", "decoder.reassemble.1."))
            fan = p.shape[0] if transposed else p[0].numel()
            p.copy_(r / math.sqrt(fan))
        assert bool((p != 0).all()), name

gh, gw = CFG.grid_h, CFG.grid_w
taps = [torch.randn(N, gh * gw, CFG.visual_width) for _ in range(4)]
audio = torch.randn(N, LK, CFG.audio_width)

ref = copy.deepcopy(model).double()
with torch.no_grad():
    logits, last, fused, states = ref([t.double() for t in taps], audio.double(), B, T, return_debug=True)
    H, W = gh * CFG.patch_size, gw * CFG.patch_size
    assert logits.shape == (B, T, 1, H, W), logits.shape
    # Self-checks: the float32 path agrees, and frame-by-frame streaming equals the whole clip.
    f32, _ = model(taps, audio, B, T)
    assert (f32.double() - logits).abs().max() < 1e-4, (f32.double() - logits).abs().max()
    h = None
    for t in range(T):
        rows = [x.double().view(B, T, *x.shape[1:])[:, t] for x in taps]
        step, h = ref(rows, audio.double().view(B, T, LK, -1)[:, t], B, 1, h0=h)
        assert (step[:, 0] - logits[:, t]).abs().max() < 1e-10
    print("logits range %.3f .. %.3f" % (logits.min(), logits.max()))

meta = {"avsal.config": CFG.to_json(), "producer": "tools/make_head_fixtures.py"}
save_file({k: v.detach().float().contiguous() for k, v in model.state_dict().items()},
          os.path.join(OUT, "head_tiny.safetensors"), metadata=meta)

io = {"taps.%d" % i: t for i, t in enumerate(taps)}
io["audio_tokens"] = audio
io["logits"] = logits
io["sigmoid"] = normalize(logits, "sigmoid")
io["spatial_softmax"] = normalize(logits, "spatial_softmax")
for i, f in enumerate(fused):
    io["fused.%d" % i] = f
io["gru_states"] = states
save_file({k: v.detach().float().contiguous() for k, v in io.items()}, os.path.join(OUT, "head_tiny_io.safetensors"),
          metadata={"batch": str(B), "frames": str(T), "audio_tokens": str(LK), "producer": "tools/make_head_fixtures.py"})

with open(os.path.join(OUT, "head_tiny_keys.txt"), "w") as f:
    for k, v in model.named_parameters():
        f.write("%s\t%s\n" % (k, ",".join(str(s) for s in v.shape)))

total = sum(os.path.getsize(os.path.join(OUT, x)) for x in os.listdir(OUT))
params = sum(p.numel() for p in model.parameters())
print("wrote %s: %d files, %d bytes, %d parameters" % (OUT, len(os.listdir(OUT)), total, params))
assert total < 300 * 1024, total
