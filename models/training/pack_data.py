"""Derive the compact training cache (.devdata/*.npz) from the raw public data, deterministically.

Why: the GPU machine sees only a copy of the repository (64 MiB), not /work/shared/data, and has no rasterio.
Imagery is unit-scaled exactly as in training (data.unit_scale), quantised to uint8 and stored as JPEG (quality 95)
to fit; masks are PNG (lossless). Percentile-stretched uint16 scenes (OSCD) keep the [-0.5, 1.5] range ("wide").
AID images are resized to the classifier input size and stored as JPEG (quality 92).
Training straight from the raw folders (--data /work/shared/data) skips this lossy step.
"""
import argparse
import io
import json
import os

import numpy as np
from PIL import Image

import data as D


def _jpeg(chw_u8, quality):
    buf = io.BytesIO()
    Image.fromarray(chw_u8.transpose(1, 2, 0)).save(buf, "JPEG", quality=quality, subsampling=0)
    return np.frombuffer(buf.getvalue(), np.uint8)


def _png(mask01):
    buf = io.BytesIO()
    Image.fromarray((mask01 * 255).astype(np.uint8)).save(buf, "PNG", optimize=True)
    return np.frombuffer(buf.getvalue(), np.uint8)


def _quantise(unit, wide):
    x = (unit - D.UNIT_MIN) / (D.UNIT_MAX - D.UNIT_MIN) if wide else unit
    return np.clip(np.round(x * 255.0), 0, 255).astype(np.uint8)


def pack_change(root, out):
    arrays, meta = {}, []
    for spec in D.change_scene_specs(root):
        s = D.load_change_scene_raw(spec, root)
        wide = spec["dataset"] == "oscd"
        k = f"{s.dataset}/{s.id}"
        arrays[k + "/before"] = _jpeg(_quantise(s.before, wide), 95)
        arrays[k + "/after"] = _jpeg(_quantise(s.after, wide), 95)
        arrays[k + "/mask"] = _png(s.mask)
        meta.append(dict(dataset=s.dataset, id=s.id, wide=wide, shape=list(s.mask.shape)))
    arrays["meta"] = np.frombuffer(json.dumps({"scenes": meta}).encode(), np.uint8)
    np.savez(out, **arrays)


def pack_aid(root, out, size):
    names, blobs = [], []
    for c in D.aid_classes(root):
        for f in sorted(os.listdir(os.path.join(root, "aid", c))):
            names.append(f"{c}/{f}")
            blobs.append(_jpeg(D.load_aid_image(os.path.join(root, "aid", c, f), size), 92))
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    np.savez(out, jpeg=np.concatenate(blobs), offsets=offsets,
             names=np.frombuffer(json.dumps(names).encode(), np.uint8))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-root", default=D.DEFAULT_DATA_ROOT)
    ap.add_argument("--out", default=D.DEVDATA)
    ap.add_argument("--aid-size", type=int, default=D.AID_SIZE)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    pack_change(a.data_root, os.path.join(a.out, "change.npz"))
    pack_aid(a.data_root, os.path.join(a.out, f"aid{a.aid_size}.npz"), a.aid_size)
    for f in sorted(os.listdir(a.out)):
        print(f, os.path.getsize(os.path.join(a.out, f)) // 1024, "KiB")
