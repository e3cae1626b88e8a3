"""Makes a fully convolutional ONNX change model accept any chip size: the height and width of its inputs and output
become symbolic ("height", "width") and the traced intermediate shapes are dropped (ONNX Runtime infers them again).
The weights and operators are untouched, so outputs at the exported size are bit-identical; runs can then use larger
chips, repeating less work at chip borders (issue 15; card field chipSizes). Only for networks with no normalisation
over the whole chip and with Resize by scale, not by fixed size (v1: Conv, ReLU, Abs, Resize x2).

    /usr/bin/python3 models/training/dynamic_chip.py models/changemap-change-v1.onnx   # rewrites it, prints its sha256
"""
import hashlib
import sys

import onnx


def make_dynamic(path):
    model = onnx.load(path)
    for node in model.graph.node:
        if node.op_type == "Resize" and len(node.input) > 3 and node.input[3]:
            raise SystemExit(f"{path}: Resize {node.name} has fixed output sizes; chips cannot change size")
        if node.op_type in ("InstanceNormalization", "LayerNormalization", "GlobalAveragePool"):
            raise SystemExit(f"{path}: {node.op_type} depends on the whole chip; its output would change with chip size")
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        for axis, name in ((2, "height"), (3, "width")):
            dims[axis].ClearField("dim_value")
            dims[axis].dim_param = name
    del model.graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, path)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(make_dynamic(p), p)
