"""Exports TinyCD with the authors' weights to ONNX and writes its model card (schema changemap.model-card/1).

  /usr/bin/python3 models/training/export_tinycd.py levir|whu [--out DIR]

The graph takes unit-scaled RGB (what ChangeMap feeds after uint8 / 255 or its uint16 stretch) and applies TinyCD's
ImageNet normalisation itself, so the card's normalisation is the identity (mean 0, std 1). Batch, height and width
are dynamic (sides multiples of 8); the card fixes the chip at 256 px, the authors' training size. Accuracy on the
card: the validation split of evaluate_tinycd.py's figures (checkpoints/tinycd-eval.json) at the card threshold.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_onnx import MODELS, SELF_TEST_SEED, self_test_input, spread_indices, tensor, write_card  # noqa: E402
from tinycd import UnitInputTinyCD, load_tinycd  # noqa: E402

CHIP = 256
OPSET = 13
EVAL_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoints", "tinycd-eval.json")

ATTRIBUTION = ("TinyCD by Andrea Codegoni, Gianluca Lombardi and Alessandro Ferrari: \"TinyCD: A (Not So) Deep "
               "Learning Model For Change Detection\", Neural Computing and Applications, 2023 (arXiv 2207.13159); "
               "network and weights from https://github.com/AndreaCodegoni/Tiny_model_4_CD, rebuilt for ChangeMap in "
               "models/training/tinycd.py and exported unchanged.")
LICENCE = ("Research / non-commercial use only, with attribution (see attribution). The authors release their code "
           "and weights for non-commercial and research purposes only (commercial use: contact the authors). The "
           "training data are research-use only and their terms apply too: {data}.")
VARIANTS = {
    "levir": dict(
        data=["LEVIR-CD (Chen & Shi, Remote Sensing 12(10):1662, 2020): 637 Google Earth image pairs of Texas, "
              "0.5 m, 1024x1024, building construction and demolition; trained by the authors on its training split "
              "as 256 px crops. Published F1 91.05 on the LEVIR-CD test split."],
        terms="LEVIR-CD (academic / research use; Google Earth imagery terms)",
        source="pretrained_models/levir_best.pth at commit 1696827",
    ),
    "whu": dict(
        data=["WHU-CD building change (Ji, Wei & Lu, IEEE TGRS 57(1):574-586, 2019): aerial imagery of Christchurch, "
              "New Zealand, 2012 and 2016, resampled to 0.3 m; trained by the authors as 256 px crops. Published F1 "
              "91.74 on the WHU-CD test split."],
        terms="WHU-CD (research use)",
        source="pretrained_models/whu_best.pth at commit 428d2fa",
    ),
}


def export_variant(which, out_dir, threshold, gsd_range, preferred_gsd):
    torch.set_num_threads(2)
    model = UnitInputTinyCD(load_tinycd(which)).eval()
    name = f"tinycd-buildings-{which}"
    path = os.path.join(out_dir, name + ".onnx")
    example = [self_test_input(0, (1, 3, CHIP, CHIP)), self_test_input(1, (1, 3, CHIP, CHIP))]
    dyn = {"before": {0: "batch", 2: "height", 3: "width"}, "after": {0: "batch", 2: "height", 3: "width"},
           "change_prob": {0: "batch", 2: "height", 3: "width"}}
    torch.onnx.export(model, tuple(torch.from_numpy(x) for x in example), path, input_names=["before", "after"],
                      output_names=["change_prob"], opset_version=OPSET, dynamic_axes=dyn, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        out = model(*[torch.from_numpy(x) for x in example]).numpy().ravel()
    idx = spread_indices(out.size)
    self_test = dict(inputSeed=SELF_TEST_SEED, sampleIndices=idx,
                     outputSample=[float(round(float(out[i]), 7)) for i in idx], tolerance=1e-3)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()

    accuracy = {}
    if os.path.exists(EVAL_JSON):
        figures = json.load(open(EVAL_JSON))[which]["val"]
        accuracy = {ds: by_t[str(threshold)] for ds, by_t in figures.items()}
    v = VARIANTS[which]
    card = {
        "schema": "changemap.model-card/1", "name": name, "version": "1.0.0",
        "description": (f"TinyCD building-change detector with the authors' {which.upper()}-CD weights: a Siamese "
                        "EfficientNet-B4 stem (first 4 stages, ImageNet-pretrained), mixing of the two dates' features "
                        "and spatial attention masks at 1, 1/2 and 1/4 scale, light decoder; sigmoid inside the graph. "
                        "It sees building construction and demolition only, at very high resolution; fields, forest, "
                        "water and roads are not its business. Inputs: RGB, each date unit-scaled on its own (uint8 "
                        "/255; uint16 by per-band p2..p98 stretch, limited to [-0.5, 1.5]); the ImageNet normalisation "
                        "(mean 0.485/0.456/0.406, std 0.229/0.224/0.225) is inside the graph, so the card's "
                        "normalisation is the identity. Instance normalisation: a pixel's output depends a little on "
                        "its whole chip. Chip sides must be multiples of 8."),
        "file": os.path.basename(path), "sha256": sha, "bands": ["red", "green", "blue"],
        "normalisation": {"unitScaling": "datatype", "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0],
                          # Padding and nodata as ImageNet's mean colour, not black (measured: black padding cost
                          # F1 0.88 -> 0.61 on small scenes; mean padding 0.86).
                          "fill": [0.485, 0.456, 0.406]},
        "gsdRangeM": gsd_range, "preferredGsdM": preferred_gsd,
        "attribution": ATTRIBUTION, "detects": "new and demolished buildings",
        "training": {"data": v["data"], "licence": LICENCE.format(data=v["terms"]),
                     "command": f"/usr/bin/python3 models/training/export_tinycd.py {which}",
                     "runtime": (f"no training in ChangeMap: the authors' weights ({v['source']}), loaded into "
                                 "models/training/tinycd.py (reproduces their reference outputs within 6e-6) and "
                                 "exported with Debian PyTorch 1.13 in about 10 s on the 2-core CPU")},
        "accuracy": accuracy, "selfTest": self_test, "task": "change-detection",
        "inputs": [tensor("before", ["batch", 3, CHIP, CHIP]), tensor("after", ["batch", 3, CHIP, CHIP])],
        "outputs": [tensor("change_prob", ["batch", 1, CHIP, CHIP])], "chipSize": CHIP, "threshold": threshold,
    }
    write_card(path.replace(".onnx", ".card.json"), card)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("which", choices=sorted(VARIANTS))
    p.add_argument("--out", default=MODELS, help="folder for the .onnx and .card.json (default: models/)")
    p.add_argument("--threshold", type=float, default=0.5, help="the card's default threshold (authors: 0.5)")
    p.add_argument("--gsd-range", type=float, nargs=2, default=[0.3, 1.0])
    p.add_argument("--preferred-gsd", type=float, nargs=2, default=[0.3, 0.8])
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    export_variant(a.which, a.out, a.threshold, a.gsd_range, a.preferred_gsd)
