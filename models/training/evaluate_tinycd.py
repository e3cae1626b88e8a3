"""TinyCD (levir / whu weights) on ChangeMap's labelled scenes, run the way the app runs a change model: each date
unit-scaled (data.unit_scale), 256 px chips overlapping by 32 px, chips past the edge padded with 0 (the card's
normalisation is the identity), outputs blended with the app's sin^2 window (core/tiling/blend.ts). Pixel counts
pooled per dataset and split, at several thresholds. TinyCD never saw these scenes in training, so both splits are
held out for it; val is the split v1 is scored on (and the one `npm run eval` reports).

  /usr/bin/python3 models/training/evaluate_tinycd.py [--json out.json]
  /usr/bin/python3 models/training/evaluate_tinycd.py --scales     # LEVIR crops resampled to other pixel sizes
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from tinycd import UnitInputTinyCD, load_tinycd  # noqa: E402

THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]


def chip_origins(length, chip, stride):
    """Same as chipOrigins in src-main/core/tiling/chunkPlan.ts."""
    if length <= chip:
        return [0]
    last = length - chip
    return list(range(0, last, stride)) + [last]


def chip_weights(chip):
    w = np.sin(np.pi * (np.arange(chip) + 0.5) / chip) ** 2
    return np.outer(w, w).astype(np.float32)


def predict_chipped(model, before, after, chip=256, overlap=32, batch=4):
    """[3,H,W] unit-scaled dates -> [H,W] blended probability, as a ChangeMap run computes it."""
    _, h, w = before.shape
    origins = [(x, y) for y in chip_origins(h, chip, chip - overlap) for x in chip_origins(w, chip, chip - overlap)]
    weights = chip_weights(chip)
    acc, wsum = np.zeros((h, w), np.float32), np.zeros((h, w), np.float32)
    for k in range(0, len(origins), batch):
        group = origins[k:k + batch]
        a = np.zeros((len(group), 3, chip, chip), np.float32)
        b = np.zeros_like(a)
        for j, (x, y) in enumerate(group):
            ph, pw = min(chip, h - y), min(chip, w - x)
            a[j, :, :ph, :pw] = before[:, y:y + ph, x:x + pw]
            b[j, :, :ph, :pw] = after[:, y:y + ph, x:x + pw]
        with torch.no_grad():
            p = model(torch.from_numpy(a), torch.from_numpy(b)).numpy()[:, 0]
        for j, (x, y) in enumerate(group):
            ph, pw = min(chip, h - y), min(chip, w - x)
            acc[y:y + ph, x:x + pw] += weights[:ph, :pw] * p[j, :ph, :pw]
            wsum[y:y + ph, x:x + pw] += weights[:ph, :pw]
    return acc / np.maximum(wsum, 1e-12)


def scores(tp, fp, fn):
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return dict(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4), iou=round(tp / max(tp + fp + fn, 1), 4))


def evaluate(weights, scenes, thresholds=THRESHOLDS):
    """{split: {dataset: {threshold: scores + scenes}}} for one weight file."""
    model = UnitInputTinyCD(load_tinycd(weights)).eval()
    counts = {}
    for s in scenes:
        prob = predict_chipped(model, s.before, s.after)
        gt = s.mask.astype(bool)
        c = counts.setdefault(s.split, {}).setdefault(s.dataset, np.zeros((len(thresholds) + 1, 3)))
        for j, t in enumerate(thresholds):
            pred = prob >= t
            c[j] += [np.sum(pred & gt), np.sum(pred & ~gt), np.sum(~pred & gt)]
        c[-1, 0] += 1  # scene count
    return {split: {ds: {str(t): dict(scores(*c[j]), scenes=int(c[-1, 0])) for j, t in enumerate(thresholds)}
                    for ds, c in sorted(by_ds.items())} for split, by_ds in counts.items()}


def evaluate_scales(weights="levir", factors=(0.6, 1.0, 1.5, 2.0), threshold=0.5):
    """All LEVIR crops (0.5 m) resampled to 0.5 m * factor, each tiled to fill a 256 px chip (no padding, which would
    be black for TinyCD) and scored on its own pixels at `threshold`: how far from 0.5 m the weights still work."""
    import torch.nn.functional as F
    model = UnitInputTinyCD(load_tinycd(weights)).eval()
    scenes = [s for s in D.load_change_scenes(D.DEFAULT_DATA_ROOT) if s.dataset == "levir"]
    for f in factors:
        n = int(round(256 / f) // 8 * 8)
        k = -(-256 // n)
        resize = lambda a: F.interpolate(torch.from_numpy(a)[None], size=[n, n], mode="bilinear",  # noqa: E731
                                         antialias=f > 1, align_corners=False)[0]
        c = np.zeros(3)
        for s in scenes:
            b, a = resize(s.before), resize(s.after)
            gt = F.interpolate(torch.from_numpy(s.mask.astype(np.float32))[None, None], size=[n, n], mode="area")
            gt = gt[0, 0].numpy() >= 0.5
            if n < 256:
                b, a = b.repeat(1, k, k)[:, :256, :256], a.repeat(1, k, k)[:, :256, :256]
            prob = predict_chipped(model, b.numpy(), a.numpy())[:n, :n]
            pred = prob >= threshold
            c += [np.sum(pred & gt), np.sum(pred & ~gt), np.sum(~pred & gt)]
        print(f"{weights} at {0.5 * f:.2f} m ({n} px, {len(scenes)} crops): {scores(*c)}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    parser.add_argument("--weights", nargs="*", default=["levir", "whu"])
    parser.add_argument("--scales", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.scales:
        return evaluate_scales()
    scenes = D.load_change_scenes(D.DEFAULT_DATA_ROOT)
    result = {}
    for w in args.weights:
        result[w] = evaluate(w, scenes)
        for split in ("train", "val"):
            for ds, by_t in result[w].get(split, {}).items():
                cells = "  ".join(f"t{t}:{v['f1']:.3f}" for t, v in by_t.items())
                print(f"{w:5s} {split:5s} {ds:7s} F1 {cells}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
