"""The AVSal-R head in PyTorch: REFERENCE ONLY, never used at run time.

avsal runs this head in Java (package dev.avsal.model.head). This file defines the same function with the same
parameter names (state-dict keys), so that
  * tools/make_head_fixtures.py can produce a reference the Java head is tested against (within 1e-4), and
  * a head trained in PyTorch can be exported through safetensors and loaded by the Java head, and back.
Every design choice below is ours ("AVSal-R choice"): the AVSal paper does not state its head. The reasons are
given in the Java javadoc; keep both files in step (same keys, same order, same arithmetic).

Tensor layout: N = B*T frames, batch-major (frame t of clip b is row b*T + t). Visual taps are CLIP patch tokens
without CLS, row-major over the patch grid: [N, gh*gw, Cv]. Audio tokens: [N, Lk, Ca] (one audio window per frame).
"""
import dataclasses
import json
import math
from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclasses.dataclass
class HeadConfig:
    taps: List[int] = dataclasses.field(default_factory=lambda: [3, 6, 9, 12])  # 1-based CLIP blocks (metadata)
    patch_size: int = 16
    grid_h: int = 14
    grid_w: int = 14
    visual_width: int = 768
    audio_width: int = 768
    dim: int = 128
    heads: int = 4
    ffn_ratio: int = 2
    eps: float = 1e-5
    gru_kernel: int = 3
    output: str = "sigmoid"  # or "spatial_softmax"

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text):
        return HeadConfig(**json.loads(text))


class CrossAttentionFusion(nn.Module):
    """Visual tokens query audio tokens: pre-norm multi-head cross-attention + FFN, both residual."""

    def __init__(self, cfg: HeadConfig):
        super().__init__()
        d = cfg.dim
        self.heads = cfg.heads
        self.visual_proj = nn.Linear(cfg.visual_width, d)
        self.audio_proj = nn.Linear(cfg.audio_width, d)
        self.norm_q = nn.LayerNorm(d, eps=cfg.eps)
        self.norm_kv = nn.LayerNorm(d, eps=cfg.eps)
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)
        self.norm_ffn = nn.LayerNorm(d, eps=cfg.eps)
        self.ffn = nn.Sequential(nn.Linear(d, cfg.ffn_ratio * d), nn.GELU(), nn.Linear(cfg.ffn_ratio * d, d))

    def forward(self, visual, audio):
        n, lq, _ = visual.shape
        lk = audio.shape[1]
        x = self.visual_proj(visual)
        a = self.norm_kv(self.audio_proj(audio))
        hd = x.shape[-1] // self.heads
        q = self.q_proj(self.norm_q(x)).view(n, lq, self.heads, hd).transpose(1, 2)
        k = self.k_proj(a).view(n, lk, self.heads, hd).transpose(1, 2)
        v = self.v_proj(a).view(n, lk, self.heads, hd).transpose(1, 2)
        # Written out (not F.scaled_dot_product_attention) so the reference is independent of the Java path.
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), dim=-1)
        att = (weights @ v).transpose(1, 2).reshape(n, lq, -1)
        x = x + self.out_proj(att)
        return x + self.ffn(self.norm_ffn(x))


class ConvGru(nn.Module):
    """Unidirectional ConvGRU cell (UNISAL-style: the reset gate multiplies the convolved hidden state)."""

    def __init__(self, cfg: HeadConfig):
        super().__init__()
        d, k = cfg.dim, cfg.gru_kernel
        self.conv_x = nn.Conv2d(d, 3 * d, k, padding=k // 2, bias=True)
        self.conv_h = nn.Conv2d(d, 3 * d, k, padding=k // 2, bias=False)

    def step(self, x, h=None):
        if h is None:
            h = torch.zeros_like(x)
        xr, xz, xn = self.conv_x(x).chunk(3, dim=1)
        hr, hz, hn = self.conv_h(h).chunk(3, dim=1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1 - z) * h + z * n

    def forward(self, seq, h=None):
        """seq [B, T, d, H, W] -> (all states [B, T, d, H, W], last state [B, d, H, W])."""
        states = []
        for t in range(seq.shape[1]):
            h = self.step(seq[:, t], h)
            states.append(h)
        return torch.stack(states, dim=1), h


class SaliencyDecoder(nn.Module):
    """DPT-style reassembly of the four levels to a pyramid (x4, x2, x1, /2 of the patch grid), top-down FPN."""

    def __init__(self, cfg: HeadConfig):
        super().__init__()
        d = cfg.dim
        self.reassemble = nn.ModuleList([
            nn.ConvTranspose2d(d, d, 4, stride=4),
            nn.ConvTranspose2d(d, d, 2, stride=2),
            nn.Conv2d(d, d, 1),
            nn.Conv2d(d, d, 3, stride=2, padding=1),
        ])
        self.fuse = nn.ModuleList([nn.Conv2d(d, d, 3, padding=1) for _ in range(3)])
        self.head = nn.Sequential(nn.Conv2d(d, d // 2, 3, padding=1), nn.ReLU(), nn.Conv2d(d // 2, 1, 1))

    def forward(self, levels, out_h, out_w):
        pyramid = [m(x) for m, x in zip(self.reassemble, levels)]
        x = pyramid[3]
        for i, skip in enumerate([pyramid[2], pyramid[1], pyramid[0]]):
            # Explicit target sizes, not factors: odd grids (7x12 -> 4x6) must land back on the skip's size.
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = F.relu(self.fuse[i](x + skip))
        return F.interpolate(self.head(x), size=(out_h, out_w), mode="bilinear", align_corners=False)


def normalize(logits, output):
    """Saliency maps from logits [..., H, W]: 'sigmoid' (per pixel) or 'spatial_softmax' (each map sums to 1)."""
    if output == "sigmoid":
        return torch.sigmoid(logits)
    if output == "spatial_softmax":
        return torch.softmax(logits.flatten(-2), dim=-1).view_as(logits)
    raise ValueError(output)


class AvSalHead(nn.Module):
    def __init__(self, cfg: HeadConfig):
        super().__init__()
        self.cfg = cfg
        self.fusion = nn.ModuleList([CrossAttentionFusion(cfg) for _ in range(4)])
        self.gru = ConvGru(cfg)
        self.decoder = SaliencyDecoder(cfg)

    def forward(self, taps, audio, batch, frames, grid=None, h0=None, return_debug=False):
        """taps: 4 x [B*T, gh*gw, Cv]; audio [B*T, Lk, Ca] -> logits [B, T, 1, gh*p, gw*p] (and the last GRU state)."""
        gh, gw = grid if grid is not None else (self.cfg.grid_h, self.cfg.grid_w)
        n = batch * frames
        fused = []
        for m, tap in zip(self.fusion, taps):
            x = m(tap, audio)  # [N, L, d]
            fused.append(x.transpose(1, 2).reshape(n, -1, gh, gw))
        states, last = self.gru(fused[3].view(batch, frames, -1, gh, gw), h0)
        levels = fused[:3] + [states.reshape(n, -1, gh, gw)]
        p = self.cfg.patch_size
        logits = self.decoder(levels, gh * p, gw * p)
        logits = logits.view(batch, frames, 1, gh * p, gw * p)
        if return_debug:
            return logits, last, fused, states
        return logits, last
