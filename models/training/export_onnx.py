"""Export trained weights to ONNX (Debian PyTorch 1.13) and write the model card beside it.

  /usr/bin/python3 models/training/export_onnx.py change     # models/changemap-change-v1.onnx + .card.json
  /usr/bin/python3 models/training/export_onnx.py landcover  # models/changemap-landcover-v1.onnx + .card.json
  /usr/bin/python3 models/training/export_onnx.py tiny       # models/test/tiny-change.*, models/test/tiny-landcover.*
Cards follow src-main/core/models/modelCard.ts (schema changemap.model-card/1).
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import evaluate as E  # noqa: E402
from dynamic_chip import make_dynamic  # noqa: E402
from nets import TinyChange, TinyLandCover  # noqa: E402
from train_landcover import LANDCOVER  # noqa: E402

MODELS = os.path.dirname(D.HERE)
CKPT = os.path.join(D.HERE, "checkpoints")
SELF_TEST_SEED = 0.5
LICENCE = ("Research / non-commercial use only. Weights are derived from OSCD change labels (CC BY-NC-SA 4.0; "
           "Sentinel-2 imagery: modified Copernicus data), SZTAKI AirChange (free for scientific use), LEVIR-CD and "
           "DSIFN-CD (research use; Google Earth imagery terms) and inherit those terms.")
AID_LICENCE = ("Research / non-commercial use only: trained on AID (Xia et al., IEEE TGRS 2017; Google Earth imagery, "
               "distributed for research); the weights inherit those terms.")


# Optional card fields of the automatic model choice (src-main/core/models/modelCard.ts).
CHANGE_DETECTS = "buildings, construction sites, water and other land-cover change"
CHANGE_ATTRIBUTION = ("ChangeMap project, trained from scratch on OSCD (Daudt et al., IGARSS 2018), SZTAKI AirChange "
                      "(Benedek & Szirányi, IEEE TGRS 2009), LEVIR-CD (Chen & Shi, Remote Sensing 2020) and DSIFN-CD "
                      "(Zhang et al., ISPRS J. 2020)")
# Region clean-up and smallest region for this model's output (src-main/services/regions/regionSettings.ts reads it).
CHANGE_REGIONS = {"openingRadius": 1, "minAreaM2": 300}
LANDCOVER_ATTRIBUTION = "ChangeMap project, trained from scratch on AID (Xia et al., IEEE TGRS 2017)"


def with_after(card, key, **fields):
    """The card with `fields` inserted right after `key` (cards keep a readable key order)."""
    out = {}
    for k, v in card.items():
        out[k] = v
        if k == key:
            out.update(fields)
    return out


def self_test_input(k, shape, seed=SELF_TEST_SEED):
    """Same as selfTestInput in modelCard.ts: input k at flat index i = sin((i + 1) * 0.37 + k * 1.3 + seed)."""
    n = int(np.prod(shape))
    return np.sin(np.arange(1, n + 1, dtype=np.float64) * 0.37 + k * 1.3 + seed).astype(np.float32).reshape(shape)


def spread_indices(n, count=16):
    return sorted({int(round(j * (n - 1) / (count - 1))) for j in range(count)}) if n > count else list(range(n))


def export(model, example_inputs, input_names, output_name, path):
    model.eval()
    dyn = {name: {0: "batch"} for name in input_names + [output_name]}
    torch.onnx.export(model, tuple(torch.from_numpy(x) for x in example_inputs), path, input_names=input_names, output_names=[output_name],
                      opset_version=13, dynamic_axes=dyn, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    size = os.path.getsize(path)
    assert size <= 20 * 1024 * 1024, f"{path} is {size} bytes (> 20 MB)"
    with torch.no_grad():
        out = model(*[torch.from_numpy(x) for x in example_inputs]).numpy().ravel()
    idx = spread_indices(out.size)
    self_test = dict(inputSeed=SELF_TEST_SEED, sampleIndices=idx, outputSample=[float(round(float(out[i]), 7)) for i in idx],
                     tolerance=1e-3)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    return sha, self_test


def tensor(name, shape):
    return dict(name=name, shape=shape, dtype="float32")


def write_card(path, card):
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print("wrote", path)


def change_card(file, sha, self_test, chip, meta, accuracy, threshold, command, runtime, name, description, gsd):
    return {
        "schema": "changemap.model-card/1", "name": name, "version": "1.0.0", "description": description,
        "file": file, "sha256": sha, "bands": ["red", "green", "blue"],
        "normalisation": {"unitScaling": "datatype", "mean": meta["mean"], "std": meta["std"]},
        "gsdRangeM": gsd,
        "training": {"data": TRAINING_DATA_CHANGE, "licence": LICENCE, "command": command, "runtime": runtime},
        "accuracy": accuracy, "selfTest": self_test, "task": "change-detection",
        "inputs": [tensor("before", ["batch", 3, chip, chip]), tensor("after", ["batch", 3, chip, chip])],
        "outputs": [tensor("change_prob", ["batch", 1, chip, chip])], "chipSize": chip, "threshold": threshold,
    }


# Chips a run may feed v1: multiples of 16 (four 2x poolings and a 1/16 stage) up to 1024 (~0.3 GB of activations).
CHANGE_CHIP_SIZES = {"max": 1024, "multipleOf": 16}

TRAINING_DATA_CHANGE = [
    "OSCD (Sentinel-2, 10 m, RGB of R,G,B,NIR): 7 training cities; validation cities in models/training/splits.json",
    "SZTAKI AirChange (aerial, 1.5 m): 8 training pairs",
    "LEVIR-CD sample crops (0.5 m, 256 px): 6 training crops",
    "DSIFN-CD sample crops (Google Earth, ~2 m, 256 px): 7 training crops",
    "plus synthetic changes (patches pasted between chips)",
]


def export_change():
    metrics = json.load(open(os.path.join(CKPT, "change-v1.metrics.json")))
    meta, best = metrics["meta"], metrics["best"]
    weights = os.path.join(CKPT, "change-v1.npz")
    model = E.change_model(weights, meta)
    chip = 256
    path = os.path.join(MODELS, "changemap-change-v1.onnx")
    sha, st = export(model, [self_test_input(0, (1, 3, chip, chip)), self_test_input(1, (1, 3, chip, chip))],
                     ["before", "after"], "change_prob", path)
    accuracy = E.evaluate_change(weights, meta, best["threshold"])
    command = ("/usr/bin/python3 models/training/pack_data.py && python3 models/training/train_change.py --device cuda "
               f"--data .devdata/change.npz --time-budget-s {meta['args']['time_budget_s']:.0f} --batch "
               f"{meta['args']['batch']} --crop {meta['args']['crop']} --iters-per-epoch {meta['args']['iters_per_epoch']}"
               " && /usr/bin/python3 models/training/export_onnx.py change")
    runtime = (f"{metrics['history'][-1]['elapsed_s']:.0f} s training budget on one NVIDIA H200 (PyTorch 2.11, CUDA, "
               f"bf16 autocast); best validation at iteration {best['it']} of {metrics['history'][-1]['it']} "
               f"({next(h['elapsed_s'] for h in metrics['history'] if h['it'] == best['it']):.0f} s); exported with Debian PyTorch 1.13")
    desc = ("Siamese change detector: shared 5-stage CNN encoder for both dates, absolute feature difference at 1, "
            "1/2, 1/4, 1/8 and 1/16 scale, light additive decoder; sigmoid inside the graph. Inputs: RGB, each date "
            "unit-scaled on its own (uint8 /255; uint16 by per-band p2..p98 stretch to 0..1, limited to [-0.5, 1.5]), "
            "then (x - mean) / std. Chip sides must be multiples of 16.")
    card = change_card(os.path.basename(path), sha, st, chip, meta, accuracy, best["threshold"], command, runtime,
                       "changemap-change", desc, [0.5, 20.0])
    card = with_after(card, "gsdRangeM", detects=CHANGE_DETECTS, attribution=CHANGE_ATTRIBUTION)
    card = with_after(card, "threshold", regions=CHANGE_REGIONS)
    # Any chip size (multiple of 16): runs pick larger chips and repeat less work (dynamic_chip.py, issue 15).
    card["sha256"] = make_dynamic(path)
    card = with_after(card, "chipSize", chipSizes=CHANGE_CHIP_SIZES)
    write_card(path.replace(".onnx", ".card.json"), card)


def export_landcover():
    metrics = json.load(open(os.path.join(CKPT, "landcover-v1.metrics.json")))
    meta, best = metrics["meta"], metrics["best"]
    weights = os.path.join(CKPT, "landcover-v1.npz")
    model = E.landcover_model(weights, meta)
    size = meta["size"]
    path = os.path.join(MODELS, "changemap-landcover-v1.onnx")
    sha, st = export(model, [self_test_input(0, (1, 3, size, size))], ["image"], "probs", path)
    v = E.evaluate_landcover(weights, meta)
    command = ("/usr/bin/python3 models/training/pack_data.py && python3 models/training/train_landcover.py --device cuda "
               f"--data .devdata/aid{size}.npz --time-budget-s {meta['args']['time_budget_s']:.0f} --batch "
               f"{meta['args']['batch']} --lr {meta['args']['lr']} && /usr/bin/python3 models/training/export_onnx.py landcover")
    runtime = (f"{metrics['history'][-1]['elapsed_s']:.0f} s training budget on one NVIDIA H200 (PyTorch 2.11, CUDA, "
               f"bf16 autocast), {metrics['history'][-1]['epoch']} epochs; best validation at epoch {best['epoch']}; "
               "exported with Debian PyTorch 1.13")
    card = {
        "schema": "changemap.model-card/1", "name": "changemap-landcover", "version": "1.0.0",
        "description": ("Land-cover classifier: small ResNet on 64x64 RGB patches of aerial scenes (AID, 30 classes), "
                        "softmax inside the graph. Patches are resampled to inputGsdM (10 m) before classification. "
                        "uncertainBelow applies to the summed land-cover probability (95% of validation labels at or "
                        "above it are right)."),
        "file": os.path.basename(path), "sha256": sha, "bands": ["red", "green", "blue"],
        "normalisation": {"unitScaling": "datatype", "mean": meta["mean"], "std": meta["std"]},
        "gsdRangeM": [4.7, 75.0], "attribution": LANDCOVER_ATTRIBUTION,
        "training": {"data": ["AID aerial scene classification (Google Earth, 0.5-8 m, 30 classes), 128 px copies "
                              "resized to 64 px; 80% of each class for training, 20% held out (models/training/splits.json)"],
                     "licence": AID_LICENCE, "command": command, "runtime": runtime},
        "accuracy": {"aid": {"top1": v["top1"], "landCoverAccuracy": v["landCoverAccuracy"],
                             "coverageAboveUncertain": v["coverageAboveUncertain"], "images": len(D.load_splits()["landcover"]["val"])}},
        "selfTest": st, "task": "land-cover-classification",
        "inputs": [tensor("image", ["batch", 3, size, size])],
        "outputs": [tensor("probs", ["batch", len(meta["classes"])])],
        "inputSize": size, "inputGsdM": 10.0, "classes": meta["classes"],
        "landCover": {c: LANDCOVER[c] for c in meta["classes"]}, "uncertainBelow": v["uncertainBelow"],
    }
    write_card(path.replace(".onnx", ".card.json"), card)
    print(json.dumps(v["perClass"]))


def export_tiny():
    os.makedirs(os.path.join(MODELS, "test"), exist_ok=True)
    path = os.path.join(MODELS, "test", "tiny-change.onnx")
    sha, st = export(TinyChange(), [self_test_input(0, (1, 3, 32, 32)), self_test_input(1, (1, 3, 32, 32))],
                     ["before", "after"], "change_prob", path)
    card = change_card(os.path.basename(path), sha, st, 32, dict(mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25]),
                       {}, 0.5, "/usr/bin/python3 models/training/export_onnx.py tiny", "hand-set weights, no training",
                       "tiny-change", "TEST ONLY. " + TinyChange.__doc__.replace("\n    ", " "), [0.5, 20.0])
    card["training"] = dict(data=[], licence="Same licence as the ChangeMap source code (hand-set weights, no data).",
                            command=card["training"]["command"], runtime=card["training"]["runtime"])
    write_card(path.replace(".onnx", ".card.json"), card)

    path = os.path.join(MODELS, "test", "tiny-landcover.onnx")
    sha, st = export(TinyLandCover(), [self_test_input(0, (1, 3, 16, 16))], ["image"], "probs", path)
    classes = ["BareLand", "Forest", "River"]
    card = {
        "schema": "changemap.model-card/1", "name": "tiny-landcover", "version": "1.0.0",
        "description": "TEST ONLY. " + TinyLandCover.__doc__.replace("\n    ", " "),
        "file": os.path.basename(path), "sha256": sha, "bands": ["red", "green", "blue"],
        "normalisation": {"unitScaling": "datatype", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
        "gsdRangeM": [1.0, 100.0],
        "training": {"data": [], "licence": "Same licence as the ChangeMap source code (hand-set weights, no data).",
                     "command": "/usr/bin/python3 models/training/export_onnx.py tiny", "runtime": "hand-set weights"},
        "accuracy": {}, "selfTest": st, "task": "land-cover-classification",
        "inputs": [tensor("image", ["batch", 3, 16, 16])], "outputs": [tensor("probs", ["batch", 3])],
        "inputSize": 16, "inputGsdM": 10.0, "classes": classes,
        "landCover": {c: LANDCOVER[c] for c in classes}, "uncertainBelow": 0.5,
    }
    write_card(path.replace(".onnx", ".card.json"), card)


if __name__ == "__main__":
    torch.manual_seed(0)
    {"change": export_change, "landcover": export_landcover, "tiny": export_tiny}[sys.argv[1]]()
