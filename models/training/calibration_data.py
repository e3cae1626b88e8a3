"""Calibration inputs for int8 quantisation (quantize.py), drawn from the TRAINING split only (never validation).

  /usr/bin/python3 models/training/calibration_data.py   # -> .devdata/calib-change.npz, .devdata/calib-landcover.npz

Runs with Debian's Python (rasterio, PIL: the same readers as training); quantize.py runs in a separate venv with
onnxruntime's Python package, so the two exchange plain arrays. Change: 256-px chip pairs, unit-scaled exactly as the
app does (card normalisation is applied by quantize.py); land cover: uint8 AID training images at 64 px.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402

SEED = 20261203
CHIP = 256
CHIPS_PER_DATASET = 16
AID_IMAGES = 300


def chip_pairs(scenes, rng):
    """CHIPS_PER_DATASET random 256-px windows per dataset, scenes weighted by area; small scenes are reflect-padded."""
    out = []
    for ds in sorted({s.dataset for s in scenes}):
        pool = [s for s in scenes if s.dataset == ds]
        areas = np.array([s.mask.size for s in pool], np.float64)
        for _ in range(CHIPS_PER_DATASET):
            s = pool[rng.choice(len(pool), p=areas / areas.sum())]
            h, w = s.mask.shape
            ph, pw = max(0, CHIP - h), max(0, CHIP - w)
            pad = lambda a: np.pad(a, ((0, 0), (0, ph), (0, pw)), mode="reflect")  # noqa: E731
            b, a = pad(s.before), pad(s.after)
            y = rng.integers(0, b.shape[1] - CHIP + 1)
            x = rng.integers(0, b.shape[2] - CHIP + 1)
            out.append(np.stack([b[:, y:y + CHIP, x:x + CHIP], a[:, y:y + CHIP, x:x + CHIP]]))
    return np.stack(out).astype(np.float32)  # [N, 2 dates, 3, 256, 256]


def main():
    rng = np.random.default_rng(SEED)
    os.makedirs(D.DEVDATA, exist_ok=True)
    train = [s for s in D.load_change_scenes(D.DEFAULT_DATA_ROOT) if s.split == "train"]
    pairs = chip_pairs(train, rng)
    np.savez_compressed(os.path.join(D.DEVDATA, "calib-change.npz"), pairs=pairs)
    imgs, _, is_val, _, _ = D.load_aid(D.DEFAULT_DATA_ROOT, D.AID_SIZE)
    train_idx = np.flatnonzero(~is_val)
    pick = rng.choice(train_idx, size=AID_IMAGES, replace=False)
    np.savez_compressed(os.path.join(D.DEVDATA, "calib-landcover.npz"), images=imgs[np.sort(pick)])
    print(f"calibration: {len(pairs)} change chip pairs, {AID_IMAGES} AID training images -> {D.DEVDATA}")


if __name__ == "__main__":
    main()
