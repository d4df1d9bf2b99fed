#!/usr/bin/env python3
"""Makes the small pickle fixtures of avsal's checkpoint tests with the Python standard library only (no torch).

    python3 tools/make_pickle_fixtures.py [OUT_DIR]   (default avsal-core/src/test/resources/fixtures/pickle)

- plain_p{2,4,5}.pkl: one nested object of plain values; plain_expected.json: its flattened dotted-key metadata.
- evil_*.pkl: pickles whose globals a weights-only reader must refuse; evil_expected.json: file -> global.
- fake_torch_{p4,p5,big,deflated}.pt: torch.save-like zip archives written with stand-in `torch` modules (same
  global names, persistent ids and record layout as torch.save), in protocols 4/5, big-endian, and with deflated
  storages; fake_torch_expected.json: their tensors in the expected.json schema.
Never run by the build; the outputs are committed.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile

OUT = sys.argv[1] if len(sys.argv) > 1 else "avsal-core/src/test/resources/fixtures/pickle"
os.makedirs(OUT, exist_ok=True)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def dump_json(obj, name):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)


def flatten(obj, prefix, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, v in enumerate(obj):
            flatten(v, f"{prefix}.{i}" if prefix else str(i), out)
    else:
        out[prefix] = obj.decode("latin-1") if isinstance(obj, bytes) else (
            str(obj) if isinstance(obj, int) and not isinstance(obj, bool) and not -2 ** 63 <= obj < 2 ** 63 else obj)


# ------------------------------------------------------------------------------------------------ plain values
shared = ["shared", 1]
plain = {
    "ints": [0, 1, -1, 255, 256, 65535, 65536, -2 ** 31, 2 ** 31 - 1, 2 ** 31, -2 ** 63, 2 ** 63 - 1, 2 ** 63, -2 ** 70],
    "floats": [0.0, -0.0, 1.5, 1e-300, -3.25e300, 0.1],
    "text": ["", "plain", "üñíçødé ✓ 😀", "x" * 300],
    "bytes": b"\x00\xffab",
    "flags": (True, False, None),
    "od": collections.OrderedDict([("b", 2), ("a", 1)]),
    "nested": {"deeper": {"deepest": [[1, [2, [3]]]]}},
    "aset": {7},
    "frozen": frozenset({"only"}),
    "ref1": shared,
    "ref2": shared,
    7: "int key",
}
flat = {}
flatten(plain, "", flat)
dump_json(flat, "plain_expected.json")
for proto in (2, 4, 5):
    write(f"plain_p{proto}.pkl", pickle.dumps(plain, protocol=proto))


# ------------------------------------------------------------------------------------------------ malicious
class Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


write("evil_system_p2.pkl", pickle.dumps({"w": [1.0], "x": Reduce(os.system, ("echo avsal-pwned",))}, protocol=2))
write("evil_eval_p4.pkl", pickle.dumps([Reduce(eval, ("1+1",))], protocol=4))
write("evil_getattr_p5.pkl", pickle.dumps({"a": {"b": Reduce(getattr, ("abc", "upper"))}}, protocol=5))
write("evil_class_p2.pkl", pickle.dumps(collections.Counter("ab"), protocol=2))
dump_json({"evil_system_p2.pkl": f"{os.system.__module__}.system", "evil_eval_p4.pkl": "builtins.eval",
           "evil_getattr_p5.pkl": "builtins.getattr", "evil_class_p2.pkl": "collections.Counter"},
          "evil_expected.json")

# ------------------------------------------------------------------------------------------------ fake torch
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, torch_utils
torch._utils = torch_utils
FMT = {"FloatStorage": ("f", 4, "F32"), "HalfStorage": ("e", 2, "F16"), "LongStorage": ("q", 8, "I64"),
       "ByteStorage": ("B", 1, "U8")}
for cls_name in FMT:
    setattr(torch, cls_name, type(cls_name, (), {"__module__": "torch"}))


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks):
    raise AssertionError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class Storage:
    def __init__(self, key, cls_name, values):
        self.key, self.cls_name, self.values = key, cls_name, values


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.size, self.stride, False,
                                     collections.OrderedDict()))

    def values(self):
        out = []

        def rec(dim, pos):
            if dim == len(self.size):
                out.append(self.storage.values[pos])
                return
            for i in range(self.size[dim]):
                rec(dim + 1, pos + i * self.stride[dim])
        if all(s > 0 for s in self.size):
            rec(0, self.offset)
        return out


base = Storage("0", "FloatStorage", [i * 0.25 - 1 for i in range(12)])
half = Storage("1", "HalfStorage", [0.5, -2.0, 65504.0, 6.103515625e-05])
longs = Storage("2", "LongStorage", [-(2 ** 40), 3, 2 ** 62])
mask = Storage("3", "ByteStorage", [0, 255, 7])
sd = collections.OrderedDict()
sd["module.base"] = Tensor(base, 0, (3, 4), (4, 1))
sd["module.t"] = Tensor(base, 0, (4, 3), (1, 4))
sd["module.slice"] = Tensor(base, 5, (2, 2), (4, 2))
sd["module.scalar"] = Tensor(base, 11, (), ())
sd["module.empty"] = Tensor(base, 12, (0, 3), (3, 1))
sd["module.half"] = Tensor(half, 0, (4,), (1,))
sd["module.longs"] = Tensor(longs, 1, (2,), (1,))
sd["module.bytes"] = Tensor(mask, 0, (3,), (1,))
sd._metadata = collections.OrderedDict([("", {"version": 1}), ("module", {"version": 2})])  # like state_dict()
obj = {"model": sd, "epoch": 3, "names": ("a", "b")}
expected = {"tensors": {}, "metadata": {"epoch": 3, "names.0": "a", "names.1": "b"}}
for k, t in sd.items():
    expected["tensors"]["model." + k] = {"dtype": FMT[t.storage.cls_name][2], "shape": list(t.size),
                                         "values": t.values()}
dump_json(expected, "fake_torch_expected.json")


class TorchPickler(pickle.Pickler):
    def persistent_id(self, o):
        if isinstance(o, Storage):
            return ("storage", getattr(torch, o.cls_name), o.key, "cpu", len(o.values))
        return None


def fake_torch_zip(name, proto, big_endian=False, compress=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    TorchPickler(buf, protocol=proto).dump(obj)
    folder = "archive"
    with zipfile.ZipFile(os.path.join(OUT, name), "w", zipfile.ZIP_STORED) as z:
        # ZipInfo without a date: 1980-01-01, so the archives are reproducible.
        z.writestr(zipfile.ZipInfo(folder + "/data.pkl"), buf.getvalue())
        z.writestr(zipfile.ZipInfo(folder + "/byteorder"), "big" if big_endian else "little")
        for s in (base, half, longs, mask):
            fmt, _, _ = FMT[s.cls_name]
            raw = struct.pack((">" if big_endian else "<") + fmt * len(s.values), *s.values)
            z.writestr(zipfile.ZipInfo(f"{folder}/data/{s.key}"), raw, compress_type=compress)
        z.writestr(zipfile.ZipInfo(folder + "/version"), "3\n")


fake_torch_zip("fake_torch_p4.pt", 4)
fake_torch_zip("fake_torch_p5.pt", 5)
fake_torch_zip("fake_torch_big.pt", 2, big_endian=True)
fake_torch_zip("fake_torch_deflated.pt", 2, compress=zipfile.ZIP_DEFLATED)


# ------------------------------------------------------------------------------------------------ fake legacy
# The pre-1.6 layout: magic, protocol version, sys_info, the object (storage ids carry an optional view
# (view_key, offset, size) into a root storage), the root keys, then each root as int64 count + raw bytes.
class View:
    def __init__(self, root, key, offset, size):
        self.root, self.key, self.offset, self.size = root, key, offset, size
        self.cls_name, self.values = root.cls_name, root.values[offset:offset + size]


legacy_root = Storage("140001", "FloatStorage", [i * 0.5 for i in range(10)])
legacy_longs = Storage("140002", "LongStorage", [7, -8, 2 ** 50])
legacy_view = View(legacy_root, "140003", 4, 5)  # a storage slice: elements 4..8 of the root
legacy_sd = collections.OrderedDict()
legacy_sd["root"] = Tensor(legacy_root, 0, (2, 5), (5, 1))
legacy_sd["view"] = Tensor(legacy_view, 1, (2, 2), (1, 2))  # offset and strides inside the view
legacy_sd["longs"] = Tensor(legacy_longs, 0, (3,), (1,))
legacy_sd["view_scalar"] = Tensor(legacy_view, 4, (), ())
legacy_obj = {"state_dict": legacy_sd, "step": 12}
expected = {"tensors": {}, "metadata": {"step": 12}}
for k, t in legacy_sd.items():
    expected["tensors"]["state_dict." + k] = {"dtype": FMT[t.storage.cls_name][2], "shape": list(t.size),
                                              "values": t.values()}
dump_json(expected, "fake_legacy_expected.json")


class LegacyPickler(pickle.Pickler):
    def persistent_id(self, o):
        if isinstance(o, View):
            return ("storage", getattr(torch, o.cls_name), o.root.key, "cpu", len(o.root.values),
                    (o.key, o.offset, o.size))
        if isinstance(o, Storage):
            return ("storage", getattr(torch, o.cls_name), o.key, "cpu", len(o.values), None)
        return None


def fake_legacy(name, big_endian):
    out = io.BytesIO()
    pickle.dump(0x1950a86a20f9469cfc6c, out, protocol=2)
    pickle.dump(1001, out, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": not big_endian,
                 "type_sizes": {"short": 2, "int": 4, "long": 4}}, out, protocol=2)
    LegacyPickler(out, protocol=2).dump(legacy_obj)
    roots = [legacy_root, legacy_longs]
    pickle.dump([r.key for r in roots], out, protocol=2)
    order = ">" if big_endian else "<"
    for r in roots:
        fmt = FMT[r.cls_name][0]
        out.write(struct.pack(order + "q", len(r.values)))
        out.write(struct.pack(order + fmt * len(r.values), *r.values))
    write(name, out.getvalue())


fake_legacy("fake_legacy.pt", False)
fake_legacy("fake_legacy_big.pt", True)
