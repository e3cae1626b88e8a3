"""Datasets, splits and input normalisation for ChangeMap's models.

Everything the app must reproduce lives here: `unit_scale` is the card's `unitScaling: "datatype"` step.
Data come either from the raw public folders (/work/shared/data, see its README) or from the compact cache that
pack_data.py derives from them (`.devdata/*.npz`, used to ship data to a GPU machine). Splits are by scene/city/tile,
fixed in splits.json (written by `python3 data.py --write-splits`), so no scene has pixels on both sides.
"""
import argparse
import io
import json
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SPLITS_PATH = os.path.join(HERE, "splits.json")
DEFAULT_DATA_ROOT = os.environ.get("CHANGEMAP_DATA", "/work/shared/data")
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
DEVDATA = os.path.join(REPO_ROOT, ".devdata")

# Percentile stretch for non-uint8 data: p2..p98 per band of one date -> 0..1; kept within [-0.5, 1.5] so bright
# roofs/clouds stay distinguishable instead of being flattened to 1.
STRETCH_LOW, STRETCH_HIGH = 2.0, 98.0
UNIT_MIN, UNIT_MAX = -0.5, 1.5

# Validation scenes, chosen by hand once (before any training) to have moderate change fractions; the rest train.
CHANGE_VAL = {
    "oscd": ["mumbai", "nantes", "pisa"],
    "sztaki": ["Szada/2", "Tiszadob/5"],
    # LEVIR crops are named <split>_<tile>_<row>_<col>; splitting by tile keeps crops of one tile together.
    "levir": ["test_121_0768_0256", "test_55_0256_0000", "val_27_0000_0256"],
    "dsifn": ["1_1", "5_3", "8_3"],
}
GSD_M = {"oscd": 10.0, "sztaki": 1.5, "levir": 0.5, "dsifn": 2.0}  # DSIFN's GSD is unstated (Google Earth); ~2 m
AID_VAL_FRACTION = 0.2
AID_SPLIT_SEED = 20240601
AID_SIZE = 64  # classifier input size (see README: ~10 m per pixel for a typical AID scene)


def unit_scale(arr):
    """[C,H,W] raw -> float32 unit range: uint8 / 255; other integer types by per-band p2..p98 stretch."""
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if np.issubdtype(arr.dtype, np.floating):
        return arr.astype(np.float32)
    out = np.empty(arr.shape, np.float32)
    for b in range(arr.shape[0]):
        band = arr[b].astype(np.float32)
        lo, hi = np.percentile(band, [STRETCH_LOW, STRETCH_HIGH])
        out[b] = (band - lo) / max(hi - lo, 1e-6)
    return np.clip(out, UNIT_MIN, UNIT_MAX)


def read_rgb(path):
    return np.asarray(Image.open(path).convert("RGB")).transpose(2, 0, 1).copy()


def read_mask(path):
    m = np.asarray(Image.open(path).convert("L"))
    return (m > 0).astype(np.uint8)


def read_oscd_date(path):
    import rasterio  # only needed for raw OSCD; the GPU machine reads the packed cache instead

    with rasterio.open(path) as ds:
        rgb = ds.read([1, 2, 3])  # bands R, G, B of R,G,B,NIR
    return unit_scale(rgb)


def read_oscd_mask(path):
    import rasterio

    with rasterio.open(path) as ds:
        return (ds.read(1) > 0).astype(np.uint8)


def change_scene_specs(root=DEFAULT_DATA_ROOT):
    """All labelled change scenes found under root, with paths relative to root (what splits.json records)."""
    specs = []
    oscd = os.path.join(root, "oscd")
    for city in sorted(os.listdir(oscd)):
        if os.path.exists(os.path.join(oscd, city, "cm.tif")):
            specs.append(dict(dataset="oscd", id=city, before=f"oscd/{city}/t1_RGBN_10m.tif",
                              after=f"oscd/{city}/t2_RGBN_10m.tif", mask=f"oscd/{city}/cm.tif"))
    for site in ("Szada", "Tiszadob"):
        d = os.path.join(root, "sztaki_airchange", site)
        for n in sorted(os.listdir(d), key=int):
            p = f"sztaki_airchange/{site}/{n}"
            specs.append(dict(dataset="sztaki", id=f"{site}/{n}", before=f"{p}/im1.png", after=f"{p}/im2.png",
                              mask=f"{p}/gt.png"))
    for ds, folder in (("levir", "levir_256"), ("dsifn", "dsifn_256")):
        for f in sorted(os.listdir(os.path.join(root, folder, "label"))):
            stem = f[:-4]
            specs.append(dict(dataset=ds, id=stem, before=f"{folder}/A/{f}", after=f"{folder}/B/{f}",
                              mask=f"{folder}/label/{f}"))
    for s in specs:
        s["gsdM"] = GSD_M[s["dataset"]]
        s["split"] = "val" if s["id"] in CHANGE_VAL[s["dataset"]] else "train"
    return specs


@dataclass
class ChangeScene:
    dataset: str
    id: str
    split: str
    before: np.ndarray  # float32 [3,H,W], unit range (after unit_scale)
    after: np.ndarray
    mask: np.ndarray  # uint8 [H,W], 1 = changed


def load_change_scene_raw(spec, root=DEFAULT_DATA_ROOT):
    p = lambda k: os.path.join(root, spec[k])  # noqa: E731
    if spec["dataset"] == "oscd":
        before, after, mask = read_oscd_date(p("before")), read_oscd_date(p("after")), read_oscd_mask(p("mask"))
    else:
        before, after, mask = unit_scale(read_rgb(p("before"))), unit_scale(read_rgb(p("after"))), read_mask(p("mask"))
    return ChangeScene(spec["dataset"], spec["id"], spec["split"], before, after, mask)


def _decode_unit(buf, wide):
    u8 = read_rgb(io.BytesIO(buf.tobytes())).astype(np.float32) / 255.0
    return u8 * (UNIT_MAX - UNIT_MIN) + UNIT_MIN if wide else u8


def load_change_scenes(source=None):
    """Scenes from a raw data root (directory) or from pack_data.py's change.npz. Split labels come from splits.json."""
    source = source or default_source("change.npz")
    splits = load_splits()["change"]
    val = {(s["dataset"], s["id"]) for s in splits["scenes"] if s["split"] == "val"}
    scenes = []
    if os.path.isdir(source):
        for spec in change_scene_specs(source):
            scenes.append(load_change_scene_raw(spec, source))
    else:
        z = np.load(source)
        meta = json.loads(bytes(z["meta"]).decode())
        for m in meta["scenes"]:
            k = f"{m['dataset']}/{m['id']}"
            scenes.append(ChangeScene(m["dataset"], m["id"], "train",
                                      _decode_unit(z[k + "/before"], m["wide"]), _decode_unit(z[k + "/after"], m["wide"]),
                                      read_mask(io.BytesIO(z[k + "/mask"].tobytes()))))
    for s in scenes:
        s.split = "val" if (s.dataset, s.id) in val else "train"
    return scenes


def aid_classes(root=DEFAULT_DATA_ROOT):
    d = os.path.join(root, "aid")
    return sorted(c for c in os.listdir(d) if os.path.isdir(os.path.join(d, c)))


def aid_val_split(root=DEFAULT_DATA_ROOT):
    """Stratified, seeded hold-out: AID_VAL_FRACTION of each class (file names sorted, then permuted)."""
    rng = np.random.RandomState(AID_SPLIT_SEED)
    val = []
    for c in aid_classes(root):
        files = sorted(os.listdir(os.path.join(root, "aid", c)))
        order = rng.permutation(len(files))
        val += [f"{c}/{files[i]}" for i in sorted(order[: int(round(len(files) * AID_VAL_FRACTION))])]
    return val


def load_aid_image(path_or_bytes, size=AID_SIZE):
    im = Image.open(path_or_bytes).convert("RGB")
    if im.size != (size, size):
        im = im.resize((size, size), Image.BILINEAR)  # PIL's bilinear is antialiased when shrinking
    return np.asarray(im).transpose(2, 0, 1).copy()


def load_aid(source=None, size=AID_SIZE):
    """-> (images uint8 [N,3,size,size], labels int64 [N], is_val bool [N], classes, names)."""
    source = source or default_source(f"aid{size}.npz")
    splits = load_splits()["landcover"]
    classes = splits["classes"]
    val = set(splits["val"])
    names, imgs = [], []
    if os.path.isdir(source):
        for c in classes:
            for f in sorted(os.listdir(os.path.join(source, "aid", c))):
                names.append(f"{c}/{f}")
                imgs.append(load_aid_image(os.path.join(source, "aid", c, f), size))
    else:
        z = np.load(source)
        names = json.loads(bytes(z["names"]).decode())
        blob, offsets = z["jpeg"], z["offsets"]
        for i in range(len(names)):
            imgs.append(load_aid_image(io.BytesIO(blob[offsets[i]:offsets[i + 1]].tobytes()), size))
    labels = np.array([classes.index(n.split("/")[0]) for n in names], np.int64)
    is_val = np.array([n in val for n in names])
    return np.stack(imgs), labels, is_val, classes, names


def default_source(cache_name):
    cached = os.path.join(DEVDATA, cache_name)
    return cached if os.path.exists(cached) else DEFAULT_DATA_ROOT


def load_splits():
    with open(SPLITS_PATH) as f:
        return json.load(f)


def write_splits(root=DEFAULT_DATA_ROOT):
    specs = change_scene_specs(root)
    for ds in CHANGE_VAL:
        assert any(s["dataset"] == ds and s["split"] == "val" for s in specs), ds
        assert len([s for s in specs if s["dataset"] == ds and s["split"] == "val"]) == len(CHANGE_VAL[ds]), ds
    doc = {
        "about": "Train/validation split of ChangeMap's models (written by models/training/data.py --write-splits). "
                 "Paths are relative to the shared data root (/work/shared/data). Change masks: changed where > 0.",
        "change": {"scenes": specs},
        "landcover": {
            "dataset": "aid", "inputSize": AID_SIZE, "seed": AID_SPLIT_SEED, "valFraction": AID_VAL_FRACTION,
            "classes": aid_classes(root),
            "val": aid_val_split(root),
        },
    }
    with open(SPLITS_PATH, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return doc


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-splits", action="store_true")
    ap.add_argument("--data-root", default=DEFAULT_DATA_ROOT)
    a = ap.parse_args()
    if a.write_splits:
        d = write_splits(a.data_root)
        print(len(d["change"]["scenes"]), "change scenes,", len(d["landcover"]["val"]), "AID validation images")
