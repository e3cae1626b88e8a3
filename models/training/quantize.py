"""int8 variants of the shipped models with onnxruntime's own quantiser (post-training static, QDQ format).

  /usr/bin/python3 models/training/calibration_data.py                        # training-split inputs -> .devdata/
  python3 -m venv .venv-quant && .venv-quant/bin/pip install onnxruntime==1.30.0 onnx ml_dtypes
  .venv-quant/bin/python models/training/quantize.py change|tinycd|landcover [--method minmax|percentile|entropy]

Writes models/<name>.int8.onnx and lists it in the card's `variants` (file, sha256, how it was made, self-test output).
Its accuracy is then measured beside the full-precision file by the app's own code and recorded in the card
(`npm run eval -- --variants --record`), its speed printed by `npm run bench:models`; the app uses a variant only
where the recorded accuracy keeps the bar and it measures faster on the machine (core/models/modelVariants.ts).

onnxruntime's Python package is not packaged by Debian; pip installs it from the machine's local wheel mirror (the
earlier note that "no offline tool can make int8 models" missed that mirror). Its numpy 2 cannot share a process with
Debian's torch 1.13, hence the separate venv and the calibration arrays handed over in .devdata/.
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
DEVDATA = os.path.join(os.path.dirname(MODELS), ".devdata")
TARGETS = {
    "change": ("changemap-change-v1", "change"),
    "tinycd": ("tinycd-buildings-levir", "change"),
    "landcover": ("changemap-landcover-v1", "landcover"),
}
METHODS = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
           "entropy": CalibrationMethod.Entropy}
BATCH = 4


class Reader(CalibrationDataReader):
    """Feeds calibration batches normalised exactly as the app feeds the model (card mean/std)."""

    def __init__(self, kind, card):
        norm = card["normalisation"]
        mean = np.array(norm["mean"], np.float32).reshape(1, 3, 1, 1)
        std = np.array(norm["std"], np.float32).reshape(1, 3, 1, 1)
        if kind == "change":
            pairs = np.load(os.path.join(DEVDATA, "calib-change.npz"))["pairs"]
            self.batches = [{"before": (pairs[i:i + BATCH, 0] - mean) / std, "after": (pairs[i:i + BATCH, 1] - mean) / std}
                            for i in range(0, len(pairs), BATCH)]
        else:
            imgs = np.load(os.path.join(DEVDATA, "calib-landcover.npz"))["images"].astype(np.float32) / 255.0
            self.batches = [{"image": (imgs[i:i + 32] - mean) / std} for i in range(0, len(imgs), 32)]
        self.batches = [{k: v.astype(np.float32) for k, v in b.items()} for b in self.batches]
        self.i = 0

    def get_next(self):
        if self.i >= len(self.batches):
            return None
        self.i += 1
        return self.batches[self.i - 1]

    def rewind(self):
        self.i = 0


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("target", choices=sorted(TARGETS))
    p.add_argument("--method", choices=sorted(METHODS), default="minmax")
    p.add_argument("--out", help="output file (default models/<name>.int8.onnx)")
    a = p.parse_args(argv)
    stem, kind = TARGETS[a.target]
    with open(os.path.join(MODELS, stem + ".card.json")) as f:
        card = json.load(f)
    src = os.path.join(MODELS, card["file"])
    out = a.out or os.path.join(MODELS, stem + ".int8.onnx")
    with tempfile.TemporaryDirectory() as tmp:
        pre = os.path.join(tmp, "pre.onnx")
        quant_pre_process(src, pre, skip_symbolic_shape=True)
        quantize_static(pre, out, Reader(kind, card), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=METHODS[a.method], nodes_to_exclude=output_activations(pre))
    size = os.path.getsize(out)
    assert size <= 20 * 1024 * 1024, f"{out} is {size} bytes (> 20 MB)"
    if a.out is None:
        record_variant(card, stem, out, a.method)
    print(f"{out}: {size / 1e6:.2f} MB ({a.method} calibration)")


def output_activations(path):
    """The final sigmoid/softmax and the layer feeding it (v1's 1x1 head, the classifier's Gemm: a sliver of the
    work) stay float. Quantised, probabilities came in 1/255 steps, or worse from logits in uint8 steps, too coarse
    for the land-cover uncertainty rule and near the change threshold."""
    graph = onnx.load(path).graph
    outputs = {o.name for o in graph.output}
    finals = [n for n in graph.node if n.op_type in ("Sigmoid", "Softmax") and set(n.output) & outputs]
    feeding = [n for n in graph.node for f in finals if set(n.output) & set(f.input)]
    return [n.name for n in finals + feeding]


def self_test_output(path, card):
    """The variant's output on the card's self-test input (selfTestInput in modelCard.ts), at the card's indices."""
    test = card["selfTest"]
    size = card["chipSize"] if card["task"] == "change-detection" else card["inputSize"]
    shape = (1, len(card["bands"]), size, size)
    n = int(np.prod(shape))
    feeds = {spec["name"]: np.sin(np.arange(1, n + 1, dtype=np.float64) * 0.37 + k * 1.3 + test["inputSeed"])
             .astype(np.float32).reshape(shape) for k, spec in enumerate(card["inputs"])}
    out = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, feeds)[0].ravel()
    # int8 rounding moves outputs by up to a few hundredths; the tolerance is for the runtime, not the precision.
    return dict(inputSeed=test["inputSeed"], sampleIndices=test["sampleIndices"],
                outputSample=[round(float(out[i]), 7) for i in test["sampleIndices"]], tolerance=1e-3)


def record_variant(card, stem, path, method):
    """Lists the file in the card's variants; earlier accuracy figures are dropped (they were for another file)."""
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    entry = dict(precision="int8", file=os.path.basename(path), sha256=sha,
                 made=(f"onnxruntime {ort.__version__} quantize_static: QDQ, per-channel symmetric int8 weights, uint8 "
                       f"activations, {method} calibration on training-split inputs (calibration_data.py)"))
    if card.get("selfTest"):
        entry["selfTest"] = self_test_output(path, card)
    card["variants"] = [v for v in card.get("variants", []) if v["file"] != entry["file"]] + [entry]
    with open(os.path.join(MODELS, stem + ".card.json"), "w") as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
