"""Validation figures of trained weights on the splits.json validation scenes, read from the RAW data
(so the figures do not depend on the lossy training cache). Used by export_onnx.py for the model cards.
Usage: /usr/bin/python3 models/training/evaluate.py change|landcover <weights.npz> <metrics.json>
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import train_change as TC  # noqa: E402
import train_landcover as TL  # noqa: E402
from nets import ChangeNet, LandCoverNet  # noqa: E402


def load_weights(model, npz_path):
    z = np.load(npz_path)
    sd = model.state_dict()
    model.load_state_dict({k: torch.from_numpy(z[k]).to(sd[k].dtype) for k in sd})
    return model.eval()


def change_model(weights, meta):
    m = load_weights(ChangeNet(meta["widths"]), weights)
    m.emit_logits = False
    return m


def landcover_model(weights, meta):
    m = load_weights(LandCoverNet(len(meta["classes"]), meta["widths"]), weights)
    m.emit_logits = False
    return m


def evaluate_change(weights, meta, threshold, data_root=D.DEFAULT_DATA_ROOT):
    """Per-dataset precision/recall/F1/IoU at the card's threshold (pixel counts pooled over a dataset's scenes)."""
    torch.set_num_threads(2)
    model = change_model(weights, meta)
    val = [s for s in D.load_change_scenes(data_root) if s.split == "val"]
    counts, scenes = {}, {}
    for s in val:
        prob = TC.predict_scene(model, s.before, s.after, meta["mean"], meta["std"], torch.device("cpu"))
        model.emit_logits = False
        pred, gt = prob >= threshold, s.mask.astype(bool)
        c = counts.setdefault(s.dataset, np.zeros(3))
        c += [np.sum(pred & gt), np.sum(pred & ~gt), np.sum(~pred & gt)]
        scenes[s.dataset] = scenes.get(s.dataset, 0) + 1
    return {ds: dict(TC.scores(c), scenes=scenes[ds]) for ds, c in sorted(counts.items())}


def evaluate_landcover(weights, meta, data_root=D.DEFAULT_DATA_ROOT, target_precision=0.95):
    torch.set_num_threads(2)
    model = landcover_model(weights, meta)
    imgs, labels, is_val, classes, _ = D.load_aid(data_root, meta["size"])
    TL.TARGET_PRECISION = target_precision
    return TL.evaluate(model, torch.from_numpy(imgs[is_val]), torch.from_numpy(labels[is_val]), meta["mean"],
                       meta["std"], classes)


if __name__ == "__main__":
    task, weights, metrics = sys.argv[1:4]
    meta = json.load(open(metrics))
    if task == "change":
        print(json.dumps(evaluate_change(weights, meta["meta"], meta["best"]["threshold"]), indent=1))
    else:
        print(json.dumps(evaluate_landcover(weights, meta["meta"]), indent=1))
