#!/usr/bin/env python3
"""Makes avsal's test fixtures from reference code nobody on the project wrote.

Runs on the GPU machine (PyTorch 2.11, torchaudio, torchvision, transformers, safetensors, Pillow), never in the
build or in CI. Usage:

    python3 tools/make_fixtures.py OUT_DIR [REF_DIR]

REF_DIR holds *uncommitted* copies of the official code (default .ref/): `imagebind/` from
facebookresearch/ImageBind and `clip/` from openai/CLIP. Their code is imported, never copied into avsal.
Every fixture is small (the whole test-resource tree stays under 8 MB). Reference activations are computed in
float64 on the CPU and stored as float32, so Java's float32 results can be held to a relative error of 1e-4.
"""
import collections
import importlib.util
import json
import math
import os
import sys
import types
import zipfile

import numpy as np
import torch
import torch.nn as nn

OUT = sys.argv[1]
REF = sys.argv[2] if len(sys.argv) > 2 else ".ref"
torch.manual_seed(20261126)
np.random.seed(20261126)


def path(*parts):
    p = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def save_st(tensors, *parts, metadata=None):
    from safetensors.torch import save_file
    save_file({k: v.detach().contiguous() for k, v in tensors.items()}, path(*parts), metadata=metadata)


def dump_json(obj, *parts):
    with open(path(*parts), "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)


ST_NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
            torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
            torch.bool: "BOOL"}


def describe(t):
    flat = t.detach().reshape(-1)
    if t.dtype.is_floating_point:
        values = [float(v) for v in flat.double().tolist()]
    else:
        values = [int(v) for v in flat.long().tolist()]
    return {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape), "values": values}


def flatten(obj, prefix, tensors, metadata):
    """Dotted key paths, list/tuple items by index: the convention avsal's Checkpoint uses."""
    if isinstance(obj, torch.Tensor):
        tensors[prefix] = describe(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, f"{prefix}.{k}" if prefix else str(k), tensors, metadata)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flatten(v, f"{prefix}.{i}" if prefix else str(i), tensors, metadata)
    else:
        metadata[prefix] = obj


def randomize(module, scale=0.05):
    """Random values everywhere (LayerNorm weights near 1), so no parameter can be ignored unnoticed."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 1 and ("norm" in name or "ln" in name) and name.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif name.endswith("bias") or p.dim() == 1:
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(scale * torch.randn_like(p) * (3.0 if p.numel() < 4096 else 1.0))


# ------------------------------------------------------------------------------------------------ checkpoints
def checkpoint_fixtures():
    from safetensors.torch import save_file
    st = {
        "f64": torch.randn(3, 2, dtype=torch.float64),
        "f32": torch.randn(2, 3, 4),
        "f16": torch.randn(5).half(),
        "bf16": torch.randn(2, 2).bfloat16(),
        "i64": torch.tensor([-(2 ** 40) - 3, 0, 7, 2 ** 52], dtype=torch.int64),
        "i32": torch.tensor([[-7, 2 ** 30], [5, -1]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, 12], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0, 3], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar_f32": torch.tensor(2.25),
        "empty_f32": torch.zeros(0, 3),
    }
    meta = {"format": "pt", "producer": "avsal-fixtures"}
    save_file(st, path("checkpoint", "st_all_dtypes.safetensors"), metadata=meta)
    t, m = {}, {}
    flatten(st, "", t, m)
    for k, v in meta.items():
        m["__metadata__." + k] = v
    dump_json({"tensors": t, "metadata": m}, "checkpoint", "st_expected.json")

    base = torch.arange(20, dtype=torch.float32).reshape(4, 5) * 0.5 - 3
    sd = collections.OrderedDict()
    for name, dtype in [("f64", torch.float64), ("f32", torch.float32), ("f16", torch.float16),
                        ("bf16", torch.bfloat16)]:
        sd[f"module.encoder.{name}.weight"] = torch.randn(3, 2).to(dtype)
    sd["module.encoder.i64"] = torch.tensor([-(2 ** 40), 5, 2 ** 52], dtype=torch.int64)
    sd["module.encoder.i32"] = torch.tensor([-3, 4], dtype=torch.int32)
    sd["module.encoder.i16"] = torch.tensor([-300, 301], dtype=torch.int16)
    sd["module.encoder.i8"] = torch.tensor([-5, 6], dtype=torch.int8)
    sd["module.encoder.u8"] = torch.tensor([250, 1], dtype=torch.uint8)
    sd["module.encoder.mask"] = torch.tensor([[True, False], [False, True]])
    obj = {
        "epoch": 7, "lr": 0.001, "name": "avsal", "flag": True, "nothing": None,
        "state_dict": sd,
        "param": nn.Parameter(torch.randn(2, 3)),
        "views": {"base": base, "row": base[1], "col": base[:, 2], "t": base.t(), "offset_slice": base[2:, 1:3]},
        "scalar": torch.tensor(3.5, dtype=torch.float64),
        "empty": torch.zeros(0, 4),
        "list": [torch.tensor([1.0, 2.0]), 3, "x"],
        "tuple": (torch.tensor([[4, 5]], dtype=torch.int64), 2.5),
    }
    torch.save(obj, path("checkpoint", "torch_zip.pt"))
    torch.save(obj, path("checkpoint", "torch_legacy.pt"), _use_new_zipfile_serialization=False)
    t, m = {}, {}
    flatten(obj, "", t, m)
    dump_json({"tensors": t, "metadata": m}, "checkpoint", "expected.json")

    # Same archive with another folder name: readers must not assume the file's stem.
    with zipfile.ZipFile(path("checkpoint", "torch_zip.pt")) as src, \
            zipfile.ZipFile(path("checkpoint", "torch_zip_renamed.pt"), "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            rest = info.filename.split("/", 1)[1]
            dst.writestr("weird_name-1/" + rest, src.read(info.filename))

    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 3)
            self.conv = nn.Conv2d(2, 3, 3)
            self.half_w = nn.Parameter(torch.randn(5).half())
            self.register_buffer("running", torch.arange(6.0).reshape(2, 3))
            self.sub = nn.Sequential(nn.Linear(3, 2), nn.ReLU())

        def forward(self, x):
            return self.sub(self.lin(x))

    small = Small()
    torch.jit.save(torch.jit.script(small), path("checkpoint", "scripted.pt"))
    t = {n: describe(p) for n, p in small.named_parameters()}
    t.update({n: describe(b) for n, b in small.named_buffers()})
    dump_json({"tensors": t, "metadata": {}}, "checkpoint", "scripted_expected.json")

    class EvilSystem:
        def __reduce__(self):
            return (os.system, ("echo avsal-pwned > /tmp/avsal-pwned",))

    class EvilEval:
        def __reduce__(self):
            return (eval, ("print('avsal-pwned')",))

    torch.save({"weight": torch.ones(2), "payload": EvilSystem()}, path("checkpoint", "malicious_system.pt"))
    torch.save({"weight": torch.ones(2), "payload": EvilEval()}, path("checkpoint", "malicious_eval_legacy.pt"),
               _use_new_zipfile_serialization=False)
    dump_json({"malicious_system.pt": f"{os.system.__module__}.system",
               "malicious_eval_legacy.pt": "builtins.eval"}, "checkpoint", "malicious_expected.json")


# ------------------------------------------------------------------------------------------------ CLIP
def hf_clip_fixtures():
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection
    cfg = CLIPVisionConfig(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8, projection_dim=32, hidden_act="quick_gelu",
                           layer_norm_eps=1e-5)
    model = CLIPVisionModelWithProjection(cfg).eval()
    randomize(model)
    save_st(model.state_dict(), "clip", "hf_clip_tiny.safetensors")
    dump_json(cfg.to_dict(), "clip", "hf_clip_tiny_config.json")
    model = model.double()
    x = torch.randn(2, 3, 32, 32, dtype=torch.float64)
    wide = torch.randn(1, 3, 32, 64, dtype=torch.float64)
    with torch.no_grad():
        out = model(pixel_values=x, output_hidden_states=True)
        out_w = model(pixel_values=wide, output_hidden_states=True, interpolate_pos_encoding=True)
    io = {"pixel_values": x.float(), "image_embeds": out.image_embeds.float(),
          "last_hidden_state": out.last_hidden_state.float(),
          "pixel_values_wide": wide.float(), "image_embeds_wide": out_w.image_embeds.float()}
    inner = model.vision_model
    with torch.no_grad():
        io["pooler_output"] = inner(pixel_values=x).pooler_output.float()
    for k, h in enumerate(out.hidden_states):
        io[f"hidden_states.{k}"] = h.float()
    io[f"hidden_states_wide.{len(out_w.hidden_states) - 1}"] = out_w.hidden_states[-1].float()
    save_st(io, "clip", "hf_clip_tiny_io.safetensors")


def load_file_module(name, file):
    spec = importlib.util.spec_from_file_location(name, file)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def openai_clip_fixtures():
    clip_model = load_file_module("openai_clip_model", os.path.join(REF, "clip", "model.py"))
    model = clip_model.CLIP(embed_dim=32, image_resolution=32, vision_layers=2, vision_width=128,
                            vision_patch_size=8, context_length=8, vocab_size=64, transformer_width=32,
                            transformer_heads=2, transformer_layers=1).eval()
    randomize(model)
    clip_model.convert_weights(model)  # fp16 weights, as in the published ViT-B-16.pt
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    model = model.to(dev)
    image = torch.randn(2, 3, 32, 32, device=dev, dtype=torch.float16)
    text = torch.randint(0, 64, (2, 8), device=dev)
    with torch.no_grad():
        traced = torch.jit.trace(model, (image, text), check_trace=False)
    torch.jit.save(traced, path("clip", "openai_clip_tiny.pt"))

    ref = clip_model.CLIP(embed_dim=32, image_resolution=32, vision_layers=2, vision_width=128,
                          vision_patch_size=8, context_length=8, vocab_size=64, transformer_width=32,
                          transformer_heads=2, transformer_layers=1).eval()
    ref.load_state_dict({k: v.float().cpu() for k, v in model.state_dict().items()})
    # float32, not float64: openai's LayerNorm subclass casts activations to float32 internally.
    x = torch.randn(2, 3, 32, 32)
    taps = {}
    for i, blk in enumerate(ref.visual.transformer.resblocks):
        blk.register_forward_hook(lambda m, a, o, i=i: taps.__setitem__(i, o.permute(1, 0, 2).float()))
    with torch.no_grad():
        emb = ref.visual(x)
    io = {"image": x.float(), "embedding": emb.float()}
    io.update({f"tap.{i}": t for i, t in taps.items()})
    save_st(io, "clip", "openai_clip_tiny_io.safetensors")


# ------------------------------------------------------------------------------------------------ ImageBind
def stub_modules():
    """The official modules import tokenizer/IO/video packages that the audio path never uses."""
    for name in ["ftfy", "iopath", "iopath.common", "iopath.common.file_io", "pytorchvideo",
                 "pytorchvideo.transforms", "pytorchvideo.data", "pytorchvideo.data.clip_sampling",
                 "pytorchvideo.data.encoded_video"]:
        if name not in sys.modules:
            try:
                __import__(name)
            except Exception:
                sys.modules[name] = types.ModuleType(name)
    sys.modules["iopath.common.file_io"].g_pathmgr = None
    sys.modules["pytorchvideo"].transforms = sys.modules["pytorchvideo.transforms"]
    sys.modules["pytorchvideo.data.clip_sampling"].ConstantClipsPerVideoSampler = object
    sys.modules["pytorchvideo.data.encoded_video"].EncodedVideo = object
    sys.path.insert(0, REF)


def imagebind_fixtures():
    stub_modules()
    from imagebind.models import imagebind_model as ib
    model = ib.ImageBindModel(out_embed_dim=32, vision_embed_dim=64, vision_num_blocks=1, vision_num_heads=1,
                              audio_embed_dim=128, audio_num_blocks=2, audio_num_heads=2, audio_drop_path=0.1,
                              text_embed_dim=16, text_num_blocks=1, text_num_heads=1, depth_embed_dim=16,
                              depth_num_blocks=1, depth_num_heads=1, thermal_embed_dim=16, thermal_num_blocks=1,
                              thermal_num_heads=1, imu_embed_dim=16, imu_num_blocks=1, imu_num_heads=1).eval()
    randomize(model)
    sd = model.state_dict()
    keep = collections.OrderedDict((k, v) for k, v in sd.items() if ".audio." in k or k.endswith(".audio"))
    # Decoys the audio loader must never read: a big vision storage and a couple of vision keys.
    decoy = collections.OrderedDict()
    decoy["modality_preprocessors.vision.cls_token"] = sd["modality_preprocessors.vision.cls_token"]
    decoy["modality_trunks.vision.decoy_storage"] = torch.randn(128, 128)
    decoy.update(keep)
    decoy["modality_heads.vision.0.weight"] = sd["modality_heads.vision.0.weight"]
    torch.save(decoy, path("imagebind", "imagebind_tiny_audio.pth"))
    dump_json({"width": 128, "layers": 2, "heads": 2, "output_dim": 32, "kernel": 16, "stride": 10,
               "mel_bins": 128, "target_length": 204, "logit_scale": 20.0}, "imagebind", "imagebind_tiny_config.json")

    model = model.double()
    fb = torch.randn(1, 2, 1, 128, 204, dtype=torch.float64)
    with torch.no_grad():
        emb = model({"audio": fb})["audio"]
        flat = fb.reshape(2, 1, 128, 204)
        pre = model.modality_preprocessors["audio"](audio=flat)
        trunk = model.modality_trunks["audio"](**pre["trunk"])
        tokens = model.modality_heads["audio"][0](trunk)
        per_clip = model.modality_postprocessors["audio"](model.modality_heads["audio"](trunk, **pre["head"]))
    save_st({"fbank": fb.float(), "tokens": tokens.float(), "embedding_per_clip": per_clip.float(),
             "embedding": emb.float()}, "imagebind", "imagebind_tiny_io.safetensors")


def fbank_fixtures():
    stub_modules()
    from imagebind import data as ib_data
    import torchaudio
    sr = 16000
    g = torch.Generator().manual_seed(7)
    t2 = torch.arange(2 * sr) / sr
    t22 = torch.arange(int(2.2 * sr)) / sr
    cases = {
        "sine2s": (0.5 * torch.sin(2 * math.pi * 440 * t2) + 0.01 * torch.randn(2 * sr, generator=g))[None],
        "noise05s": 0.3 * torch.randn(1, sr // 2, generator=g),
        "chirp22s": (0.4 * torch.sin(2 * math.pi * (200 + 1500 * t22) * t22) + 0.05)[None],
        "exact400": torch.randn(1, 400, generator=g),
        "stereo05s": torch.stack([0.2 * torch.sin(2 * math.pi * 1000 * t2[:sr]), 0.1 * torch.randn(sr, generator=g)])[:, : sr // 2],
    }
    out = {}
    for name, wave in cases.items():
        wave = wave.float().contiguous()
        out[f"{name}.wave"] = wave
        for suffix, w in (("", wave), ("64", wave.double())):
            centred = w - w.mean()
            fb = torchaudio.compliance.kaldi.fbank(centred, htk_compat=True, sample_frequency=sr, use_energy=False,
                                                   window_type="hanning", num_mel_bins=128, dither=0.0,
                                                   frame_length=25, frame_shift=10)
            out[f"{name}.fbank{suffix}"] = fb.float() if suffix == "" else fb
            if suffix == "":
                mel = ib_data.waveform2melspec(w.clone(), sr, 128, 204)
                out[f"{name}.melspec"] = (mel - (-4.268)) / 9.138
    out = {k: (v.float() if k.endswith("64") else v) for k, v in out.items()}
    save_st(out, "fbank", "fbank_cases.safetensors")


# ------------------------------------------------------------------------------------------------ preprocessing
def preprocess_fixtures():
    from PIL import Image
    from torchvision import transforms as T
    rng = np.random.default_rng(3)

    def make(w, h):
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
        img = np.zeros((h, w, 3))
        for c in range(3):
            for _ in range(4):
                fx, fy, ph = rng.uniform(0.005, 0.08, 2).tolist() + [rng.uniform(0, 6.3)]
                img[..., c] += np.sin(xx * fx * 2 * np.pi / 4 + yy * fy * 2 * np.pi / 4 + ph)
        img = (img - img.min()) / (img.max() - img.min()) * 255
        for _ in range(6):  # sharp edges make ringing and clamping visible
            x0, y0 = rng.integers(0, w - 4), rng.integers(0, h - 4)
            img[y0:y0 + rng.integers(3, h // 3 + 4), x0:x0 + rng.integers(3, w // 3 + 4)] = rng.integers(0, 256, 3)
        img += rng.normal(0, 2, img.shape)
        return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")

    images = {"img_a": make(320, 240), "img_b": make(97, 131), "img_c": make(500, 281)}
    clip224 = T.Compose([T.Resize(224, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(224)])
    for name, img in images.items():
        img.save(path("preprocess", f"{name}.png"))
        clip224(img).save(path("preprocess", f"{name}_clip224.png"))
        img.resize((384, 224), Image.BICUBIC).save(path("preprocess", f"{name}_resize224x384.png"))
    full = T.Compose([T.Resize(64, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(64),
                      lambda im: im.convert("RGB"), T.ToTensor(),
                      T.Normalize((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))])
    save_st({"img_a": full(images["img_a"])}, "preprocess", "clip64.safetensors")


if __name__ == "__main__":
    steps = [checkpoint_fixtures, hf_clip_fixtures, openai_clip_fixtures, imagebind_fixtures, fbank_fixtures,
             preprocess_fixtures]
    failed = []
    for step in steps:
        try:
            step()
            print("ok  ", step.__name__, flush=True)
        except Exception as e:  # keep going: one broken step must not cost the others' device time
            import traceback
            traceback.print_exc()
            failed.append(step.__name__)
            print("FAIL", step.__name__, e, flush=True)
    print("versions: torch", torch.__version__, flush=True)
    sys.exit(1 if failed else 0)
